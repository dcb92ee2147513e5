"""中文 reads on a computer with no CJK font: the app serves its own (``static/fonts/``, a theme font face).

Chromium here has no system CJK font (Debian without fonts-noto-cjk). Two different characters
drawn in a font that lacks both come out as the same box; drawn in the page's own font they must
differ. The test draws "中" and "文" on a canvas in the font the page's title, the "中文" button
and a chart's axis title are set in, and compares the pixels; it also checks that the theme's
font face was loaded from the app.
"""

from __future__ import annotations

import pytest

from tests.browser.app_browser_test import EXCEPTION, open_app, wait_for_run
from ui.fonts import WEB_FAMILY

pytestmark = pytest.mark.browser

# (same pixels?) for two characters drawn at 40 px in ``font`` on a canvas; the font is loaded first
SAME_PIXELS_JS = r"""async ([font, a, b]) => {
  await document.fonts.load(`40px ${font}`, a + b);
  const draw = ch => {
    const c = document.createElement('canvas'); c.width = 60; c.height = 60;
    const x = c.getContext('2d'); x.font = `40px ${font}`; x.fillText(ch, 5, 45);
    return Array.from(x.getImageData(0, 0, 60, 60).data).join(',');
  };
  return draw(a) === draw(b);
}"""
FONT_OF_JS = "sel => getComputedStyle(document.querySelector(sel)).fontFamily"
LOADED_FACES_JS = "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))"
CHART_TITLE = "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg .role-axis-title text"


def _same(page, font: str) -> bool:
    return page.evaluate(SAME_PIXELS_JS, [font, "中", "文"])


def test_chinese_glyphs_render_without_a_system_cjk_font(server, open_page, errors):
    page = open_app(open_page, f"{server}/?lang=zh")
    page.locator("[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=120_000)
    wait_for_run(page)
    assert page.locator(EXCEPTION).count() == 0
    system_has_cjk = not _same(page, "sans-serif")
    fonts = {
        "title": page.evaluate(FONT_OF_JS, "[data-testid='stMain'] h1"),
        "button": page.evaluate(FONT_OF_JS, "[data-testid='stSidebar'] [data-testid='stButtonGroup'] button"),
        "chart": page.evaluate(FONT_OF_JS, CHART_TITLE),
    }
    for where, font in fonts.items():
        assert WEB_FAMILY in font, f"the {where} is set in {font}, without the app's CJK face"
        assert not _same(page, font), f"中 and 文 are the same box in the {where}'s font {font}"
    assert WEB_FAMILY in page.evaluate(LOADED_FACES_JS), "the CJK font face was not loaded from the app"
    if not system_has_cjk:
        print("this machine has no system CJK font: 中 and 文 are one box in sans-serif, two glyphs in the app's font")
    assert not errors, errors


def test_the_language_button_reads_in_english_mode_too(server, open_page, errors):
    page = open_app(open_page, server)
    button = page.locator("[data-testid='stSidebar'] [data-testid='stButtonGroup'] button").filter(has_text="中文")
    button.wait_for()
    font = button.evaluate("b => getComputedStyle(b).fontFamily")
    assert WEB_FAMILY in font and not _same(page, font), font
    assert not errors, errors
