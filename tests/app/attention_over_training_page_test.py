"""The Attention-over-training page: probe heatmaps per epoch, Play, sharpness, runs without probes.

Besides the shipped model, tiny run folders are written by hand (a real tiny model's config,
vocabularies and weights; probe files with made-up attention) into a temporary folder that
the app is pointed at through ``$ATTENTION_LAB_MODEL_DIRS``.
"""

from __future__ import annotations

import json
import time

import pytest

from core import runs
from tests.app.conftest import APP, charts

PAGE = "app_pages/attention_over_training.py"
COLD = "I am cold."
TALL = "Tom is tall."
# per epoch: the probe of COLD (target tokens, attention) and of TALL (with an unknown word)
EPOCHS = {
    1: ([], []),
    2: (["tengo", "tengo"], [[0.25, 0.25, 0.25, 0.25], [0.3, 0.3, 0.2, 0.2]]),
    3: (["tengo", "frío", "."], [[0.1, 0.8, 0.05, 0.05], [0.0, 0.05, 0.9, 0.05], [0.0, 0.0, 0.1, 0.9]]),
}


def _heatmaps(at):
    return [c for c in charts(at) if "output (Spanish)" in c.proto.spec]


def _write_run(folder, tiny_config, probes: bool, corrupt: bool = False) -> None:
    from core.models import build_model
    from core.text import tokenize
    from core.text.vocab import Vocabulary
    from tests.conftest import TINY_PAIRS

    folder.mkdir(parents=True)
    src = Vocabulary.adapt([tokenize(en) for en, _ in TINY_PAIRS], 30)
    tgt = Vocabulary.adapt([tokenize(es) for _, es in TINY_PAIRS], 40)
    config = tiny_config(len(src), len(tgt))
    runs.write_config(folder / runs.CONFIG, config)
    runs.write_vocab(folder / runs.SRC_VOCAB, src)
    runs.write_vocab(folder / runs.TGT_VOCAB, tgt)
    build_model(config).save_weights(str(folder / runs.WEIGHTS))
    if not probes:
        return
    (folder / runs.PROBES).mkdir()
    for epoch, (target, attention) in EPOCHS.items():
        payload = {
            "epoch": epoch,
            "probes": [
                {"source": COLD, "source_tokens": ["i", "am", "cold", "."], "target_tokens": target,
                 "unknown": [False] * 4, "attention": attention},
                {"source": TALL, "source_tokens": ["tom", "is", "tall", "."], "target_tokens": ["tom", "es"],
                 "unknown": [False, False, True, False], "attention": [[0.7, 0.1, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1]]},
            ],
        }  # fmt: skip
        runs.probe_file(folder, epoch).write_text(json.dumps(payload), encoding="utf-8")
    if corrupt:  # a run still training may be half-way through writing the next file
        runs.probe_file(folder, 4).write_text('{"epoch": 4, "probes": [', encoding="utf-8")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from tests.conftest import _tiny_config

    root = tmp_path_factory.mktemp("probe_models")
    _write_run(root / "with-probes", _tiny_config, probes=True)
    _write_run(root / "no-probes", _tiny_config, probes=False)
    _write_run(root / "half-written", _tiny_config, probes=True, corrupt=True)
    return root


@pytest.fixture
def open_page(model_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(model_dir))
    st.cache_data.clear()

    def open_model(name: str, query: dict[str, str] | None = None, **state):
        """The page on the run ``name``; with ``query``, opened straight from such a link."""
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["sidebar_model"] = f"{model_dir.name}/{name}"
        for key, value in state.items():
            at.session_state[key] = value
        if query is None:
            at.run()
        at.switch_page(PAGE)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    yield open_model
    st.cache_data.clear()


def _param(at, name: str) -> str:
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


def test_shipped_model_renders(app):
    at = app.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Attention over training"]
    epochs = runs.probe_epochs(runs.PROJECT_ROOT / "assets" / "additive")
    slider = at.select_slider(key="attention_over_training_epoch")
    assert [int(o) for o in slider.options] == epochs and slider.value == epochs[-1]
    assert len(at.selectbox(key="attention_over_training_sentence").options) >= 1
    assert len(charts(at)) >= 1


def test_epoch_slider_changes_heatmap_and_translation(open_page):
    at = open_page("with-probes")
    slider = at.select_slider(key="attention_over_training_epoch")
    assert slider.value == 3  # the last epoch first
    assert any(m.value.startswith("#### Epoch 3 of 3: Tengo frío") for m in at.markdown)
    last = _heatmaps(at)[0].proto.spec
    slider.set_value(2).run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("#### Epoch 2 of 3:") for m in at.markdown)
    assert _heatmaps(at)[0].proto.spec != last
    assert len(at.get("download_button")) == 3  # PNG, SVG, CSV of the shown epoch


def test_same_colour_scale_every_epoch(open_page):
    at = open_page("with-probes")
    domains = []
    for epoch in (2, 3):
        at.select_slider(key="attention_over_training_epoch").set_value(epoch).run()
        spec = json.loads(_heatmaps(at)[0].proto.spec)
        domains.append(json.dumps(spec).split('"domain": ')[1][:10])
    assert domains[0] == domains[1] and domains[0].startswith("[0, 1")


def test_epoch_without_words_says_so(open_page):
    at = open_page("with-probes")
    at.select_slider(key="attention_over_training_epoch").set_value(1).run()
    assert not at.exception, at.exception
    assert any("nothing: the model wrote no word yet" in m.value for m in at.markdown)
    assert not _heatmaps(at)
    assert not at.get("download_button")
    assert len(charts(at)) == 1  # the sharpness chart still shows the other epochs


def test_play_steps_through_and_ends(open_page):
    at = open_page("with-probes")
    at.select_slider(key="attention_over_training_epoch").set_value(1).run()
    start = time.monotonic()
    at.button(key="attention_over_training_play").click().run()
    assert time.monotonic() - start < 30
    assert not at.exception, at.exception
    assert at.select_slider(key="attention_over_training_epoch").value == 3  # it ends on the last epoch
    assert any(m.value.startswith("#### Epoch 3 of 3") for m in at.markdown)
    assert "attention_over_training_playing" not in at.session_state
    at.run()  # a later rerun does not play again
    assert not at.exception


def test_sentence_choice_and_unknown_words(open_page):
    at = open_page("with-probes")
    at.selectbox(key="attention_over_training_sentence").set_value(TALL).run()
    assert not at.exception, at.exception
    assert any("tall" in c.value and "vocabulary" in c.value for c in at.caption)
    assert "tall [UNK]" in _heatmaps(at)[0].proto.spec
    table = at.dataframe[0].value
    assert list(table["epoch"]) == [1, 2, 3]
    assert {"translation", "peak", "focus"} <= set(table.columns)


def test_sharpness_grows_in_the_table(open_page):
    at = open_page("with-probes")
    table = at.dataframe[0].value.set_index("epoch")
    assert table.loc[3, "peak"] > table.loc[2, "peak"]
    assert table.loc[3, "focus"] > table.loc[2, "focus"]


def test_run_without_probes_shows_info(open_page):
    at = open_page("no-probes")
    assert [t.value for t in at.title] == ["Attention over training"]
    assert any("no saved probe attention" in i.value for i in at.info)
    assert not charts(at)


def test_half_written_probe_file_is_skipped(open_page):
    at = open_page("half-written")
    assert any("could not be read" in w.value for w in at.warning)
    assert [int(o) for o in at.select_slider(key="attention_over_training_epoch").options] == [1, 2, 3]
    assert _heatmaps(at)


def test_chinese_page(open_page):
    at = open_page("with-probes", app_lang="zh")
    assert [t.value for t in at.title] == ["训练中的注意力"]
    assert any(m.value.startswith("#### 第 3 轮（共 3 轮）：Tengo frío") for m in at.markdown)
    assert at.select_slider(key="attention_over_training_epoch").label == "轮次"
    assert at.selectbox(key="attention_over_training_sentence").label == "探针句子"
    assert at.button(key="attention_over_training_play").label == "播放"
    assert at.subheader[0].value == "注意力变得有多集中"
    assert list(at.dataframe[0].value.columns) == ["轮次", "译文", "输出词元数", "峰值", "集中度"]
    specs = [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in charts(at)]
    assert any("输出（西班牙语）" in s for s in specs)  # the heatmap's axis titles
    assert any("峰值权重" in s and "锐度" in s for s in specs)  # the sharpness chart's legend and axis
    at.select_slider(key="attention_over_training_epoch").set_value(1).run()
    assert any("模型还没写出任何词" in m.value for m in at.markdown)


def test_english_by_default(open_page):
    at = open_page("with-probes")
    assert at.select_slider(key="attention_over_training_epoch").label == "Epoch"
    assert list(at.dataframe[0].value.columns) == ["epoch", "translation", "output tokens", "peak", "focus"]
    assert [d.label for d in at.get("download_button")] == ["PNG", "SVG", "Matrix (CSV)"]


def test_presentation_mode_enlarges_the_heatmap(open_page):
    plain = json.loads(_heatmaps(open_page("with-probes"))[0].proto.spec)
    presented = json.loads(_heatmaps(open_page("with-probes", app_present=True))[0].proto.spec)
    assert '"scheme": "blues"' in json.dumps(presented) and '"scheme": "blues"' not in json.dumps(plain)
    assert presented["width"]["step"] > plain["width"]["step"]


def test_link_restores_epoch_and_probe(open_page):
    at = open_page("with-probes", {"epoch": "2", "probe": "1"})
    assert not at.warning
    assert at.select_slider(key="attention_over_training_epoch").value == 2
    assert at.selectbox(key="attention_over_training_sentence").value == TALL
    assert any(m.value.startswith("#### Epoch 2 of 3: Tom es") for m in at.markdown)
    at.select_slider(key="attention_over_training_epoch").set_value(3).run()  # the address bar follows the view
    assert (_param(at, "epoch"), _param(at, "probe")) == ("3", "1")
    assert at.select_slider(key="attention_over_training_epoch").value == 3  # the link is read once


def test_link_publishes_the_default_view(open_page):
    at = open_page("with-probes")
    assert (_param(at, "epoch"), _param(at, "probe")) == ("3", "0")


@pytest.mark.parametrize(
    ("param", "value"),
    [("epoch", "99999"), ("epoch", "0"), ("epoch", "two"), ("epoch", "-1"), ("probe", "2"), ("probe", "../../etc")],
)
def test_bad_link_values_are_refused(open_page, param, value):
    at = open_page("with-probes", {param: value})
    assert any(f"`{param}`" in w.value for w in at.warning)
    assert at.select_slider(key="attention_over_training_epoch").value == 3
    assert at.selectbox(key="attention_over_training_sentence").value == COLD
    assert _heatmaps(at)
    assert (_param(at, "epoch"), _param(at, "probe")) == ("3", "0")  # the refused value is replaced


def test_epoch_missing_from_the_run_is_refused(open_page):
    at = open_page("half-written", {"epoch": "4"})  # epoch 4's file is unreadable: not one of its epochs
    assert any("`epoch`" in w.value for w in at.warning)
    assert at.select_slider(key="attention_over_training_epoch").value == 3
