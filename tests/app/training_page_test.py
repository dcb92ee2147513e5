"""The Training curves page: the shipped model, overlaid runs, a broken run, uploads and links.

Besides the shipped model, small run folders are written by hand into a temporary folder that
the app is pointed at through ``$ATTENTION_LAB_MODEL_DIRS``. The page only reads their logs, so
their weights file is a placeholder.
"""

from __future__ import annotations

import json

import pytest

from core import runs
from tests.app.conftest import APP, charts, open_app
from ui.text import escape_markdown

PAGE = "app_pages/training.py"
HEADER = "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,wall_time\n"


def _domain(chart, channel: str = "color") -> list[str]:
    spec = json.loads(chart.proto.spec)
    return spec["layer"][-1]["encoding"][channel]["scale"]["domain"]


def _layers(chart) -> int:
    return len(json.loads(chart.proto.spec)["layer"])


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


# --------------------------------------------------------------------------- shipped model


@pytest.fixture
def training(app):
    at = app.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_curves_summary_and_table_of_the_shipped_model(training):
    at = training
    assert [t.value for t in at.title] == ["Training curves"]
    assert at.multiselect(key="training_runs").value == ["assets/additive"]
    assert len(charts(at)) == 2  # loss and accuracy
    assert all(_domain(c) == ["assets/additive"] for c in charts(at))
    assert {m.label for m in at.metric} == {"Epochs", "Validation loss", "Validation accuracy", "Training time"}
    table = at.dataframe[0].value
    assert {"epoch", "loss", "val_loss", "accuracy", "val_accuracy"} <= set(table.columns)
    assert len(table) >= 1
    assert not at.warning and not at.error


def test_views_of_the_shipped_model(training):
    at = training
    at.radio(key="training_metric").set_value("loss").run()
    assert len(charts(at)) == 1 and _layers(charts(at)[0]) == 1
    at.slider(key="training_smooth").set_value(0.6).run()
    assert not at.exception, at.exception
    assert _layers(charts(at)[0]) == 2  # the faint raw curve behind the smoothed one
    assert any("faint" in c.value for c in at.caption)
    for x in ("step", "wall_time"):
        at.radio(key="training_x").set_value(x).run()
        assert not at.exception, at.exception
        assert len(charts(at)) == 1 and not at.info, [i.value for i in at.info]
    at.toggle(key="training_log").set_value(True).run()
    at.radio(key="training_source").set_value("tensorboard").run()
    assert not at.exception, at.exception
    assert len(charts(at)) == 1 and not at.warning
    assert json.loads(charts(at)[0].proto.spec)["layer"][-1]["encoding"]["y"]["scale"]["type"] == "log"
    assert dict(at.query_params) == {
        "runs": "assets/additive", "metric": "loss", "x": "wall_time", "smooth": "60", "log": "1",
        "source": "tensorboard", "model": "assets/additive",
    }  # fmt: skip


def test_uploads_join_the_overlay_and_bad_ones_are_explained(training):
    at = training
    good = HEADER + "1,3.0,3.2,0.2,0.2,0.001,60\n2,2.0,2.4,0.4,0.3,0.001,120\n"
    bad_name = "my *bold* [run].csv"
    at.file_uploader(key="training_upload").set_value(
        [("mine.csv", good.encode(), "text/csv"), (bad_name, b"epoch,loss\n1,2.0\n2,lots\n", "text/csv")]
    ).run()
    assert not at.exception, at.exception
    assert [_domain(c) for c in charts(at)] == [["assets/additive", "upload: mine.csv"]] * 2
    (error,) = [e.value for e in at.error]
    assert escape_markdown(bad_name) in error
    assert "row 2 (line 3)" in error and "“loss”" in error and "lots" in error
    at.file_uploader(key="training_upload").set_value(("empty.csv", b"", "text/csv")).run()
    assert [e.value for e in at.error] == [
        f"The file {escape_markdown('empty.csv')} cannot be used: the file is empty."
    ]


# --------------------------------------------------------------------------- hand-made runs


def _write_run(folder, history: str | None, steps: str | None = None) -> None:
    import h5py

    from core.models.config import ModelConfig

    folder.mkdir(parents=True)
    runs.write_config(folder / runs.CONFIG, ModelConfig(src_vocab_size=5, tgt_vocab_size=5))
    with h5py.File(
        folder / runs.WEIGHTS, "w"
    ) as f:  # placeholders the model list accepts: the page reads the logs only
        f.create_group("layers")
    for name in (runs.SRC_VOCAB, runs.TGT_VOCAB):
        (folder / name).write_text("\n[UNK]\n[START]\n[END]\nword\n", encoding="utf-8")
    if history is not None:
        (folder / runs.HISTORY).write_text(history, encoding="utf-8")
    if steps is not None:
        (folder / runs.STEPS).write_text(steps, encoding="utf-8")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("training") / "lab"
    rows = "1,3.0,3.2,0.2,0.2,0.001,60\n2,2.0,2.4,0.4,0.3,0.001,120\n3,1.5,2.0,0.5,0.35,0.001,180\n"
    steps = "step,epoch,loss,accuracy\n" + "".join(
        f"{s},{(s - 1) // 4 + 1},{4 - s / 6},{s / 20}\n" for s in range(1, 13)
    )
    _write_run(root / "run-a", HEADER + rows, steps)
    _write_run(root / "run-b", HEADER + rows + "4,1.2,1.9,0.55,0.36,0.001,2")  # epoch 4 half written
    _write_run(
        root / "run-broken",
        HEADER + "1,3.0,3.2,0.2,0.2,0.001,60\n2,2.0,x,0.4,0.3,0.001,120\n3,1.5,2.0,0.5,0.35,0.001,180\n",
    )
    _write_run(root / "run-empty", None)
    return root


def _open(model_dir, monkeypatch, query: dict[str, str] | None = None):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.models import get_translator

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(model_dir))
    st.cache_data.clear()
    get_translator.clear()  # no failed load remembered from the test before
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()  # Translate first, as a class arrives: it tries the picked folder as a model, which fails
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def lab(model_dir, monkeypatch):
    import streamlit as st

    yield lambda query=None: _open(model_dir, monkeypatch, query)
    st.cache_data.clear()


def test_two_runs_overlay_and_a_broken_one_is_named(lab):
    at = lab()
    assert at.multiselect(key="training_runs").options == ["lab/run-a", "lab/run-b", "lab/run-broken", "lab/run-empty"]
    at.multiselect(key="training_runs").set_value(["lab/run-a", "lab/run-broken", "lab/run-b", "lab/run-empty"]).run()
    assert not at.exception, at.exception
    # Translate tried the first folder as a model and failed (its weights are a placeholder): it
    # cannot translate, yet its curves are listed and drawn, with the reason under the picker
    assert any(escape_markdown("lab/run-a") in c.value and "cannot translate" in c.value for c in at.caption)
    assert [_domain(c) for c in charts(at)] == [["lab/run-a", "lab/run-b"]] * 2
    assert _domain(charts(at)[0], "strokeDash") == ["training", "validation"]
    warnings = _warnings(at)
    assert len(warnings) == 2
    assert escape_markdown("lab/run-broken") in warnings[0] and "“val\\_loss”" in warnings[0]
    assert escape_markdown("lab/run-empty") in warnings[1] and escape_markdown(runs.HISTORY) in warnings[1]
    # by step: run-a has a step log (4 steps per epoch), run-b has none and is left out with a note
    at.radio(key="training_x").set_value("step").run()
    assert [_domain(c) for c in charts(at)] == [["lab/run-a"]] * 2
    assert any(escape_markdown("lab/run-b") in i.value for i in at.info)


def test_a_link_restores_the_view_and_refuses_unknown_runs(lab):
    at = lab({"runs": "lab/run-b,lab/nope,lab/run-a", "metric": "accuracy", "x": "wall_time", "smooth": "35",
              "log": "1", "source": "history"})  # fmt: skip
    assert at.multiselect(key="training_runs").value == ["lab/run-b", "lab/run-a"]
    assert at.radio(key="training_metric").value == "accuracy"
    assert at.radio(key="training_x").value == "wall_time"
    assert at.slider(key="training_smooth").value == pytest.approx(0.35)
    assert at.toggle(key="training_log").value is True
    (warning,) = _warnings(at)
    assert "runs" in warning and escape_markdown("lab/nope") in warning
    (chart,) = charts(at)
    assert _domain(chart) == ["lab/run-b", "lab/run-a"]
    assert at.query_params["runs"] == "lab/run-b,lab/run-a"


def test_a_link_with_bad_values_keeps_the_defaults(lab):
    at = lab({"metric": "bleu", "x": "hours", "smooth": "100", "log": "yes"})
    assert at.radio(key="training_metric").value == "both"
    assert at.radio(key="training_x").value == "epoch"
    assert at.slider(key="training_smooth").value == 0.0
    assert at.toggle(key="training_log").value is False
    assert len(_warnings(at)) == 4
    assert len(charts(at)) == 2


def test_shipped_app_link(monkeypatch):
    at = open_app({"runs": "assets/additive", "x": "step"})
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.radio(key="training_x").value == "step"


def test_every_message_of_the_page_is_in_both_catalogues():
    import re
    from pathlib import Path

    from core.runs.history import MESSAGES
    from ui.i18n import catalogue

    source = Path(__file__).resolve().parents[2].joinpath(PAGE).read_text(encoding="utf-8")
    keys = set(re.findall(r't\("(training\.[a-z_]+)"', source)) | {f"training.err_{code}" for code in MESSAGES}
    for lang in ("en", "zh"):
        missing = sorted(keys - set(catalogue(lang)))
        assert not missing, f"{lang} lacks {missing}"
        for code, english in MESSAGES.items():  # the same placeholders as the English message in core
            assert set(re.findall(r"{(\w+)}", catalogue(lang)[f"training.err_{code}"])) == set(
                re.findall(r"{(\w+)}", english)
            )


def test_page_in_chinese(training):
    at = training
    at.session_state["app_lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["训练曲线"]
    assert len(charts(at)) == 2
    assert _domain(charts(at)[0], "strokeDash") == ["训练", "验证"]
