"""Damaged model folders and hostile links: every page runs, the broken model is listed with its reason.

The fast tier opens every page once on a model root holding each damage of a known kind;
the ``slow`` battery adds seeded corruption of every file type and every hostile link value
on every page.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import unicodedata

import pytest

from core import runs
from tests.app.conftest import open_app
from tests.app.tiny_models import ROOT_NAME, use_model_dirs, write_tiny_run
from tests.faults import KINDS, OUTSIDE_SECRET, PROBE, complete_run, mutate

PAGES = (
    "app_pages/translate.py",
    "app_pages/step_through.py",
    "app_pages/beam.py",
    "app_pages/compare.py",
    "app_pages/layers_heads.py",
    "app_pages/training.py",
    "app_pages/attention_over_training.py",
    "app_pages/models.py",
    "app_pages/how_attention_works.py",
)
GOOD = f"{ROOT_NAME}/good"


def _tiered(pages, fast: str):
    """``pages`` as parameters, all but ``fast`` in the slow tier."""
    return [p if p == fast else pytest.param(p, marks=pytest.mark.slow) for p in pages]


# each damage reported by users: (folder name, file, content)
DAMAGES = {
    "bleu-text": (runs.METRICS, b'{"bleu": "40.8", "chrf": 58.7}'),
    "bleu-null": (runs.METRICS, b'{"bleu": null}'),
    "metrics-latin1": (runs.METRICS, b'{"bleu": 40.8, "note": "a\xf1o"}'),
    "metrics-training-text": (runs.METRICS, b'{"training": "x"}'),
    "config-huge": (runs.CONFIG, None),
}
USABLE_DAMAGES = {  # the model still translates; the page that reads the file says what is wrong
    "history-no-wall-time": (runs.HISTORY, b"epoch,loss,val_loss\n1,2.0,2.1\n"),
    "history-latin1": (runs.HISTORY, b"epoch,loss,val_loss,wall_time\n1,2.0,2.1,1.0\n2,1.9,2.0,\xff\n"),
    "history-empty-epoch": (runs.HISTORY, b"epoch,loss,val_loss,wall_time\n1,2.0,2.1,1.0\n,1.9,2.0,2.0\n"),
    "history-huge-field": (runs.HISTORY, b"epoch,loss\n1," + b"9" * 140_000 + b"\n"),
    "probe-source-list": (
        PROBE,
        b'{"epoch": 1, "probes": [{"source": ["a"], "source_tokens": [], "target_tokens": []}]}',
    ),
    "steps-huge-field": (runs.STEPS, b"step,epoch,loss,accuracy\n1,1," + b"9" * 140_000 + b",0.1\n"),
}


def _texts(at) -> list[str]:
    """Every piece of text the page shows: messages, captions, markdown, titles, table cells."""
    out = []
    for kind in ("error", "warning", "info", "caption", "markdown", "title", "header", "subheader", "text", "success"):
        out += [str(e.value) for e in at.get(kind)]
    for frame in at.dataframe:
        out += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return out


def _assert_clean(at, root) -> None:
    assert not at.exception, at.exception
    for text in _texts(at):
        assert str(root.parent) not in text and "/tmp/" not in text, text[:300]
        assert OUTSIDE_SECRET not in text and "root:x:" not in text, text[:300]


@pytest.fixture(scope="module")
def damaged_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged") / ROOT_NAME
    good = complete_run(write_tiny_run(root / "good", "additive"))
    for name, (file, content) in {**DAMAGES, **USABLE_DAMAGES}.items():
        shutil.copytree(good, root / name)
        if content is not None:
            (root / name / file).write_bytes(content)
    config = json.loads((good / runs.CONFIG).read_text())
    (root / "config-huge" / runs.CONFIG).write_text(json.dumps(config | {"arch": "transformer", "d_model": 65536}))
    outside = root.parent / "passwd"
    outside.write_text(f"\n[UNK]\n[START]\n{OUTSIDE_SECRET}\n")
    shutil.copytree(good, root / "vocab-outside")
    (root / "vocab-outside" / runs.SRC_VOCAB).unlink()
    os.symlink(outside, root / "vocab-outside" / runs.SRC_VOCAB)
    return root


@pytest.fixture
def damaged(damaged_root, monkeypatch):
    use_model_dirs(monkeypatch, damaged_root)
    yield damaged_root
    import streamlit as st

    st.cache_data.clear()


@pytest.mark.parametrize("page", _tiered(PAGES, "app_pages/models.py"))
def test_every_page_runs_beside_damaged_models(damaged, page):
    at = open_app(page=page, model=GOOD)
    _assert_clean(at, damaged)
    listed = {m.name: m.error for m in runs.find_runs([damaged])}
    for name in [*DAMAGES, "vocab-outside"]:
        assert listed[f"{ROOT_NAME}/{name}"], name  # unusable, with a reason
    for name in USABLE_DAMAGES:
        assert listed[f"{ROOT_NAME}/{name}"] is None
    if page == "app_pages/models.py":
        errors = " ".join(e.value for e in at.error).replace("\\", "")
        assert "metrics.json: 'bleu' must be a finite number, got '40.8'" in errors
        assert "config.json: d_model 65536 is above the cap of 1024" in errors
        assert "vocab_src.txt: points outside the model folder" in errors
        assert "metrics.json: 'training' must be an object" in errors
        warnings = " ".join(w.value for w in at.warning).replace("\\", "")
        assert "history.csv: is not UTF-8 text (byte 0xff" in warnings
        assert "history.csv line 3: epoch '' is not a whole number" in warnings
        assert "field larger than field limit" in warnings


def test_a_damaged_probe_file_is_a_warning_on_its_page(damaged):
    at = open_app(page="app_pages/attention_over_training.py", model=f"{ROOT_NAME}/probe-source-list")
    _assert_clean(at, damaged)
    warnings = " ".join(w.value for w in [*at.warning, *at.info]).replace("\\", "")
    assert "probes/epoch_001.json: probe 1: 'source' must be text" in warnings, warnings


def test_a_huge_field_in_the_step_log_is_a_message(damaged):
    at = open_app(page="app_pages/training.py", model=f"{ROOT_NAME}/steps-huge-field")
    _assert_clean(at, damaged)
    assert any("field limit" in w.value or "131072" in w.value for w in at.warning), [w.value for w in at.warning]


def test_compare_says_when_it_cut_the_sentence(damaged):
    from core.text import MAX_INPUT_CHARS

    at = open_app(page="app_pages/compare.py", model=GOOD)
    at.text_area(key="compare_sentence").input("i am cold . " * (MAX_INPUT_CHARS // 6))
    at.multiselect(key="compare_models").set_value([GOOD])
    at.button(key="FormSubmitter:compare_form-Compare").click().run()
    _assert_clean(at, damaged)
    assert any(str(MAX_INPUT_CHARS) in w.value for w in at.warning), [w.value for w in at.warning]


# ------------------------------------------------------------------------------ hostile links

LINK_PARAMS = {  # every link parameter each page accepts (besides the app-wide lang, present, model)
    "app_pages/translate.py": ("text", "decoding", "width", "layer", "head"),
    "app_pages/step_through.py": ("text", "step"),
    "app_pages/beam.py": ("text", "width", "alpha"),
    "app_pages/compare.py": ("text", "models", "scale"),
    "app_pages/layers_heads.py": ("text", "kind", "layer", "head"),
    "app_pages/training.py": ("runs", "metric", "x", "smooth", "log", "source"),
    "app_pages/attention_over_training.py": ("probe", "epoch"),
    "app_pages/models.py": ("metric",),
    "app_pages/how_attention_works.py": ("section", "positions", "d_model", "causal"),
}
APP_PARAMS = ("lang", "present", "model")
HOSTILE = {
    "superscript": "²",
    "circled": "①",
    "arabic-indic": "٣",
    "fullwidth": "４",
    "digits-5000": "7" * 5000,
    "nan": "NaN",
    "inf": "inf",
    "negative": "-1",
    "traversal": "../../../etc/passwd",
    "nul": "1\x00",
}


def _hostile(page: str, value: str):
    query = dict.fromkeys((*LINK_PARAMS[page], *APP_PARAMS), value)
    return open_app(query, page=page, model=GOOD)


@pytest.mark.parametrize("page", _tiered(PAGES, "app_pages/translate.py"))
def test_unicode_digits_in_links_are_refused_on_every_page(damaged, page):
    at = _hostile(page, "²")
    _assert_clean(at, damaged)
    assert any("²" in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("value", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("page", PAGES)
def test_hostile_links_on_every_page(damaged, page, value, record_property):
    at = _hostile(page, HOSTILE[value])
    _assert_clean(at, damaged)
    record_property("links", len(LINK_PARAMS[page]) + len(APP_PARAMS))


def test_no_unicode_digit_passes_the_integer_parser():
    from ui.share import Refused, int_in

    parse = int_in(0, 10**9)
    digits = [chr(c) for c in range(0x110000) if chr(c).isdigit() and not chr(c).isascii()]
    assert len(digits) > 500
    for d in digits:
        for value in (d, "1" + d, d * 3):
            with pytest.raises(Refused):
                parse(value)
    for value in ("9" * 10, "9" * 5000, " ", "", "+1", "-0", "1e3", "0x10", "١٢", unicodedata.normalize("NFKC", "²")):
        if value == "2":
            assert parse(value) == 2
            continue
        with pytest.raises(Refused):
            parse(value)
    assert parse("007") == 7


# ------------------------------------------------------------------------------ corruption fuzzer on pages

PAGE_FUZZ_PER_KIND = 6


@pytest.mark.slow
def test_corrupted_folders_on_every_page(tmp_path, monkeypatch, record_property):
    """Seeded damage of every file type, many models at once: every page runs and names each broken one."""
    root = tmp_path / ROOT_NAME
    good = complete_run(write_tiny_run(root / "good", "additive"))
    usable = []
    for k, kind in enumerate(KINDS):
        for i in range(PAGE_FUZZ_PER_KIND):
            folder = root / f"z{k}-{i}"
            shutil.copytree(good, folder, symlinks=True)
            mutate(folder, kind, random.Random(7919 * k + i))
    use_model_dirs(monkeypatch, root)
    listed = runs.find_runs([root])
    for info in listed:
        if info.name != GOOD and info.error is None:
            usable.append(info.name)
    for page in PAGES:
        at = open_app(page=page, model=GOOD)
        _assert_clean(at, root)
        if page == "app_pages/models.py":
            shown = " ".join(e.value for e in at.error)
            for info in listed:
                if info.error is not None:
                    assert info.name.split("/")[-1] in shown.replace("\\", "")
    for name in usable:  # damage the check lets through (probes, step log, some bytes): pages that read them
        for page in ("app_pages/translate.py", "app_pages/training.py", "app_pages/attention_over_training.py"):
            at = open_app(page=page, model=name)
            _assert_clean(at, root)
    record_property("page_mutations", PAGE_FUZZ_PER_KIND * len(KINDS))
