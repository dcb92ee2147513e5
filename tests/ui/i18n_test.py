"""The UI catalogues: English and Chinese hold the same keys and placeholders, and every key the code asks for exists."""

from __future__ import annotations

import ast
import json
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "ui" / "locales"
SOURCES = sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "streamlit_app.py"])


def _load(lang: str) -> dict[str, str]:
    path = LOCALES / f"{lang}.json"
    pairs = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=list)
    keys = [k for k, _ in pairs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"{path.name} defines these keys twice: {duplicates}"
    return dict(pairs)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _keys_used(path: Path) -> dict[str, int]:
    """Every ``t("literal", ...)`` call of a source file: key → first line (docstrings and comments ignored)."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "t"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.setdefault(node.args[0].value, node.lineno)
    return found


@pytest.fixture(scope="module")
def en() -> dict[str, str]:
    return _load("en")


@pytest.fixture(scope="module")
def zh() -> dict[str, str]:
    return _load("zh")


def test_same_keys(en, zh):
    assert sorted(set(en) - set(zh)) == [], "keys missing from zh.json"
    assert sorted(set(zh) - set(en)) == [], "keys missing from en.json"


def test_no_empty_values(en, zh):
    for lang, catalogue in (("en", en), ("zh", zh)):
        empty = sorted(k for k, v in catalogue.items() if not isinstance(v, str) or not v.strip())
        assert empty == [], f"{lang}.json has empty or non-text values for {empty}"


def test_same_placeholders(en, zh):
    different = {
        key: (sorted(_placeholders(en[key])), sorted(_placeholders(zh[key])))
        for key in sorted(set(en) & set(zh))
        if _placeholders(en[key]) != _placeholders(zh[key])
    }
    assert different == {}, "placeholders differ (en, zh)"


def test_placeholders_are_plain_names(en, zh):
    for lang, catalogue in (("en", en), ("zh", zh)):
        for key, text in catalogue.items():
            for name in _placeholders(text):
                assert name.isidentifier(), f"{lang}.json {key}: placeholder {{{name}}} is not a plain name"


def test_the_scan_finds_calls_and_ignores_docstrings(tmp_path):
    source = tmp_path / "page.py"
    source.write_text(
        '"""Call t("doc.key") to translate."""\nx = t("real.key", n=1)\ny = st("no.key")\nz = t(f"dyn.{x}")\n'
    )
    assert _keys_used(source) == {"real.key": 2}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_key_used_exists(path, en):
    missing = {key: line for key, line in _keys_used(path).items() if key not in en}
    assert missing == {}, f"{path.relative_to(ROOT)} asks for keys that en.json lacks (key: line)"
