"""The Compare page on hand-made tiny run folders: shared colour scale, one broken model among working ones.

The models are built and saved untrained (no training needed): only the page's wiring is tested.
"""

from __future__ import annotations

import json

import pytest

from core import runs
from tests.app.conftest import APP, charts
from ui.text import escape_markdown

PAGE = "app_pages/compare.py"
SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "."]
TGT = ["tengo", "frío", "calor", "ella", "es", "alta", "."]
ARCHS = {"tiny-additive": "additive", "tiny-transformer": "transformer"}


def _write_run(folder, arch: str, metrics: dict | None = None) -> None:
    import keras

    from core.models import build_model
    from core.models.config import ModelConfig
    from core.text.vocab import SPECIALS, Vocabulary

    folder.mkdir(parents=True)
    config = ModelConfig(
        arch=arch, src_vocab_size=len(SRC) + 4, tgt_vocab_size=len(TGT) + 4, max_decode_len=6, dropout=0.0,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8,
        num_layers=2, num_heads=2, d_model=8, ff_dim=16,
    )  # fmt: skip
    keras.utils.set_random_seed(3)
    build_model(config).save_weights(folder / runs.WEIGHTS)
    runs.write_config(folder / runs.CONFIG, config)
    runs.write_vocab(folder / runs.SRC_VOCAB, Vocabulary([*SPECIALS, *SRC]))
    runs.write_vocab(folder / runs.TGT_VOCAB, Vocabulary([*SPECIALS, *TGT]))
    runs.write_history(folder, [{"epoch": 1, "loss": 2.0, "val_loss": 2.1, "wall_time": 1.0}])
    if metrics is not None:
        (folder / runs.METRICS).write_text(json.dumps(metrics), encoding="utf-8")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare") / "lab"
    _write_run(root / "tiny-additive", "additive", {"bleu": 12.3, "chrf": 34.5})
    _write_run(root / "tiny-transformer", "transformer")
    _write_run(root / "tiny-local-p", "local-p")
    # complete on disk and its weights a readable HDF5 file, so listed as usable, but they do not fit the model
    import h5py

    _write_run(root / "tiny-corrupt", "dot")
    with h5py.File(root / "tiny-corrupt" / runs.WEIGHTS, "w") as f:
        f.create_group("layers")
    # config.json without weights: reported as unusable
    _write_run(root / "tiny-broken", "additive")
    (root / "tiny-broken" / runs.WEIGHTS).unlink()
    return root


@pytest.fixture
def compare(model_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.models import get_translator

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(model_dir))
    st.cache_data.clear()
    get_translator.clear()  # each test meets the folders afresh: no failed load remembered from the one before
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    yield at
    st.cache_data.clear()


def _submit(at, models: list[str], sentence: str = "I am cold."):
    at.text_area(key="compare_sentence").input(sentence)
    at.multiselect(key="compare_models").set_value(models)
    at.button(key="FormSubmitter:compare_form-Compare").click().run()
    assert not at.exception, at.exception
    return at


def _colour_domain(chart) -> list[float]:
    return json.loads(chart.proto.spec)["layer"][0]["encoding"]["color"]["scale"]["domain"]


def test_lists_usable_models_and_reports_broken(compare):
    at = compare
    names = at.multiselect(key="compare_models").options
    assert names == ["lab/tiny-additive", "lab/tiny-corrupt", "lab/tiny-local-p", "lab/tiny-transformer"]
    assert at.multiselect(key="compare_models").value == names[:3]  # up to three by default
    name, missing = escape_markdown("lab/tiny-broken"), escape_markdown(runs.WEIGHTS)
    assert any(name in w.value and missing in w.value for w in at.warning)


@pytest.mark.slow
def test_two_models_share_one_colour_scale(compare):
    at = _submit(compare, ["lab/tiny-additive", "lab/tiny-transformer"])
    assert [h.value for h in at.subheader] == ["lab/tiny-additive", "lab/tiny-transformer"]
    assert any(c.value.startswith("BLEU 12.3 · chrF 34.5 · ") for c in at.caption)  # scores, then the architecture
    assert any("mean of the heads" in c.value for c in at.caption)
    heatmaps = charts(at)
    assert len(heatmaps) == 2, "each model draws its heatmap (the tiny models write non-empty outputs)"
    first, second = (_colour_domain(c) for c in heatmaps)
    assert first == second and 0 < first[1] <= 1
    at.radio(key="compare_scale").set_value("unit").run()
    assert not at.exception
    assert [_colour_domain(c) for c in charts(at)] == [[0, 1.0], [0, 1.0]]


@pytest.mark.slow
def test_a_model_that_fails_to_load_keeps_to_its_column(compare):
    # The first visit compares the first three listed models; the corrupt one fails while loading.
    at = compare
    picked = ["lab/tiny-additive", "lab/tiny-corrupt", "lab/tiny-local-p"]
    assert [h.value for h in at.subheader] == picked
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "could not translate" in errors[0]
    model_columns = [c for c in at.columns if c.subheader]  # download buttons sit in nested columns
    assert [c.subheader[0].value for c in model_columns] == picked
    assert model_columns[1].error  # the error sits in the broken model's own column
    for i in (0, 2):
        col = model_columns[i]
        assert not col.error
        assert col.get("vega_lite_chart") or any("empty" in m.value for m in col.markdown)
    # From then on the failed load is remembered: listed as unusable, with its reason, and not offered.
    at = _submit(at, ["lab/tiny-additive", "lab/tiny-transformer"])
    assert "lab/tiny-corrupt" not in at.multiselect(key="compare_models").options
    assert any(escape_markdown("lab/tiny-corrupt") in w.value and "does not fit" in w.value for w in at.warning)
    assert [h.value for h in at.subheader] == ["lab/tiny-additive", "lab/tiny-transformer"]


def test_local_p_shows_its_window_centres(compare):
    at = _submit(compare, ["lab/tiny-local-p"])
    (chart,) = charts(at)
    assert "predicted centre p" in chart.proto.spec
    assert any("window centres" in c.value for c in at.caption)


def test_empty_sentence_and_no_model_are_messages(compare):
    at = _submit(compare, ["lab/tiny-additive"], sentence="   ")
    assert any("Type an English sentence" in i.value for i in at.info)
    at = _submit(at, [])
    assert any("at least one model" in i.value for i in at.info)
    assert not charts(at)


def test_link_reopens_the_comparison_and_refuses_unknown_models(model_dir, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.models import get_translator

    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(model_dir))
    st.cache_data.clear()
    get_translator.clear()  # each test meets the folders afresh: no failed load remembered from the one before
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    at.query_params["text"] = "I am cold."
    at.query_params["models"] = "lab/tiny-additive,../../etc,lab/tiny-local-p"
    at.query_params["scale"] = "unit"
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="compare_models").value == ["lab/tiny-additive", "lab/tiny-local-p"]
    assert any("../../etc" in w.value.replace("\\", "") for w in at.warning)
    assert len(at.get("vega_lite_chart")) == 2
    assert _colour_domain(at.get("vega_lite_chart")[0]) == [0, 1.0]
    st.cache_data.clear()
