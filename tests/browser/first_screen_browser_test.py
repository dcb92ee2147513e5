"""The first screen shows the point, and nothing is cropped: every translating page at a class's screen sizes.

For the default sentence and a 12-word one, each page that translates is opened through a link
(as a teacher's shared link opens it) at 1024×768 in presentation mode, at 1280×800 and at
1920×1080, in English and in 中文. On the first two sizes the translation and the page's main
chart start inside the first screen (their top edge above the window's bottom). At every size
each chart's drawn width fits the block it sits in (a column, or the main area), no legend
is cut, and no two labels of a chart overlap (rotated labels measured as drawn); a 20-word sentence
is checked for these on Translate and Attention vs attribution too.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.app_browser_test import EXCEPTION, wait_for_run
from tests.browser.layout import CHART_FIT_JS, FIRST_SCREEN_JS, OVERLAP_JS
from tests.browser.screens_browser_test import settled_layout
from ui.examples import DEFAULT_SENTENCE

pytestmark = pytest.mark.browser

TWELVE = "My little brother and my sister played football in the park yesterday."
TWENTY = "Yesterday my old friend and his young sister walked to the big market near the river to buy fresh bread."
PAGES = ("", "step_through", "beam", "compare", "attribution", "interventions")
# (sentence, the pages it is opened on, whether its first screen is measured): a 20-word sentence only for
# what must never happen at any length, labels over labels and charts wider than their place
SENTENCES = ((DEFAULT_SENTENCE, PAGES, True), (TWELVE, PAGES, True), (TWENTY, ("", "attribution"), False))
SIZES = {  # name -> (width, height, presenting, whether the first screen is measured)
    "1024x768-present": (1024, 768, True, True),
    "1280x800": (1280, 800, False, True),
    "1920x1080": (1920, 1080, False, False),
}


def test_the_long_sentences_are_as_long_as_they_say():
    assert (len(TWELVE.split()), len(TWENTY.split())) == (12, 20)


def measure(page, url: str) -> dict:
    """Open ``url``, wait for its charts, and read the first screen, the charts' fit and their overlaps."""
    page.goto(url, wait_until="domcontentloaded")
    wait_for_run(page, timeout_s=600)  # a first link of a model traces its functions (slow on a busy machine)
    if page.locator(EXCEPTION).count():
        return {"exception": page.locator(EXCEPTION).first.inner_text()[:800]}
    page.locator("[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=120_000)
    settled_layout(page)  # Vega has finished drawing
    return {"first": page.evaluate(FIRST_SCREEN_JS), "fit": page.evaluate(CHART_FIT_JS),
            "overlaps": page.evaluate(OVERLAP_JS)}  # fmt: skip


def problems(name: str, seen: dict, present: bool, first_screen: bool) -> list[str]:
    if "exception" in seen:
        return [f"{name}: {seen['exception']}"]
    found = []
    first = seen["first"]
    if first_screen:
        if not first["charts"] or first["charts"][0] >= first["viewport"]:
            found.append(f"{name}: main chart starts at {first['charts'][:1]} px, the window is {first['viewport']}")
        if first["heading"] is not None and first["heading"] >= first["viewport"]:
            found.append(f"{name}: translation starts at {first['heading']} px, the window is {first['viewport']}")
    if present and first["sidebarOpen"]:
        found.append(f"{name}: the sidebar is open in presentation mode")
    for chart in seen["fit"]:
        if chart["drawn"] > chart["block"] + 1:
            found.append(
                f"{name}: chart drawn {chart['drawn']} px wide in a {chart['block']} px block ({chart['label']})"
            )
        if chart["legendsCut"]:
            found.append(f"{name}: a legend is cut ({chart['label']})")
    if seen["overlaps"]:
        found.append(f"{name}: overlapping labels {seen['overlaps'][:6]}")
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", list(SIZES))
def test_first_screen_and_nothing_cropped(server, browser, errors, size, lang):
    width, height, present, first_screen = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    failures, tops = [], {}
    try:
        for sentence, pages, measured in SENTENCES:
            for slug in pages:
                name = f"{slug or 'translate'} ({len(sentence.split())} words)"
                link = f"{server}/{slug}?text={quote(sentence)}&present={int(present)}&lang={lang}"
                seen = measure(page, link)
                failures += problems(name, seen, present, first_screen and measured)
                if "first" in seen:
                    tops[name] = seen["first"]["charts"][:1]
    finally:
        context.close()
        print(f"{size} {lang}: top of the main chart, px:", tops, *failures, sep="\n  ")
    assert not failures, "\n".join(failures)
    assert not errors, errors
