"""The CJK font of downloaded figures: a small subset of Noto Sans CJK SC shipped in ``assets/fonts/``.

matplotlib draws with DejaVu Sans, which has no Chinese glyphs; on a machine without a CJK font a
中文 title in a downloaded PNG or SVG comes out as empty boxes. :func:`register_cjk_font` adds the
shipped subset to matplotlib as a fallback after the default family, so Latin text looks as before
and every character of the 中文 catalogue is drawn from the subset, on any machine.

The subset holds the characters of ``ui/locales/zh.json`` plus ASCII and Latin-1; after adding
Chinese strings, rebuild it (this needs the full font: ``apt-get install fonts-noto-cjk``)::

    python -m ui.fonts [--source /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
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
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"{args.source} not found: apt-get install fonts-noto-cjk, or pass --source")
    lacking = build_subset(args.source, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    if lacking:
        print(f"not in {args.source.name} (matplotlib's DejaVu Sans must draw them): {''.join(lacking)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
