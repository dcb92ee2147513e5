"""Every page at the sizes a class uses: a 1024×768 projector, 1280×720, 1920×1080 (presentation
mode on and off) and a 390×844 phone.

On each page: the main area never scrolls sideways, no button label is cut short, every
discrete chart axis (a heatmap's tokens) renders one label per value, and every legend lies
inside the window. Pages are opened through links that translate on arrival, Compare with four
models. At 1024×768 in presentation mode a full-length screenshot of every page goes to
``tests/browser/screens/`` (git-ignored) for a person to look at after any run.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.app_browser_test import EXCEPTION, wait_for_run
from tests.browser.layout import LAYOUT_JS

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parent / "screens"
LONG = "My father bought a new car last year."  # the longest "Try these" example: 9 tokens
FOUR = "assets/additive,assets/luong-general,assets/luong-local-p,assets/transformer-glu"
PAGES = {  # screenshot name -> path and query of a link that fills the page
    "translate": f"?text={quote(LONG)}&model=assets/transformer-glu",
    "step_through": f"step_through?text={quote(LONG)}",
    "beam": f"beam?text={quote(LONG)}",
    "compare": f"compare?text={quote(LONG)}&models={quote(FOUR)}",
    "layers_heads": f"layers_heads?text={quote(LONG)}&model=assets/transformer-glu",
    "training": "training",
    "attention_over_training": "attention_over_training",
    "models": "models",
    "how_attention_works": "how_attention_works?section=toy",
}
CHART_PAGES = ("translate", "step_through", "beam", "compare", "layers_heads")
SIZES = [(1024, 768, True), (1024, 768, False), (1280, 720, True), (1280, 720, False),
         (1920, 1080, True), (1920, 1080, False), (390, 844, False)]  # fmt: skip


def settled_layout(page, timeout_s: float = 20.0) -> dict:
    """``LAYOUT_JS`` once the charts have finished drawing (two equal readings in a row)."""
    deadline, last = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        page.wait_for_timeout(400)
        wait_for_run(page, settle_s=0.3)
        now = page.evaluate(LAYOUT_JS)
        if now == last:
            return now
        last = now
    return last


def problems(layout: dict, width: int) -> list[str]:
    found = []
    if layout["scrollWidth"] > layout["clientWidth"] + 1:
        found.append(f"main area scrolls sideways: {layout['scrollWidth']} > {layout['clientWidth']}")
    if layout["truncated"]:
        found.append(f"truncated buttons: {layout['truncated']}")
    if layout["labels"]:
        found.append(f"truncated labels: {layout['labels']}")
    short = [a for a in layout["axes"] if a["rendered"] != a["values"]]
    if short:
        found.append(f"axes missing labels: {short}")
    if layout["legends"]:
        found.append(f"legends outside the window: {layout['legends']}")
    if width >= 1024 and layout["wide"]:
        found.append(f"charts wider than their column: {layout['wide']}")
    return found


def full_screenshot(page, path: Path) -> None:
    """The whole page, not just the window: the window is made as tall as the main area's content."""
    size = page.viewport_size
    wait_for_run(page)  # a chart's first selection state can start one more run
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 12000))})
    page.wait_for_timeout(600)
    wait_for_run(page)
    page.wait_for_timeout(400)  # Vega redraws at the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


@pytest.mark.parametrize(
    ("width", "height", "present"), SIZES, ids=[f"{w}x{h}{'-present' if p else ''}" for w, h, p in SIZES]
)
def test_every_page_fits_the_screen(server, browser, errors, width, height, present):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    shots = present and width == 1024
    if shots:
        SCREENS.mkdir(exist_ok=True)
    failures, timings = [], {}
    try:
        for name, link in PAGES.items():
            start = time.monotonic()
            sep = "&" if "?" in link else "?"
            page.goto(f"{server}/{link}{sep}present={int(present)}", wait_until="domcontentloaded")
            wait_for_run(page, timeout_s=600)  # the first link of a model loads it (slow on a busy machine)
            if page.locator(EXCEPTION).count():
                failures.append(f"{name}: {page.locator(EXCEPTION).first.inner_text()[:800]}")
                continue
            if name in CHART_PAGES:  # Vega draws after the run has ended
                page.locator("[data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=60_000)
            layout = settled_layout(page)
            failures += [f"{name}: {p}" for p in problems(layout, width)]
            if name in CHART_PAGES and not layout["charts"]:
                failures.append(f"{name}: no chart drawn")
            if shots:
                full_screenshot(page, SCREENS / f"{name}-1024x768-present.png")
            timings[name] = round(time.monotonic() - start, 1)
    finally:
        context.close()
        print(f"{width}x{height} present={present} seconds per page:", timings, *failures, *errors, sep="\n  ")
    assert not failures, "\n".join(failures)
    assert not errors, errors
