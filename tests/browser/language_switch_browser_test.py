"""A language switch on every page with every architecture keeps every choice and breaks nothing.

For each shipped model (additive, Luong general, Luong local-p, two Transformers) every page
is opened through a link that sets choices away from their defaults; the page's main button is
pressed, the language switched to 中文, and the main button pressed again. After each step:
no exception, the same radio options checked, the same link parameters (every choice is in
the address bar) and no select box showing a stale English label.
"""

from __future__ import annotations

import time
from functools import partial
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.browser.app_browser_test import EXCEPTION, wait_for_run
from tests.browser.layout import SELECTIONS_JS
from tests.browser.script_runs import ScriptRuns
from tests.chart_text import english_only

pytestmark = pytest.mark.browser

MODELS = ("assets/additive", "assets/luong-general", "assets/luong-local-p", "assets/transformer-glu",
          "assets/transformer-relu")  # fmt: skip
TEXT = quote("The girls are tall.")
PAGES = {  # page -> a link setting choices that are not the defaults
    "": f"text={TEXT}&decoding=beam&width=3&layer=1&head=2",
    "step_through": f"text={TEXT}",
    "beam": f"text={TEXT}&width=3",
    "compare": f"text={TEXT}&scale=unit",
    "layers_heads": f"text={TEXT}&kind=encoder_self&layer=1&head=2",
    "training": "metric=loss&x=wall_time&source=tensorboard",
    "attention_over_training": "epoch=2",
    "models": "metric=val_accuracy",
    "how_attention_works": "section=positional",
}
MAIN_BUTTON = "[data-testid='stMain'] [data-testid='stBaseButton-primaryFormSubmit']"


def state(page) -> dict:
    """What a language switch must not change: checked radios and the link parameters but ``lang``."""
    query = {k: v for k, v in parse_qs(urlparse(page.url).query).items() if k != "lang"}
    return {"radios": page.evaluate(SELECTIONS_JS)["radios"], "query": query}


def check(page, where: str, before: dict | None, runs: ScriptRuns, timeout_s: float = 180) -> dict:
    wait_for_run(page, timeout_s)
    assert page.locator(EXCEPTION).count() == 0, f"{where}: {page.locator(EXCEPTION).first.inner_text()[:1500]}"
    now = state(page)
    assert -1 not in now["radios"], f"{where}: a radio group lost its selection: {now['radios']}"
    if before is not None:
        alerts = [a[:300] for a in page.locator("[data-testid='stAlert']").all_inner_texts()]
        assert now == before, (
            f"{where}: choices changed\nbefore {before}\nafter  {now}\nmessages {alerts}\n{runs.describe()}"
        )
    return now


def press_main_button(page, runs: ScriptRuns) -> None:
    """Press the page's main button (when it has one) and wait for the run it starts."""
    button = page.locator(MAIN_BUTTON)
    if button.count():
        runs.after(page, button.first.click)


@pytest.mark.parametrize("model", MODELS)
def test_language_switch_keeps_choices_on_every_page(server, open_page, errors, model):
    from core.runs import find_runs

    if model not in {r.name for r in find_runs() if r.error is None}:
        pytest.skip(f"the shipped model {model} is missing")
    english = english_only()
    page = open_page()
    runs = ScriptRuns(page)
    timings = {}
    for path, query in PAGES.items():
        start = time.monotonic()
        models = f"&models={quote(model)}" if path == "compare" else ""
        link = f"{server}/{path}?{query}&model={quote(model)}{models}"
        where = f"{model} /{path}"
        # the first page of a model loads it (slow on a busy machine)
        runs.after(page, partial(page.goto, link, wait_until="domcontentloaded"), timeout_s=600)
        check(page, where, None, runs)
        press_main_button(page, runs)
        before = check(page, f"{where} (main button)", None, runs)
        runs.after(page, page.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click)
        page.wait_for_function("() => document.documentElement.innerText.includes('语言')")
        check(page, f"{where} after switching to 中文", before, runs)
        stale = [s for s in page.evaluate(SELECTIONS_JS)["selects"] if s in english]
        assert not stale, f"{where}: select boxes show English labels in 中文: {stale}"
        press_main_button(page, runs)
        check(page, f"{where} (main button in 中文)", before, runs)
        timings[path or "translate"] = round(time.monotonic() - start, 1)
    print(model, "seconds per page:", timings)
    assert not errors, errors
