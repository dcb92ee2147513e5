"""The shipped CJK subset: it covers the 中文 catalogue, matplotlib draws with it, downloads use it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib import font_manager, ft2font
from matplotlib.figure import Figure

from ui.charts import attention_figure, figure_bytes
from ui.fonts import FAMILY, FONT_FILE, LATIN, POSTSCRIPT_NAME, ROOT, catalogue_text, register_cjk_font
from ui.present import ChartStyle

GLYPH_MISSING = "error:Glyph .* missing from font:UserWarning"  # matplotlib's warning when it draws a box
REBUILD = "rebuild the subset with `python -m ui.fonts` (needs `apt-get install fonts-noto-cjk`)"


def _charmap(path) -> set[int]:
    return set(ft2font.FT2Font(str(path)).get_charmap())


def _drawn_from_subset(svg: str, char: str) -> bool:
    """Whether the SVG holds the subset's outline of ``char`` (matplotlib names a glyph by code or index)."""
    index = ft2font.FT2Font(str(FONT_FILE)).get_char_index(ord(char))
    return any(f'id="{POSTSCRIPT_NAME}-{n:x}"' in svg for n in (ord(char), index))


def test_subset_covers_the_catalogue_and_latin():
    subset = _charmap(FONT_FILE)
    default = _charmap(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
    text = set(catalogue_text() + LATIN) - {"\n", "\t"}
    undrawable = sorted(c for c in text if ord(c) not in subset | default)
    assert not undrawable, f"no figure font has {''.join(undrawable)!r}: {REBUILD}"
    cjk = sorted(c for c in text if ord(c) >= 0x2E80 and ord(c) not in subset)
    assert not cjk, f"{FONT_FILE.name} lacks {''.join(cjk)!r}, used in zh.json: {REBUILD}"


def test_subset_is_small_and_licensed():
    assert FONT_FILE.stat().st_size < 300_000, f"{FONT_FILE.name}: {FONT_FILE.stat().st_size} bytes"
    licence = (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Copyright 2014-2021 Adobe" in licence
    font = ft2font.FT2Font(str(FONT_FILE))
    assert (font.family_name, font.postscript_name) == (FAMILY, POSTSCRIPT_NAME)
    assert "Source" not in font.family_name  # the Reserved Font Name of the original


def test_registering_is_idempotent():
    register_cjk_font()
    import matplotlib

    family = register_cjk_font()
    assert matplotlib.rcParams["font.family"].count(family) == 1
    assert matplotlib.rcParams["font.family"][0] != family  # Latin text keeps the default font
    assert [f.name for f in font_manager.fontManager.ttflist].count(family) == 1


def test_without_the_subset_chinese_is_drawn_as_boxes():
    """The check below can fail: DejaVu Sans alone makes matplotlib warn about the missing glyphs."""
    fig = Figure()
    fig.text(0.1, 0.5, "注意力", family="DejaVu Sans")
    with pytest.warns(UserWarning, match="Glyph .* missing from font"):
        figure_bytes(fig, "png")


@pytest.mark.filterwarnings(GLYPH_MISSING)
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_every_catalogue_string_is_drawn(fmt):
    register_cjk_font()
    text = (catalogue_text() + LATIN).replace("\n", " ")
    fig = Figure(figsize=(8, 0.2 * (len(text) // 80 + 2)))
    for n, start in enumerate(range(0, len(text), 80)):  # every character of zh.json, 80 to a line
        fig.text(0.01, 1 - 0.2 * (n + 1) / fig.get_figheight(), text[start : start + 80], parse_math=False)
    out = figure_bytes(fig, fmt)
    if fmt == "svg":
        assert f'id="{POSTSCRIPT_NAME}-'.encode() in out  # glyph outlines taken from the subset


@pytest.mark.filterwarnings(GLYPH_MISSING)
def test_attention_figure_with_a_chinese_title():
    register_cjk_font()
    fig = attention_figure(
        np.eye(3), ["i", "am", "cold"], ["tengo", "frío", "."], title="注意力：层 1，平均", style=ChartStyle()
    )
    svg = figure_bytes(fig, "svg").decode()
    assert all(_drawn_from_subset(svg, c) for c in "注意力层平均")
    assert 'id="DejaVuSans-' in svg  # Latin from the default font, as before


_DOWNLOAD_SCRIPT = """
import warnings
warnings.filterwarnings("error", message="Glyph .* missing from font")
import numpy as np
import streamlit as st

buttons = {}


class Column:
    def download_button(self, label, data, file_name, mime, key, **options):
        buttons[file_name] = data


st.columns = lambda n: [Column() for _ in range(n)]
st.container = lambda **kwargs: Column()  # the buttons sit in one horizontal container
from ui.downloads import attention_downloads
from ui.present import ChartStyle

attention_downloads(np.eye(2), ["a", "b"], ["x", "y"], title="注意力（层 1）", key="k", style=ChartStyle())
png, svg = buttons["attention.png"](), buttons["attention.svg"]().decode()
assert png.startswith(b"\\x89PNG"), png[:8]
print("drawn" if all(drawn_from_subset(svg, c) for c in "注意力层") else svg)
"""


@pytest.mark.slow
def test_download_buttons_register_the_font_in_a_fresh_process():
    """A server process that has drawn nothing yet: the first download already has the glyphs."""
    script = "from tests.ui.fonts_test import _drawn_from_subset as drawn_from_subset\n" + _DOWNLOAD_SCRIPT
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "drawn", f"注意力层 not drawn from {FONT_FILE.name}: {result.stdout[-2000:]}"


def test_registering_without_the_file_names_it(monkeypatch):
    import matplotlib

    import ui.fonts

    monkeypatch.setattr(ui.fonts, "FAMILY", "A family nobody has")
    monkeypatch.setattr(ui.fonts, "FONT_FILE", ROOT / "assets" / "fonts" / "gone.otf")
    with pytest.raises(FileNotFoundError, match="assets/fonts/gone.otf"):
        ui.fonts.register_cjk_font()
    assert "A family nobody has" not in matplotlib.rcParams["font.family"]


# ------------------------------------------------------------------------------ the 中文 figures and the web font


def test_a_chinese_figure_has_the_catalogues_axis_titles_drawn_from_the_subset():
    import json

    from ui.fonts import ZH_CATALOGUE

    zh = json.loads(ZH_CATALOGUE.read_text(encoding="utf-8"))
    style = ChartStyle(source_title=zh["chart.source"], target_title=zh["chart.target"])
    fig = attention_figure(np.eye(2), ["i", "am"], ["tengo", "."], style=style)  # registers the font itself
    (ax, _) = fig.axes  # the heatmap and its colour bar
    assert (ax.get_xlabel(), ax.get_ylabel()) == (zh["chart.source"], zh["chart.target"])
    svg = figure_bytes(fig, "svg").decode()
    chinese = {c for c in zh["chart.source"] + zh["chart.target"] if ord(c) >= 0x2E80}
    assert chinese and all(_drawn_from_subset(svg, c) for c in chinese)


def test_the_web_font_covers_both_catalogues_and_comes_with_its_licence():
    from fontTools.ttLib import TTFont

    from ui.fonts import WEB_FONT_FILE, web_characters

    assert WEB_FONT_FILE.is_file(), "no web font: python -m ui.fonts --web"
    font = TTFont(str(WEB_FONT_FILE))
    assert font.flavor == "woff"
    lacking = [c for c in web_characters() if ord(c) not in font.getBestCmap()]
    assert not lacking, f"{WEB_FONT_FILE.name} lacks {''.join(lacking)!r}: python -m ui.fonts --web"
    assert "中" in web_characters() and "文" in web_characters()  # the language button, in English mode too
    assert WEB_FONT_FILE.stat().st_size < 200_000
    assert (WEB_FONT_FILE.parent / "OFL.txt").read_bytes() == (FONT_FILE.parent / "OFL.txt").read_bytes()
    served = sorted(p.relative_to(ROOT / "static").as_posix() for p in (ROOT / "static").rglob("*") if p.is_file())
    assert served == ["fonts/OFL.txt", f"fonts/{WEB_FONT_FILE.name}"], "static/ serves only the font and its licence"


def test_the_theme_names_the_web_font_after_source_sans():
    import tomllib

    from ui.fonts import WEB_FAMILY, WEB_FONT_FILE, unicode_range

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    (face,) = config["theme"]["fontFaces"]
    assert face["family"] == WEB_FAMILY
    assert face["url"] == "app/" + WEB_FONT_FILE.relative_to(ROOT).as_posix()
    assert face["unicodeRange"] == unicode_range()
    for option in ("font", "headingFont"):
        families = [f.strip() for f in config["theme"][option].split(",")]
        assert families == ["sans-serif", WEB_FAMILY], option
