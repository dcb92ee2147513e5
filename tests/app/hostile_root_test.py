"""One hostile folder in the model root never takes the class down: every page runs, leaks nothing, costs little.

Each test puts the two good tiny models beside the folders of one failure a colleague
reported (a name that is not UTF-8, nulls and huge numbers, explanation files that lie or
point outside, TensorBoard files that are not files, NaN weights, a page that raises) and
checks what the pages show. ``tests/app/hostile_fuzz_test.py`` does the same for hundreds of
seeded folders at once.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import threading
import time
from pathlib import Path

import pytest

from core import runs
from tests.app.conftest import open_app, translate
from tests.app.tiny_models import ADDITIVE, ROOT_NAME, TRANSFORMER, use_model_dirs
from tests.faults import OUTSIDE_SECRET

GOOD = (TRANSFORMER, ADDITIVE)


def texts(at) -> list[str]:
    """Every piece of text a page shows (messages, markdown, tables, the sidebar's choices)."""
    out = []
    for kind in ("error", "warning", "info", "caption", "markdown", "title", "header", "subheader", "text", "success"):
        out += [str(e.value) for e in at.get(kind)]
    for frame in [*at.dataframe, *at.get("table")]:
        value = getattr(frame, "value", None)
        if value is not None and hasattr(value, "astype"):
            out += [str(v) for v in value.astype(str).to_numpy().ravel()]
    for box in at.selectbox:
        out += [str(o) for o in box.options]
    return out


def assert_clean(at, root: Path) -> None:
    """No exception element, no absolute path of the server, no content of a file outside the model root."""
    assert not at.exception, [e.value for e in at.exception]
    for text in texts(at):
        assert str(root.parent) not in text and "/tmp/" not in text, text[:300]
        assert OUTSIDE_SECRET not in text and "root:x:" not in text, text[:300]


def make_root(tiny_model_root: Path, parent: Path) -> Path:
    """A model root named ``lab`` holding copies of the two good tiny models."""
    root = parent / ROOT_NAME
    for name in GOOD:
        shutil.copytree(tiny_model_root / name.split("/")[1], root / name.split("/")[1])
    return root


def add(root: Path, name: str | bytes, source: str = ADDITIVE) -> Path:
    """A copy of a good model under ``name`` (bytes: a name that need not be UTF-8)."""
    folder = root / (os.fsdecode(name) if isinstance(name, bytes) else name)
    shutil.copytree(root / source.split("/")[1], folder, symlinks=True)
    return folder


@pytest.fixture
def root(tiny_model_root, tmp_path, monkeypatch):
    root = make_root(tiny_model_root, tmp_path)
    use_model_dirs(monkeypatch, root)
    yield root
    import streamlit as st

    st.cache_data.clear()
    from ui.models import get_translator

    get_translator.clear()


# ------------------------------------------------------------------------------ 1. names


def test_a_folder_name_that_is_not_utf8_leaves_the_pages_working(root):
    add(root, b"bad\xff")
    at = open_app(model=TRANSFORMER)
    assert_clean(at, root)
    assert sorted(at.selectbox(key="sidebar_model").options) == sorted(GOOD)
    broken = " ".join(t.value for t in at.sidebar.get("text"))
    assert f"{ROOT_NAME}/bad\\xff: the folder's name or path is not UTF-8" in broken, broken
    translate(at, "i am cold .")
    assert_clean(at, root)
    at = open_app(page="app_pages/models.py", model=f"{ROOT_NAME}/bad\\xff")
    assert_clean(at, root)


# ------------------------------------------------------------------------------ 2. + 5. the Models page


def test_the_models_page_survives_nulls_huge_numbers_and_lying_explanation_files(root):
    head = {"kind": "cross", "layer": 1, "head": 1, "bleu": 1.0, "bleu_drop": 0.5, "mean_delta_log_p": -0.1}
    (add(root, "wall-null") / runs.METRICS).write_text(json.dumps({"bleu": 3.0, "training": {"wall_time_s": None}}))
    (add(root, "params-huge") / runs.METRICS).write_text(json.dumps({"model": {"params": 10**40}}))
    (add(root, "params-float") / runs.METRICS).write_text(json.dumps({"model": {"params": 1e40}}))
    for name, top in (("top-text", "x"), ("top-partial", {"layer": 1})):
        data = {"heads": [head], "most_important": top, "sentences": 3, "bleu": 1.0}
        (add(root, name, TRANSFORMER) / "head_importance.json").write_text(json.dumps(data))
    outside = root.parent / "outside.json"
    outside.write_text(json.dumps({"spearman": {"attention_vs_integrated": 0.5}, "sentences": 3, "x": OUTSIDE_SECRET}))
    os.symlink(outside, add(root, "attribution-outside") / "attribution.json")
    at = open_app(page="app_pages/models.py", model=TRANSFORMER)
    assert_clean(at, root)
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "params-huge cannot be used: metrics.json: 'model.params' must be a whole number up to" in errors
    assert "params-float cannot be used" in errors
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "top-text" in warnings and "top-partial" in warnings and "most_important" in warnings
    assert "attribution.json: points outside the model folder" in warnings
    assert any("wall-null" in t for t in texts(at))  # listed on the card, its time taken from history.csv


# ------------------------------------------------------------------------------ 3. TensorBoard files


def _events(folder: Path, losses: list[float]) -> None:
    from tensorboard.compat.proto import event_pb2

    board = folder / runs.TENSORBOARD / "train"
    board.mkdir(parents=True, exist_ok=True)
    with (board / "events.out.tfevents.1.host").open("wb") as f:
        for step, loss in enumerate(losses):
            event = event_pb2.Event(wall_time=100.0 + step, step=step)
            event.summary.value.add(tag="epoch_loss", simple_value=loss)
            record = event.SerializeToString()
            f.write(struct.pack("<Q", len(record)) + b"\0" * 4 + record + b"\0" * 4)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge-shape"])
def test_a_hostile_event_file_costs_one_warning_and_the_good_curves_stay(root, kind):
    bad = add(root, f"board-{kind}")
    _events(root / "tiny-additive", [2.0])
    file = bad / runs.TENSORBOARD / "train" / "events.out.tfevents.1.host"
    file.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(file)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", file)
    else:
        from tensorboard.compat.proto import event_pb2

        event = event_pb2.Event(wall_time=1.0, step=0)
        value = event.summary.value.add(tag="epoch_loss")
        value.tensor.dtype = 1
        for d in (1_000_000, 1_000_000):
            value.tensor.tensor_shape.dim.add(size=d)
        value.tensor.float_val.append(1.0)
        record = event.SerializeToString()
        file.write_bytes(struct.pack("<Q", len(record)) + b"\0" * 4 + record + b"\0" * 4)
    chosen = [ADDITIVE, f"{ROOT_NAME}/board-{kind}"]
    t0 = time.perf_counter()
    at = open_app(page="app_pages/training.py", model=ADDITIVE, training_runs=chosen, training_source="tensorboard")
    assert time.perf_counter() - t0 < 120
    assert_clean(at, root)
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"), "the good run's curve is gone"
    shown = " ".join(w.value for w in [*at.warning, *at.info]).replace("\\", "")
    if kind != "huge-shape":  # a tensor that is not a scalar is no curve point: left out, the run has none
        assert f"board-{kind}" in shown, shown


def test_the_training_page_names_the_epochs_tensorboard_lacks(root):
    folder = root / "tiny-additive"
    runs.write_history(folder, [{"epoch": e, "loss": 3.0 - e / 2, "wall_time": 1.0 * e} for e in (1, 2, 3)])
    _events(folder, [2.0])  # epoch 1 only: the run was killed after history.csv of epochs 2 and 3
    at = open_app(page="app_pages/training.py", model=ADDITIVE, training_runs=[ADDITIVE], training_source="tensorboard")
    assert_clean(at, root)
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "lack epoch(s) 2, 3" in captions, captions


# ------------------------------------------------------------------------------ 4. NaN weights, step through


def test_nan_weights_are_listed_unusable_with_the_reason(root):
    import h5py
    import numpy as np

    folder = add(root, "nan-weights")
    with h5py.File(folder / runs.WEIGHTS, "r+") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.dtype.kind == "f" else None)
        f[names[0]][...] = np.full(f[names[0]].shape, np.nan, f[names[0]].dtype)
    at = open_app(page="app_pages/step_through.py", model=f"{ROOT_NAME}/nan-weights")
    assert_clean(at, root)
    assert f"{ROOT_NAME}/nan-weights" not in at.selectbox(key="sidebar_model").options
    broken = " ".join(t.value for t in at.sidebar.get("text"))
    assert "nan-weights: model.weights.h5: holds NaN or infinite values" in broken, broken


def test_step_through_says_so_when_the_model_writes_nothing(root, monkeypatch):
    from core.decoding.translator import Translator

    real = Translator.step_through

    def first_choice_padding(self, sentence, forced=()):
        result = real(self, sentence, forced)
        return type(result)(result.source_tokens, [], result.translation, result.forced)

    monkeypatch.setattr(Translator, "step_through", first_choice_padding)
    at = open_app(page="app_pages/step_through.py", model=ADDITIVE)
    at.text_area(key="step_sentence").input("i am cold .")
    at.button(key="FormSubmitter:step_form-Start").click().run()
    assert_clean(at, root)
    assert any("wrote no word" in i.value for i in at.info), [i.value for i in at.info]


# ------------------------------------------------------------------------------ 6. the page guard


def test_an_error_anywhere_in_a_page_is_a_short_message_without_server_paths(root, monkeypatch, caplog):
    import ui.models

    def broken(info):
        raise OSError(13, "Permission denied", "/srv/attention-lab/private/metrics.json")

    monkeypatch.setattr(ui.models, "model_card", broken)
    with caplog.at_level(logging.ERROR, logger="attention_lab.pages"):
        at = open_app(page="app_pages/models.py", model=ADDITIVE)
    assert_clean(at, root)
    shown = " ".join(e.value for e in at.error).replace("\\", "")
    assert f"model {ADDITIVE}" in shown and "PermissionError" in shown and "metrics.json" in shown, shown
    assert "/srv/" not in " ".join(texts(at))
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "/srv/attention-lab/private" in logged and "Traceback" in logged  # the details stay on the server


def test_show_error_details_is_set_deliberately():
    import tomllib

    config = tomllib.loads((runs.PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


# ------------------------------------------------------------------------------ 7. bounded cost per model


def _costly(root: Path) -> Path:
    folder = add(root, "huge", TRANSFORMER)
    config = json.loads((folder / runs.CONFIG).read_text())
    config |= {"num_layers": 12, "num_heads": 64, "d_model": 1024, "ff_dim": 8192, "max_source_len": 512,
               "max_decode_len": 512}  # fmt: skip
    (folder / runs.CONFIG).write_text(json.dumps(config))
    return folder


def _bounded(target, seconds: float):
    out: dict = {}

    def run():
        try:
            out["value"] = target()
        except Exception as e:  # noqa: BLE001 - handed to the test
            out["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return thread.is_alive(), out


def test_a_costly_model_is_refused_without_the_load_lock(root):
    import ui.models as models

    folder = _costly(root)
    assert "budget" in {r.path: r.error for r in runs.find_runs([root])}[folder]
    with models._LOAD_LOCK:  # another session is loading a model
        alive, out = _bounded(lambda: models.get_translator(str(folder)), 20)
    assert not alive, "a refused model waited for the load lock"
    assert isinstance(out.get("error"), runs.RunError) and "budget" in str(out["error"])


def test_a_failed_load_is_remembered_until_the_files_change(root, monkeypatch):
    import core.decoding
    import ui.models as models

    folder = add(root, "foreign-weights")
    shutil.copy2(root / "tiny-transformer" / runs.WEIGHTS, folder / runs.WEIGHTS)  # an HDF5 file, not its own
    listed = {r.name: r.error for r in runs.find_runs([root])}
    assert listed[f"{ROOT_NAME}/foreign-weights"] is None  # only a load tells
    calls = []
    real = core.decoding.load_translator

    def counted(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(core.decoding, "load_translator", counted)
    with pytest.raises(Exception, match="does not fit the model"):
        models.get_translator(str(folder))
    assert len(calls) == 1
    with models._LOAD_LOCK:  # a remembered failure never waits for the lock
        alive, out = _bounded(lambda: models.get_translator(str(folder)), 10)
    assert not alive and isinstance(out.get("error"), models.LoadFailed), out
    assert "does not fit the model" in str(out["error"]) and len(calls) == 1
    listed = {m.name: m.error for m in models.list_models()}
    assert "does not fit the model" in (listed[f"{ROOT_NAME}/foreign-weights"] or "")
    shutil.copy2(root / "tiny-additive" / runs.WEIGHTS, folder / runs.WEIGHTS)  # its files changed: tried again
    os.utime(folder / runs.WEIGHTS, ns=(time.time_ns(), time.time_ns()))
    assert models.get_translator(str(folder)).translate("i am cold .") is not None
    assert len(calls) == 2
    assert {m.name: m.error for m in models.list_models()}[f"{ROOT_NAME}/foreign-weights"] is None
