"""End to end: ``streamlit run`` headless on a free local port, driven by Playwright in real Chromium.

Chromium comes from the system (``apt-get install chromium``); Playwright never downloads a browser
here. Every page of the sidebar navigation is opened and must run without an exception or a
console error; screenshots go to ``tests/browser/screenshots/``.
"""

from __future__ import annotations

import re
import time
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from tests.browser.harness import (
    HEATMAP_CELLS,
    HEATMAP_LABELS_JS,
    IDLE_JS,
    PAGE_TIMEOUT_MS,
    heatmap_tokens,
    shows_sentence,
)
from tests.browser.script_runs import ScriptRuns

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
KNOWN_PAGES = (
    "Translate",
    "Step through",
    "Beam search",
    "Layers & heads",
    "Compare",
    "Attention vs attribution",
    "Interventions",
    "Training curves",
    "Attention over training",
    "Train live",
    "Models",
    "How attention works",
)
EXCEPTION = "[data-testid='stException']"


def wait_for_run(page, timeout_s: float = PAGE_TIMEOUT_MS / 1000, settle_s: float = 0.75) -> None:
    """Wait until the page's script has finished: idle (see ``IDLE_JS``) for ``settle_s`` in a row."""
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        if page.evaluate(IDLE_JS):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        page.wait_for_timeout(150)
    raise AssertionError(f"the page at {page.url} was still running after {timeout_s:.0f} s")


def screenshot(page, name: str) -> None:
    """Full-page screenshot to ``tests/browser/screenshots/<name>.png``."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_for_heatmap(page, sentence: str) -> list[str]:
    """Wait until a heatmap whose source axis is ``sentence`` is drawn; its target tokens."""
    page.locator(HEATMAP_CELLS).first.wait_for()
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while True:
        source, target = heatmap_tokens(page.evaluate(HEATMAP_LABELS_JS))
        if shows_sentence(source, sentence):
            return target
        assert time.monotonic() < deadline, f"heatmap source axis {source} is not {sentence!r}"
        page.wait_for_timeout(200)


def open_app(open_page, url: str):
    """A new page at ``url`` once the server has finished its first run (not merely looks idle)."""
    page = open_page()
    ScriptRuns(page).after(page, partial(page.goto, url, wait_until="domcontentloaded"))
    wait_for_run(page)
    return page


def nav_links(page) -> dict[str, str]:
    """Title -> address of every page in the sidebar navigation, in order."""
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.wait_for()
    more = nav.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    links = nav.locator("[data-testid='stSidebarNavLink']")
    return {
        links.nth(i).locator("[data-testid='stMarkdownContainer']").inner_text().strip(): links.nth(i).get_attribute(
            "href"
        )
        for i in range(links.count())
    }


def test_every_page_runs_without_errors(server, open_page, errors):
    page = open_app(open_page, server)
    links = nav_links(page)
    missing = [title for title in KNOWN_PAGES if title not in links]
    assert not missing, f"pages missing from the navigation: {missing}; it lists {list(links)}"
    timings = {}
    for title, href in links.items():
        start = time.monotonic()
        page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
        page.wait_for_function("href => location.href.split('?')[0] === href", arg=href)  # client-side routing
        wait_for_run(page)
        timings[title] = round(time.monotonic() - start, 1)
        slug = urlparse(href).path.strip("/") or "translate"
        screenshot(page, f"page-{slug}")
        exceptions = page.locator(EXCEPTION)
        assert exceptions.count() == 0, f"{title}: {exceptions.first.inner_text()[:2000]}"
        assert page.locator("[data-testid='stMain'] h1").count() >= 1, f"{title}: no page title"
        assert not errors, f"{title}: {errors}"
    print("seconds per page:", timings)


def test_translate_shows_spanish_and_heatmap(server, open_page, errors):
    page = open_app(open_page, server)
    sentence = "The children are sleeping."
    box = page.get_by_role("textbox", name="English sentence")
    box.fill(sentence)
    page.get_by_role("button", name="Translate", exact=True).click()
    target = wait_for_heatmap(page, sentence)
    wait_for_run(page)
    heading = page.locator("[data-testid='stMain'] h3").first.inner_text().strip()
    assert heading, "no translation shown"
    words = [tok for tok in target if tok.isalpha()]
    assert words and all(w.lower() in heading.lower() for w in words), (heading, target)
    assert page.get_by_text("Where the model looked").is_visible()
    page.wait_for_timeout(500)  # let Vega finish drawing before the screenshot
    screenshot(page, "translate")
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


def test_training_page_shows_curves(server, open_page, errors):
    page = open_app(open_page, server)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Training curves", exact=True).click()
    page.get_by_role("heading", name="Training curves").wait_for()
    page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for()
    wait_for_run(page)
    screenshot(page, "training")
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


def test_link_opens_translation_of_its_text(server, open_page, errors):
    sentence = "The dog runs in the park."
    page = open_app(open_page, f"{server}/?text={quote(sentence)}")
    wait_for_heatmap(page, sentence)  # no click: the link translates on arrival
    assert page.get_by_role("textbox", name="English sentence").input_value() == sentence
    wait_for_run(page)
    assert "text=" in page.url, f"the address bar lost the link: {page.url}"
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


def test_link_with_unknown_model_warns_and_keeps_default(server, open_page, errors):
    page = open_app(open_page, f"{server}/?model=../../etc")
    warning = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="etc")
    warning.first.wait_for()
    assert "model" in warning.first.inner_text()
    page.get_by_role(
        "textbox", name="English sentence"
    ).wait_for()  # the page still works (drawn, on a busy machine, later)
    assert "etc" not in page.url, f"the refused value stayed in the address bar: {page.url}"
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


def test_presentation_mode_enlarges_the_type(server, open_page, errors):
    page = open_app(open_page, server)
    toggle = page.locator("[data-testid='stSidebar']").get_by_text("Presentation mode", exact=True)
    toggle.first.wait_for(timeout=60_000)
    assert toggle.count() == 1, "the sidebar has no Presentation mode toggle"
    root_font = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    before = page.evaluate(root_font)
    toggle.click()
    wait_for_run(page)
    page.wait_for_function(f"() => ({root_font})() > {before}", timeout=30_000)
    after = page.evaluate(root_font)
    assert after > before, (before, after)
    assert re.search(r"[?&]present=1", page.url), f"presentation mode is not in the link: {page.url}"
    screenshot(page, "translate-presenting")
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


@pytest.mark.parametrize("slug", ["attribution", "interventions"])
def test_explanation_pages_open_a_link_of_the_cat_on_the_mat(server, open_page, errors, slug):
    sentence = "The cat sat on the mat."
    page = open_app(open_page, f"{server}/{slug}?text={quote(sentence)}&model=assets/transformer-relu")
    wait_for_heatmap(page, sentence)  # the link computes on arrival: attention and its comparison drawn
    wait_for_run(page)
    screenshot(page, f"link-{slug}")
    assert page.locator(HEATMAP_CELLS).count() > 0
    assert "text=" in page.url, f"the address bar lost the link: {page.url}"
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors
