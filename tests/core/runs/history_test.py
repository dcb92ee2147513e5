"""Training curves: smoothing, step/wall-time axes, tolerant run-file reading, upload checks, TensorBoard events."""

from __future__ import annotations

import math
import struct

import numpy as np
import pandas as pd
import pytest

from core import runs
from core.runs import history
from core.runs.history import HistoryError, RunCurves

HEADER = "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,wall_time\n"
ROWS = "1,3.0,3.5,0.2,0.25,0.001,60\n2,2.0,2.5,0.4,0.35,0.001,120\n3,1.0,1.5,0.6,0.45,0.001,180\n"


# --------------------------------------------------------------------------- smoothing


def test_ema_matches_hand_computed_debiased_values():
    # weight 0.5 on [1, 3, 5]: last = 0.5, 1.75, 3.375; debias by 1 - 0.5^k = 0.5, 0.75, 0.875
    np.testing.assert_allclose(history.ema([1.0, 3.0, 5.0], 0.5), [1.0, 7 / 3, 27 / 7])


def test_ema_debiasing_keeps_a_constant_curve_constant():
    # without debiasing the first point would be 0.1 * 2 = 0.2
    np.testing.assert_allclose(history.ema([2.0] * 5, 0.9), [2.0] * 5)


def test_ema_of_zero_weight_is_the_raw_curve():
    values = np.array([5.0, 1.0, 4.0, 2.0])
    np.testing.assert_array_equal(history.ema(values, 0.0), values)


def test_ema_passes_missing_values_through_and_skips_them():
    out = history.ema([1.0, math.nan, 3.0], 0.5)
    assert math.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [1.0, 7 / 3])  # as if the gap were not there


@pytest.mark.parametrize("weight", [-0.1, 1.0, 1.5])
def test_ema_refuses_weights_outside_zero_to_one(weight):
    with pytest.raises(ValueError, match=str(weight)):
        history.ema([1.0], weight)


# --------------------------------------------------------------------------- x axes


def _epochs() -> pd.DataFrame:
    return pd.DataFrame({"epoch": [1.0, 2.0, 3.0], "loss": [3.0, 2.0, 1.0], "wall_time": [60.0, 150.0, 300.0]})


def test_epoch_rows_map_to_steps_and_minutes():
    epochs = _epochs()
    np.testing.assert_array_equal(history.epoch_x(epochs, "epoch", None), [1, 2, 3])
    np.testing.assert_array_equal(history.epoch_x(epochs, "step", 100.0), [100, 200, 300])
    np.testing.assert_allclose(history.epoch_x(epochs, "wall_time", None), [1.0, 2.5, 5.0])


def test_step_axis_needs_steps_per_epoch_and_time_axis_needs_wall_time():
    with pytest.raises(HistoryError) as e:
        history.epoch_x(_epochs(), "step", None)
    assert e.value.code == "no_steps"
    with pytest.raises(HistoryError) as e:
        history.epoch_x(_epochs().drop(columns="wall_time"), "wall_time", None)
    assert e.value.code == "no_wall_time"


def test_steps_per_epoch_is_pinned_by_the_step_log():
    # 839 steps per epoch, a row every 50 steps, three epochs
    true = 839
    steps = np.arange(50, 3 * true + 1, 50)
    log = pd.DataFrame({"step": steps.astype(float), "epoch": np.ceil(steps / true)})
    estimate = history.steps_per_epoch(log)
    assert abs(estimate - true) <= 50 / 2  # within half the logging interval over the epochs
    assert history.steps_per_epoch(log[log["epoch"] == 1]) is None  # one epoch: no upper bound
    assert history.steps_per_epoch(None) is None


def test_steps_per_epoch_bounds():
    # a row every step pins S exactly; a sparser log only to an interval
    every = pd.DataFrame({"step": np.arange(1.0, 9.0), "epoch": [1.0] * 4 + [2.0] * 4})
    assert history.steps_per_epoch(every) == 4.0
    sparse = pd.DataFrame({"step": [5.0, 10.0, 15.0, 20.0], "epoch": [1.0, 1.0, 2.0, 2.0]})
    assert 10 <= history.steps_per_epoch(sparse) <= 14  # S >= 10 (epoch 1 reached 10), S < 15


def test_long_form_uses_the_step_log_for_training_on_the_step_axis():
    steps = pd.DataFrame({"step": [5.0, 10.0, 15.0, 20.0], "epoch": [1.0, 1.0, 2.0, 2.0],
                          "loss": [4.0, 3.0, 2.5, 2.0], "accuracy": [0.1, 0.2, 0.3, 0.4]})  # fmt: skip
    epochs = pd.DataFrame({"epoch": [1.0, 2.0], "loss": [3.0, 2.0], "val_loss": [3.2, 2.4]})
    long = history.long_form(RunCurves(epochs, steps, 10.0), "r", ["loss"], "step", 0.0)
    assert list(long.columns) == ["run", "split", "metric", "step", "value", "smoothed"]
    train, val = long[long["split"] == "train"], long[long["split"] == "validation"]
    assert train["step"].tolist() == [5, 10, 15, 20] and train["value"].tolist() == [4.0, 3.0, 2.5, 2.0]
    assert val["step"].tolist() == [10, 20] and val["value"].tolist() == [3.2, 2.4]
    by_epoch = history.long_form(RunCurves(epochs, steps, 10.0), "r", ["loss", "accuracy"], "epoch", 0.5)
    assert set(by_epoch["metric"]) == {"loss"}  # no accuracy columns in the epoch rows
    np.testing.assert_allclose(by_epoch[by_epoch["split"] == "train"]["smoothed"], [3.0, 2 + 1 / 3])


# --------------------------------------------------------------------------- run files


def _run(tmp_path, text: str, steps: str | None = None):
    (tmp_path / runs.HISTORY).write_text(text, encoding="utf-8")
    if steps is not None:
        (tmp_path / runs.STEPS).write_text(steps, encoding="utf-8")
    return tmp_path


def test_run_history_drops_a_half_written_last_line(tmp_path):
    frame = history.read_history(_run(tmp_path, HEADER + ROWS + "4,0.9,1.4,0.6"))
    assert frame["epoch"].tolist() == [1, 2, 3]
    assert frame["val_accuracy"].tolist() == [0.25, 0.35, 0.45]


def test_run_history_being_rewritten_reads_as_no_epochs(tmp_path):
    assert history.read_history(_run(tmp_path, "epoch,loss,val_lo")).empty
    assert history.read_history(_run(tmp_path, "")).empty
    assert history.read_history(_run(tmp_path, HEADER)).empty


def test_run_history_broken_inside_names_row_and_column(tmp_path):
    with pytest.raises(HistoryError, match="Row 2 .*`val_loss`.*“oops”"):
        history.read_history(_run(tmp_path, HEADER + "1,3,3.5,0.2,0.2,0.001,60\n2,2,oops,0.4,0.3,0.001,120\n"))


def test_missing_history_names_the_file(tmp_path):
    with pytest.raises(HistoryError, match="history.csv"):
        history.read_history(tmp_path)


def test_resumed_run_keeps_the_last_row_of_an_epoch(tmp_path):
    frame = history.read_history(_run(tmp_path, HEADER + ROWS + "2,1.9,2.4,0.41,0.36,0.001,130\n"))
    assert frame["epoch"].tolist() == [1, 2, 3] and frame["loss"].tolist() == [3.0, 1.9, 1.0]


def test_read_run_with_a_growing_step_log(tmp_path):
    steps = "step,epoch,loss,accuracy\n1,1,4.0,0.1\n2,1,3.0,0.2\n3,2,2.5,0.3\n4,2,2.0,0.4\n5,3,1.9"
    curves = history.read_run(_run(tmp_path, HEADER + ROWS, steps))
    assert curves.steps["step"].tolist() == [1, 2, 3, 4]
    assert curves.steps_per_epoch == 2.0
    assert len(curves.epochs) == 3


# --------------------------------------------------------------------------- uploads


def _code(data: bytes) -> str:
    with pytest.raises(HistoryError) as e:
        history.validate_upload(data)
    assert str(e.value)  # an English message for callers without a catalogue
    return e.value.code


def test_a_good_upload_reads_its_known_columns():
    frame = history.validate_upload(b"epoch,loss,notes\n1,2.5,first\n2,2.0,\n")
    assert list(frame.columns) == ["epoch", "loss"]
    assert frame["loss"].tolist() == [2.5, 2.0]
    assert history.validate_upload(b"\xef\xbb\xbfepoch,val_accuracy\n1,0.5")["val_accuracy"].tolist() == [0.5]


def test_each_bad_upload_says_what_is_wrong():
    assert _code(b"") == "empty"
    assert _code(b"  \n\n") == "empty"
    assert _code("epoch,loss\n1,2\n".encode("utf-16")) == "not_utf8"
    assert _code(b"step,loss\n1,2\n") == "columns"
    assert _code(b"epoch,learning_rate\n1,0.1\n") == "columns"  # no metric column
    assert _code(b"epoch,loss\n") == "no_rows"
    assert _code(b"epoch,loss\n1,2,3\n") == "fields"
    assert _code(b"epoch,loss\n,2\n") == "no_epoch"
    assert _code(b"epoch,loss\n" + b"1,2\n" * (history.MAX_ROWS + 1)) == "too_many_rows"
    assert _code(b"epoch,loss\n" + b"1," + b"0" * history.MAX_UPLOAD_BYTES + b"\n") == "too_large"


def test_a_non_numeric_upload_value_names_row_and_column():
    with pytest.raises(HistoryError) as e:
        history.validate_upload(b"epoch,loss,val_loss\n1,2.0,2.1\n2,1.5,high\n")
    assert e.value.code == "not_number"
    assert e.value.values == {"row": 2, "line": 3, "column": "val_loss", "value": "high"}


# --------------------------------------------------------------------------- TensorBoard


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """A run folder with TensorBoard events as Keras writes them: 2 epochs, 10 steps each."""
    import tensorflow as tf

    folder = tmp_path_factory.mktemp("board")
    values = {"train": {"epoch_loss": [2.0, 1.5], "epoch_masked_accuracy": [0.3, 0.5], "epoch_learning_rate": [1e-3, 1e-3]},
              "validation": {"epoch_loss": [2.2, 1.8], "epoch_masked_accuracy": [0.25, 0.4]}}  # fmt: skip
    for split, tags in values.items():
        writer = tf.summary.create_file_writer(str(folder / runs.TENSORBOARD / split))
        with writer.as_default():
            for epoch in range(2):
                if split == "validation":
                    tf.summary.scalar("evaluation_loss_vs_iterations", tags["epoch_loss"][epoch], step=10 * (epoch + 1))
                for tag, series in tags.items():
                    tf.summary.scalar(tag, series[epoch], step=epoch)
        writer.close()
    return folder


def test_tensorboard_events_give_epoch_rows_and_steps_per_epoch(board):
    curves = history.read_run(board, "tensorboard")
    frame = curves.epochs
    assert frame["epoch"].tolist() == [1, 2]
    np.testing.assert_allclose(frame["loss"], [2.0, 1.5])
    np.testing.assert_allclose(frame["val_loss"], [2.2, 1.8])
    np.testing.assert_allclose(frame["accuracy"], [0.3, 0.5])
    np.testing.assert_allclose(frame["val_accuracy"], [0.25, 0.4])
    assert (frame["wall_time"] >= 0).all()
    assert curves.steps_per_epoch == 10.0
    long = history.long_form(curves, "r", ["loss"], "step", 0.0)
    assert long[long["split"] == "validation"]["step"].tolist() == [10.0, 20.0]


def test_tensorboard_file_being_written_is_read_up_to_its_last_whole_record(board, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(board, copy)
    (file,) = (copy / runs.TENSORBOARD / "train").glob("events.out.tfevents.*")
    with file.open("ab") as f:
        f.write(struct.pack("<Q", 500) + b"\0" * 20)  # a record whose body has not arrived yet
    assert history.read_run(copy, "tensorboard").epochs["loss"].tolist() == [2.0, 1.5]


def test_simple_value_summaries_are_read_too(tmp_path):
    from tensorboard.compat.proto import event_pb2

    folder = tmp_path / runs.TENSORBOARD / "train"
    folder.mkdir(parents=True)
    with (folder / "events.out.tfevents.1.host").open("wb") as f:
        for step, loss in enumerate([0.9, 0.7]):
            event = event_pb2.Event(wall_time=100.0 + step, step=step)
            event.summary.value.add(tag="epoch_loss", simple_value=loss)
            record = event.SerializeToString()
            f.write(struct.pack("<Q", len(record)) + b"\0" * 4 + record + b"\0" * 4)
    frame = history.read_tensorboard(tmp_path).epochs
    np.testing.assert_allclose(frame["loss"], [0.9, 0.7])
    assert frame["wall_time"].tolist() == [0.0, 1.0]


def test_a_run_without_events_says_so(tmp_path):
    with pytest.raises(HistoryError) as e:
        history.read_run(tmp_path, "tensorboard")
    assert e.value.code == "no_events"


def test_shipped_model_curves_agree_between_sources():
    folder = runs.PROJECT_ROOT / "assets" / "additive"
    if not (folder / runs.TENSORBOARD).is_dir():
        pytest.skip("the shipped model has no TensorBoard events")
    csv, board = history.read_run(folder), history.read_run(folder, "tensorboard")
    np.testing.assert_allclose(csv.epochs["val_loss"], board.epochs["val_loss"], rtol=1e-6)
    assert abs(csv.steps_per_epoch - board.steps_per_epoch) <= 2


def test_wall_time_leaves_out_the_idle_gap_before_a_resumed_run(tmp_path):
    from tensorboard.compat.proto import event_pb2

    folder = tmp_path / runs.TENSORBOARD / "train"
    folder.mkdir(parents=True)
    sessions = {"1": [(0, 100.0, 1000.0), (1, 2000.0, 0.9)], "2": [(2, 90_000.0, 0.8), (3, 91_000.0, 0.7)]}
    for name, events in sessions.items():  # stopped after epoch 2, resumed a day later
        with (folder / f"events.out.tfevents.{name}.host").open("wb") as f:
            start = event_pb2.Event(wall_time=events[0][1] - 100.0, file_version="brain.Event:2")
            for event in [start, *(_loss_event(event_pb2, *e) for e in events)]:
                record = event.SerializeToString()
                f.write(struct.pack("<Q", len(record)) + b"\0" * 4 + record + b"\0" * 4)
    frame = history.read_tensorboard(tmp_path).epochs
    # session 1 ran 0..2000 s; session 2 starts at 89,900 and counts from 2000 s of training on
    assert frame["wall_time"].tolist() == [100.0, 2000.0, 2100.0, 3100.0]
    np.testing.assert_allclose(history.training_clock([(0, 10), (5, 20), (50, 60)])(55), 25.0)


def _loss_event(event_pb2, step: int, wall_time: float, loss: float):
    event = event_pb2.Event(wall_time=wall_time, step=step)
    event.summary.value.add(tag="epoch_loss", simple_value=loss)
    return event
