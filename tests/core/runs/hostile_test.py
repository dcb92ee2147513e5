"""What a hostile colleague can put in a model root: every reader stays bounded and says what is wrong.

Each test here failed on the readers before they were hardened: odd folder names, nulls and
huge numbers in ``metrics.json``, TensorBoard files that lie about their tensors or are not
files at all, NaN weights, models too costly to build, files linked out of their folder, and
the staging folders of killed exports.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core import runs
from core.runs import history, model_files
from core.runs.history import HistoryError

OUTSIDE = "secret-outside-content"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    """A complete, loadable, untrained additive run folder (read-only: copy it to damage it)."""
    from tests.app.tiny_models import write_tiny_run

    return write_tiny_run(tmp_path_factory.mktemp("tiny") / "lab" / "tiny", "additive")


def _copy(run: Path, to: Path) -> Path:
    shutil.copytree(run, to, symlinks=True)
    return to


# ------------------------------------------------------------------------------ names


def test_a_folder_name_that_is_not_utf8_is_listed_escaped(tiny_run, tmp_path):
    root = tmp_path / "lab"
    _copy(tiny_run, root / os.fsdecode(b"bad\xff"))
    _copy(tiny_run, root / "good")
    found = {r.name: r for r in runs.find_runs([root])}
    assert set(found) == {"lab/bad\\xff", "lab/good"}
    for name in found:
        name.encode("utf-8")  # what a page sends to the browser must encode
    assert found["lab/bad\\xff"].path == root / os.fsdecode(b"bad\xff")  # the folder itself is still found
    assert "not UTF-8" in found["lab/bad\\xff"].error and found["lab/good"].error is None


def test_staging_folders_and_hidden_folders_are_not_models(tiny_run, tmp_path):
    root = tmp_path / "lab"
    _copy(tiny_run, root / "good")
    _copy(tiny_run, root / ".tmp-4242-good2")  # what a killed export leaves
    _copy(tiny_run, root / ".hidden")
    assert [r.name for r in runs.find_runs([root])] == ["lab/good"]


# ------------------------------------------------------------------------------ metrics.json


def _metrics(run: Path, tmp_path: Path, data) -> Path:
    folder = _copy(run, tmp_path / "m")
    (folder / runs.METRICS).write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "data",
    [
        {"training": {"wall_time_s": None}},
        {"training": {"epochs": None, "saved_epoch": None, "keep": None, "hardware": None}},
        {"model": {"params": None}, "beam": {"chrf": 50.0}},
    ],
    ids=["wall-time", "epochs", "params"],
)
def test_nulls_in_metrics_are_missing_values_on_the_card(tiny_run, tmp_path, data):
    from core.runs.report import main, read_card

    folder = _metrics(tiny_run, tmp_path, data)
    assert model_files.check(folder) is None
    row = read_card(folder)
    assert row["training time (min)"] == round(1.0 / 60, 1)  # history.csv's wall time
    assert main([str(folder)]) == 0


@pytest.mark.parametrize(
    "data, problem",
    [
        ({"model": {"params": 10**40}}, "'model.params' must be a whole number up to"),
        ({"model": {"params": 1e40}}, "'model.params' must be a whole number"),
        ({"sentences": 2**70}, "'sentences' must be a whole number up to"),
        ({"training": {"epochs": 10**30}}, "'training.epochs' must be a whole number up to"),
        ({"training": {"saved_epoch": "x"}}, "'training.saved_epoch' must be a whole number"),
        ({"training": {"keep": 3}}, "'training.keep' must be best or last"),
    ],
)
def test_huge_or_wrong_numbers_in_metrics_are_refused(tiny_run, tmp_path, data, problem):
    folder = _metrics(tiny_run, tmp_path, data)
    assert problem in (model_files.check(folder) or "")


# ------------------------------------------------------------------------------ explanation files


@pytest.mark.parametrize("top", ["x", {"layer": 1}, {"kind": "nope", "layer": 1, "head": 1, "bleu_drop": 0.1}])
def test_a_malformed_most_important_head_is_an_error(tiny_run, tmp_path, top):
    from core.interventions.importance import IMPORTANCE, ImportanceError, read_importance

    folder = _copy(tiny_run, tmp_path / "m")
    head = {"kind": "cross", "layer": 1, "head": 1, "bleu": 1.0, "bleu_drop": 0.5, "mean_delta_log_p": -0.1}
    (folder / IMPORTANCE).write_text(json.dumps({"heads": [head], "most_important": top, "sentences": 3}))
    with pytest.raises(ImportanceError, match="most_important"):
        read_importance(folder)


def test_explanation_files_linked_outside_their_folder_are_refused(tiny_run, tmp_path):
    from core.attribution.summary import SUMMARY, SummaryError, read_summary
    from core.interventions.importance import IMPORTANCE, ImportanceError, read_importance

    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"spearman": {"attention_vs_integrated": 0.5}, "sentences": 3, "note": OUTSIDE}))
    folder = _copy(tiny_run, tmp_path / "m")
    os.symlink(outside, folder / SUMMARY)
    os.symlink(outside, folder / IMPORTANCE)
    with pytest.raises(SummaryError, match="outside the model folder") as e:
        read_summary(folder)
    assert str(tmp_path) not in str(e.value)
    with pytest.raises(ImportanceError, match="outside the model folder"):
        read_importance(folder)


# ------------------------------------------------------------------------------ files that are not files


def _run_bounded(target, seconds: float = 20.0):
    """``target()`` in a thread; the test fails (instead of hanging) when it does not return in time."""
    out: dict = {}

    def run():
        try:
            out["value"] = target()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            out["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return thread.is_alive(), out


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / runs.METRICS)
    alive, out = _run_bounded(lambda: model_files.read_metrics(tmp_path), 10)
    if alive:  # let the blocked reader go before failing
        os.close(os.open(tmp_path / runs.METRICS, os.O_RDWR | os.O_NONBLOCK))
    assert not alive, "reading a FIFO blocked"
    assert isinstance(out.get("error"), model_files.ModelFileError), out
    assert "not a regular file" in str(out["error"])


def _event_file(folder: Path, events) -> Path:
    board = folder / runs.TENSORBOARD / "train"
    board.mkdir(parents=True, exist_ok=True)
    file = board / "events.out.tfevents.1.host"
    with file.open("wb") as f:
        for event in events:
            record = event.SerializeToString()
            f.write(struct.pack("<Q", len(record)) + b"\0" * 4 + record + b"\0" * 4)
    return file


def _tensor_event(step: int, dims: list[int], content: bytes = b"", floats=()):
    from tensorboard.compat.proto import event_pb2

    event = event_pb2.Event(wall_time=100.0 + step, step=step)
    value = event.summary.value.add(tag="epoch_loss")
    value.tensor.dtype = 1  # DT_FLOAT
    for d in dims:
        value.tensor.tensor_shape.dim.add(size=d)
    if content:
        value.tensor.tensor_content = content
    value.tensor.float_val.extend(floats)
    return event


def _good_event(step: int, loss: float):
    return _tensor_event(step, [], struct.pack("<f", loss))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: _tensor_event(1, [3], b"\0" * 5),  # three floats promised, five bytes given
        lambda: _tensor_event(1, [1_000_000, 1_000_000], floats=[1.0]),  # 3.6 TiB once expanded
        lambda: _tensor_event(1, [1], b"\0" * 3),
    ],
    ids=["truncated", "huge-shape", "short-scalar"],
)
def test_a_lying_tensor_is_skipped_and_the_rest_is_read(tmp_path, bad):
    _event_file(tmp_path, [_good_event(0, 2.0), bad(), _good_event(2, 1.0)])
    alive, out = _run_bounded(lambda: history.read_tensorboard(tmp_path), 30)
    assert not alive
    assert "error" not in out, out.get("error")
    assert out["value"].epochs["epoch"].tolist() == [1.0, 3.0]


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "outside", "huge"])
def test_an_event_file_that_is_not_ours_is_a_message(tmp_path, kind):
    board = tmp_path / runs.TENSORBOARD / "train"
    board.mkdir(parents=True)
    file = board / "events.out.tfevents.1.host"
    if kind == "dev-zero":
        os.symlink("/dev/zero", file)
    elif kind == "fifo":
        os.mkfifo(file)
    elif kind == "outside":
        (tmp_path.parent / "outside.bin").write_bytes(b"x" * 100)
        os.symlink(tmp_path.parent / "outside.bin", file)
    else:
        with file.open("wb") as f:  # sparse: no disk used
            f.truncate(history.MAX_EVENT_BYTES + 1)
    alive, out = _run_bounded(lambda: history.read_tensorboard(tmp_path), 20)
    if alive and kind == "fifo":
        os.close(os.open(file, os.O_RDWR | os.O_NONBLOCK))
    assert not alive, f"reading a {kind} event file did not return"
    assert isinstance(out.get("error"), HistoryError), out
    assert "events.out.tfevents.1.host" in str(out["error"]) and str(tmp_path) not in str(out["error"])


def test_tensorboard_names_the_epochs_it_lacks(tmp_path):
    """A kill between history.csv and the TensorBoard write loses an epoch there: the curves say which."""
    runs.write_history(tmp_path, [{"epoch": e, "loss": 3.0 - e, "wall_time": 10.0 * e} for e in (1, 2, 3, 4)])
    _event_file(tmp_path, [_good_event(0, 2.0), _good_event(2, 1.0)])
    curves = history.read_tensorboard(tmp_path)
    assert curves.epochs["epoch"].tolist() == [1.0, 3.0]
    assert curves.missing_epochs == (2, 4)
    assert history.read_run(tmp_path).missing_epochs == ()


# ------------------------------------------------------------------------------ weights and cost


def _nan_weights(folder: Path, value: float) -> None:
    import h5py

    with h5py.File(folder / runs.WEIGHTS, "r+") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.dtype.kind == "f" else None)
        data = f[names[-1]][()]
        data.reshape(-1)[0] = value
        f[names[-1]][...] = data


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_weights_make_a_model_unusable_with_the_reason(tiny_run, tmp_path, value):
    folder = _copy(tiny_run, tmp_path / "lab" / "nan")
    _nan_weights(folder, value)
    (info,) = runs.find_runs([tmp_path / "lab"])
    assert info.error is not None and "NaN or infinite" in info.error, info.error
    from core.decoding import load_translator

    with pytest.raises(runs.RunError, match="NaN or infinite"):
        load_translator(folder)


def _costly_config(tiny_run: Path, folder: Path) -> Path:
    """Within every size cap, but 12 layers × 64 heads of width 1024 over 100k-token vocabularies."""
    _copy(tiny_run, folder)
    config = json.loads((folder / runs.CONFIG).read_text())
    config |= {"arch": "transformer", "num_layers": 12, "num_heads": 64, "d_model": 1024, "ff_dim": 8192,
               "src_vocab_size": 100_000, "tgt_vocab_size": 100_000, "max_source_len": 512, "max_decode_len": 512}  # fmt: skip
    (folder / runs.CONFIG).write_text(json.dumps(config))
    return folder


def test_a_model_over_the_budget_is_refused_before_it_is_built(tiny_run, tmp_path, monkeypatch):
    from core.decoding import load
    from core.runs import cost

    folder = _costly_config(tiny_run, tmp_path / "lab" / "huge")
    t0 = time.perf_counter()
    error = model_files.check(folder)
    assert error is not None and "budget" in error, error
    assert time.perf_counter() - t0 < 5
    estimate = cost.estimate(model_files.read_config(folder))
    assert estimate.params > cost.MAX_PARAMS

    def no_build(config):
        raise AssertionError("built a model over the budget")

    monkeypatch.setattr(load, "build_model", no_build)
    with pytest.raises(runs.RunError, match="budget"):
        load.load_translator(folder)


# the configurations whose built parameter count the estimate is compared with, and how close it must be
ESTIMATED = (
    {"arch": "additive"},
    {"arch": "dot", "decoder_units": 48},
    {"arch": "general", "input_feeding": True},
    {"arch": "concat"},
    {"arch": "local-p"},
    {"arch": "transformer"},
    {"arch": "transformer", "ffn": "swiglu", "norm": "pre", "num_layers": 3},
)
ESTIMATE_TOLERANCE = 0.02  # of the built model's parameters


@pytest.mark.parametrize("sizes", ESTIMATED)
def test_the_parameter_estimate_is_close_to_the_built_model(sizes):
    import keras

    from core.models import build_model
    from core.models.config import ModelConfig
    from core.runs import cost

    sizes = {"decoder_units": 40, **sizes}
    config = ModelConfig(src_vocab_size=300, tgt_vocab_size=400, embedding_dim=32, encoder_units=24,
                         attention_units=16, d_model=32, num_heads=4, ff_dim=64, **sizes)  # fmt: skip
    keras.utils.set_random_seed(0)
    built = sum(int(np.prod(w.shape)) for w in build_model(config).weights)  # build_model creates them
    assert built > 0
    estimate = cost.estimate(config).params
    assert abs(estimate - built) <= ESTIMATE_TOLERANCE * built, (estimate, built)


def test_the_shipped_models_are_within_the_budget():
    from core.runs import cost

    shipped = [r for r in runs.find_runs([runs.PROJECT_ROOT / "assets"])]
    if not shipped:
        pytest.skip("no shipped models")
    for r in shipped:
        assert r.error is None, (r.name, r.error)
        assert cost.estimate(model_files.read_config(r.path)).within_budget


# ------------------------------------------------------------------------------ the report CLI


def test_report_of_a_missing_folder_fails(tmp_path):
    for extra in ([], ["--commands"]):
        done = subprocess.run(
            [sys.executable, "-m", "core.runs.report", *extra, str(tmp_path / "missing")],
            capture_output=True, text=True, timeout=120, cwd=runs.PROJECT_ROOT,
        )  # fmt: skip
        assert done.returncode == 2, (extra, done.stdout, done.stderr)
        assert "missing" in done.stderr and "Traceback" not in done.stderr


def test_the_cost_report_says_which_models_are_over_the_budget(tiny_run, tmp_path, capsys):
    from core.runs.report import main

    huge = _costly_config(tiny_run, tmp_path / "lab" / "huge")
    assert main(["--cost", str(tiny_run)]) == 0
    assert main(["--cost", str(tiny_run), str(huge)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("budget: 50,000,000 parameters") and lines[-1].endswith("OVER the budget")
