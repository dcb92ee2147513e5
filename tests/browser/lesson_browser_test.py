"""One sentence for the whole lesson: typed once, every translating page shows it and its result.

The sentence is typed on Translate; the sidebar then opens Step through, Beam search, Compare,
Attention vs attribution, Interventions and Layers & heads in turn (client-side navigation, as a
teacher clicks). Each page's box holds the sentence and its heatmap's English axis is that
sentence's tokens: no page shows the result of another sentence. A Step-through link reopens at
its step.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.app_browser_test import EXCEPTION, open_app, wait_for_heatmap, wait_for_run

pytestmark = pytest.mark.browser

SENTENCE = "My brother plays the guitar."
OTHERS = ("Step through", "Beam search", "Compare", "Attention vs attribution", "Interventions", "Layers & heads")
BOX = "English sentence"


def go(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for()
    wait_for_run(page, timeout_s=600)  # attribution's first click traces its function


def test_a_sentence_typed_on_translate_follows_every_page(server, open_page, errors):
    page = open_app(open_page, f"{server}/?model=assets/transformer-relu")  # a Transformer: Layers & heads draws
    page.get_by_role("textbox", name=BOX).fill(SENTENCE)
    page.get_by_role("button", name="Translate", exact=True).click()
    wait_for_heatmap(page, SENTENCE)
    wait_for_run(page)
    for title in OTHERS:
        go(page, title)
        assert page.locator(EXCEPTION).count() == 0, f"{title}: {page.locator(EXCEPTION).first.inner_text()[:800]}"
        assert page.get_by_role("textbox", name=BOX).input_value() == SENTENCE, f"{title} shows another sentence"
        wait_for_heatmap(page, SENTENCE)  # its result is that sentence's, computed on arrival
        assert re.search(r"[?&]text=My", page.url), f"{title}: the link lost the sentence: {page.url}"
    go(page, "Translate")
    assert page.get_by_role("textbox", name=BOX).input_value() == SENTENCE
    wait_for_heatmap(page, SENTENCE)
    assert not errors, errors


def test_a_sentence_typed_on_beam_comes_back_to_translate(server, open_page, errors):
    page = open_app(open_page, f"{server}/beam")
    sentence = "The old man reads a book."
    page.get_by_role("textbox", name=BOX).fill(sentence)
    page.locator("[data-testid='stMain'] [data-testid='stBaseButton-primaryFormSubmit']").click()  # Search
    wait_for_heatmap(page, sentence)
    wait_for_run(page)
    go(page, "Translate")
    assert page.get_by_role("textbox", name=BOX).input_value() == sentence
    wait_for_heatmap(page, sentence)
    heading = page.locator("[data-testid='stMain'] h3").first.inner_text()
    assert heading and "coche rojo" not in heading.lower(), heading  # not the default sentence's translation
    assert not errors, errors


def test_a_step_through_link_reopens_at_its_step(server, open_page, errors):
    page = open_app(open_page, f"{server}/step_through?text=I%20am%20cold.")
    progress = page.locator("[data-testid='stMain'] [data-testid='stProgress']")
    progress.get_by_text("Step 1 of").wait_for()
    page.get_by_role("button", name="Next").click()
    progress.get_by_text("Step 2 of").wait_for()
    wait_for_run(page)
    page.wait_for_function("() => location.search.includes('step=2')")
    shared = page.url
    other = open_app(open_page, shared)  # another browser session, as a student opens the teacher's link
    other.locator("[data-testid='stMain'] [data-testid='stProgress']").get_by_text("Step 2 of").wait_for()
    assert other.get_by_role("textbox", name=BOX).input_value() == "I am cold."
    assert not errors, errors
