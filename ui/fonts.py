"""The CJK font: a small subset of Noto Sans CJK SC shipped in ``assets/fonts/``, for figures and for the page.

matplotlib draws with DejaVu Sans, which has no Chinese glyphs; on a machine without a CJK font a
中文 title in a downloaded PNG or SVG comes out as empty boxes. :func:`register_cjk_font` adds the
shipped subset to matplotlib as a fallback after the default family, so Latin text looks as before
and every character of the 中文 catalogue is drawn from the subset, on any machine.

The browser has the same problem: a lab computer without a CJK font shows every Chinese string,
even the "中文" button, as boxes. :func:`build_web_font` cuts the CJK characters of both catalogues
out of the shipped subset into ``static/fonts/`` (WOFF), which Streamlit serves
(``server.enableStaticServing``) and the theme names as a font face after Source Sans
(``[[theme.fontFaces]]`` in ``.streamlit/config.toml``, limited to :data:`WEB_RANGES`).

The subset holds the characters of ``ui/locales/zh.json`` plus ASCII and Latin-1; after adding
Chinese strings, rebuild it (this needs the full font: ``apt-get install fonts-noto-cjk``), which
also rebuilds the web font::

    python -m ui.fonts [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

``python -m ui.fonts --web`` rebuilds only the web font, from the shipped subset.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_FILE = ROOT / "assets" / "fonts" / "AttentionLabSansCJK-Regular.otf"
FAMILY = "Attention Lab Sans CJK"  # not "Noto …", so a full system Noto Sans CJK never shadows it
POSTSCRIPT_NAME = "AttentionLabSansCJK-Regular"
ZH_CATALOGUE = ROOT / "ui" / "locales" / "zh.json"
CATALOGUES = (ROOT / "ui" / "locales" / "en.json", ZH_CATALOGUE)
WEB_FONT_FILE = ROOT / "static" / "fonts" / "attention-lab-cjk.woff"
WEB_FAMILY = "Attention Lab Sans CJK"  # the family the theme's font list names after Source Sans
# what the page takes from the web font: CJK radicals to ideographs, compatibility ideographs and forms,
# full-width forms (the same as the unicodeRange of its [[theme.fontFaces]] entry)
WEB_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
SOURCE_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = "Noto Sans CJK SC"
# Beyond the catalogue: what figure labels need whatever the language (English and Spanish tokens).
LATIN = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x100)))

_lock = threading.Lock()


def register_cjk_font() -> str:
    """Make the shipped subset matplotlib's fallback font; idempotent, safe from several threads.

    ``rcParams["font.family"]`` becomes ``[<the family before>, FAMILY]``: matplotlib takes each
    glyph from the first family in the list that has it. Returns the family name.
    """
    import matplotlib
    from matplotlib import font_manager

    with _lock:
        if FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
            if not FONT_FILE.is_file():
                raise FileNotFoundError(f"the figure font {FONT_FILE.relative_to(ROOT)} is missing")
            font_manager.fontManager.addfont(str(FONT_FILE))
        family = list(matplotlib.rcParams["font.family"])
        if FAMILY not in family:
            matplotlib.rcParams["font.family"] = [*family, FAMILY]
    return FAMILY


def catalogue_text(path: Path = ZH_CATALOGUE) -> str:
    """Every string of a locale catalogue, concatenated."""

    def strings(value) -> Iterable[str]:
        if isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        elif isinstance(value, str):
            yield value

    return "".join(strings(json.loads(path.read_text(encoding="utf-8"))))


def wanted_characters(path: Path = ZH_CATALOGUE) -> str:
    """The characters the subset is built for: the catalogue's, ASCII and Latin-1, sorted."""
    return "".join(sorted(set(catalogue_text(path) + LATIN) - {"\n", "\t"}))


def in_web_ranges(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in WEB_RANGES)


def unicode_range() -> str:
    """:data:`WEB_RANGES` in CSS ``unicode-range`` syntax, as ``.streamlit/config.toml`` writes it."""
    return ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in WEB_RANGES)


def web_characters() -> str:
    """The characters of both catalogues that the page takes from the web font, sorted."""
    return "".join(sorted({c for path in CATALOGUES for c in catalogue_text(path) if in_web_ranges(c)}))


def build_web_font(source: Path = FONT_FILE, out: Path = WEB_FONT_FILE) -> list[str]:
    """Write the web font: the catalogues' CJK characters of ``source`` as WOFF; returns those it lacks."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    chars = web_characters()
    cmap = font.getBestCmap()
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.flavor = "woff"  # zlib: no extra module; browsers take it as they take WOFF2
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    font.flavor = "woff"
    font.recalcTimestamp = False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    font.save(str(tmp), reorderTables=False)
    tmp.replace(out)
    licence = source.parent / "OFL.txt"
    if licence.is_file():  # the licence travels with every copy of the font
        (out.parent / "OFL.txt").write_bytes(licence.read_bytes())
    return [c for c in chars if ord(c) not in cmap]


def build_subset(source: Path = SOURCE_FONT, out: Path = FONT_FILE, face: str = SOURCE_FACE) -> list[str]:
    """Write the subset of ``face`` in ``source`` (a .ttc or .otf); returns the wanted characters it lacks."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() in (".ttc", ".otc"):
        fonts = TTCollection(str(source)).fonts
        matches = [f for f in fonts if f["name"].getDebugName(1) == face]
        if not matches:
            raise ValueError(f"{source.name} has no face {face!r}: {[f['name'].getDebugName(1) for f in fonts]}")
        font = matches[0]
    else:
        font = TTFont(str(source))
    chars = wanted_characters()
    cmap = font.getBestCmap()
    lacking = [c for c in chars if ord(c) not in cmap]

    options = subset.Options()
    options.layout_features = []  # horizontal text without ligatures: no OpenType layout needed
    options.hinting = False  # rendered at figure sizes by FreeType's autohinter
    options.desubroutinize = True  # smaller once compressed, simpler CFF
    options.name_IDs = ["*"]
    options.name_languages = [0x409]  # English names only
    options.notdef_outline = True
    options.drop_tables += ["BASE", "VORG", "vhea", "vmtx"]  # no vertical text or baselines in a figure
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    _rename(font)
    font.recalcTimestamp = False  # the same characters give the same bytes
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    font.save(str(tmp))
    tmp.replace(out)
    return lacking


def _rename(font) -> None:
    """A Modified Version under the OFL gets its own name; the copyright and licence records stay."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 16, 17, 18, 21, 22):
            name.removeNames(nameID=record.nameID)
    name.setName(FAMILY, 1, 3, 1, 0x409)
    name.setName("Regular", 2, 3, 1, 0x409)
    name.setName(f"{POSTSCRIPT_NAME};subset of Noto Sans CJK SC", 3, 3, 1, 0x409)
    name.setName(f"{FAMILY} Regular", 4, 3, 1, 0x409)
    name.setName(POSTSCRIPT_NAME, 6, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT_NAME]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the figure font from the full Noto Sans CJK.")
    parser.add_argument("--source", type=Path, default=SOURCE_FONT, help="NotoSansCJK-Regular.ttc or an SC .otf")
    parser.add_argument("--out", type=Path, default=FONT_FILE)
    parser.add_argument("--web", action="store_true", help="rebuild only the web font, from the shipped subset")
    args = parser.parse_args(argv)
    if args.web:
        return _web()
    if not args.source.is_file():
        parser.error(f"{args.source} not found: apt-get install fonts-noto-cjk, or pass --source")
    lacking = build_subset(args.source, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    if lacking:
        print(f"not in {args.source.name} (matplotlib's DejaVu Sans must draw them): {''.join(lacking)}")
    return _web()


def _web() -> int:
    lacking = build_web_font()
    print(f"wrote {WEB_FONT_FILE.relative_to(ROOT)} ({WEB_FONT_FILE.stat().st_size / 1024:.0f} KiB)")
    if lacking:
        print(f"not in {FONT_FILE.name}, rebuild it first: {''.join(lacking)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
