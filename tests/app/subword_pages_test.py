"""Every page with a heatmap, on tiny subword models: the pieces/words switch, and axes that follow it.

One AppTest per page, many checks per run: at the words level no axis holds a piece (no ``▁``,
written ``\\u2581`` in a chart's spec), at the pieces level the subword heatmaps do; the choice is
one key, ``app_level``, that follows the class from page to page.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import runs
from tests.app.conftest import charts, open_app, submit_form
from tests.app.tiny_models import use_model_dirs, write_tiny_run, write_tiny_subword_run

SUBWORD, SUBWORD_TF, WORDS = "lab/tiny-subword", "lab/tiny-subword-tf", "lab/tiny-words"
SENTENCE = "Okonkwo reads a book."
KEY = "app_level"
PROBE_EPOCHS = (1, 2)


def _tokenizer(folder):
    from core.text.subword import SubwordTokenizer

    return SubwordTokenizer((folder / runs.TOKENIZER).read_bytes())


def _write_probes(folder) -> None:
    """Probe files of made-up attention between the pieces of one sentence (rows sum to 1)."""
    tok = _tokenizer(folder)
    source, target = tok.split(SENTENCE), tok.split("Okonkwo lee un libro.")
    rng = np.random.default_rng(0)
    (folder / runs.PROBES).mkdir()
    for epoch in PROBE_EPOCHS:
        m = rng.random((len(target), len(source)))
        probe = {"source": SENTENCE, "source_tokens": source, "target_tokens": target,
                 "unknown": [False] * len(source), "attention": (m / m.sum(1, keepdims=True)).tolist()}  # fmt: skip
        runs.probe_file(folder, epoch).write_text(json.dumps({"epoch": epoch, "probes": [probe]}), encoding="utf-8")


@pytest.fixture(scope="module")
def subword_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("subword") / "lab"
    write_tiny_subword_run(root / "tiny-subword")
    write_tiny_subword_run(root / "tiny-subword-tf", arch="transformer")
    write_tiny_run(root / "tiny-words", "additive")
    _write_probes(root / "tiny-subword")
    return root


@pytest.fixture
def lab(subword_root, monkeypatch):
    use_model_dirs(monkeypatch, subword_root)
    return subword_root


def _spec(chart) -> str:
    """A chart's spec and data as text: labels sit in the spec's axes or in the data (a grid's tooltips)."""
    data = " ".join(d.data.data.decode("utf-8", "ignore") for d in chart.proto.datasets)
    return json.dumps(json.loads(chart.proto.spec)) + data.replace("\u2581", "u2581")


def _axes(chart) -> tuple[str, str]:
    """A heatmap's two lists of axis labels (as the spec's label expressions)."""
    encoding = json.loads(chart.proto.spec)["layer"][0]["encoding"]
    return encoding["x"]["axis"]["labelExpr"], encoding["y"]["axis"]["labelExpr"]


def _labels(chart) -> tuple[list[str], list[str]]:
    """A heatmap's column and row labels."""
    return tuple(json.loads(e[: e.rindex("[datum.value]")]) for e in _axes(chart))


def _heatmaps(at) -> list[str]:
    """The page's attention heatmaps, grids and bars (those with a source or output axis), as text."""
    return [_spec(c) for c in charts(at) if "source (English)" in c.proto.spec or "output (Spanish)" in c.proto.spec]


def _level(at, level: str):
    at.segmented_control(key=KEY).set_value(level).run()
    assert not at.exception, at.exception
    return at


def _check_levels(at, expected: int | None = None) -> None:
    """Words first (the default): no piece on any axis; then pieces: ▁ on every subword heatmap."""
    assert at.segmented_control(key=KEY).value == "words"
    assert any("sum over its pieces" in c.value for c in at.caption)  # the rule, under the switch
    words = _heatmaps(at)
    assert words and all("u2581" not in s for s in words), words
    assert any("Okonkwo" in s for s in words)
    assert expected is None or len(words) == expected
    pieces = _heatmaps(_level(at, "pieces"))
    assert len(pieces) == len(words) and all("u2581" in s for s in pieces)
    assert any("the attention the model computed" in c.value for c in at.caption)


def test_step_through_levels_and_a_typed_start_in_the_models_own_pieces(lab):
    at = open_app(page="app_pages/step_through.py", model=SUBWORD)
    at.text_area(key="step_sentence").input(SENTENCE)
    at.button(key="FormSubmitter:step_form-Start").click().run()
    assert not at.exception, at.exception
    _check_levels(at, expected=2)  # the step's bars and the whole heatmap
    at.text_input(key="step_typed").input("estoy")
    at.button(key="FormSubmitter:step_typed_form-Continue from these words").click().run()
    assert not at.exception, at.exception
    pieces = tuple(_tokenizer(lab / "tiny-subword").split("estoy"))
    result = at.session_state["step_result"]
    assert result.forced == pieces and [s.token for s in result.steps[: len(pieces)]] == list(pieces)
    assert "estoy" in " ".join(m.value for m in at.markdown)  # the forced start, as text
    at.switch_page("app_pages/beam.py").run()  # the choice follows the class to the next page
    assert not at.exception, at.exception
    assert at.session_state[KEY] == "pieces" and at.segmented_control(key=KEY).value == "pieces"


def test_beam_search_levels(lab):
    at = submit_form(open_app(page="app_pages/beam.py", model=SUBWORD), "beam_", "Search", SENTENCE)
    _check_levels(at, expected=1)


def test_compare_draws_subword_columns_at_the_level_and_word_models_as_they_are(lab):
    at = open_app(page="app_pages/compare.py", model=SUBWORD)
    at.multiselect(key="compare_models").set_value([SUBWORD, WORDS])
    at = submit_form(at, "compare_", "Compare", SENTENCE)
    words = [_spec(c) for c in charts(at)]
    assert len(words) == 2 and "u2581" not in words[0] and "okonkwo" in words[1]
    word_model = _axes(charts(at)[1])
    pieces = [_spec(c) for c in charts(_level(at, "pieces"))]
    assert "u2581" in pieces[0] and _axes(charts(at)[1]) == word_model  # the word-level model is unaffected


def test_layers_and_heads_levels_for_every_kind(lab):
    from core.text.pieces import word_groups, word_labels

    at = submit_form(open_app(page="app_pages/layers_heads.py", model=SUBWORD_TF), "layers_", "Show the attention",
                     SENTENCE)  # fmt: skip
    tr = at.session_state["layers_result"][2]
    target = list(tr.target_tokens)
    for kind in ("cross", "encoder_self", "decoder_self"):
        _level(at, "words")
        at.radio(key="layers_kind").set_value(kind).run()
        assert not at.exception, at.exception
        words = [_spec(c) for c in charts(at)]  # the grid and the enlarged panel
        assert len(words) == 2 and all("u2581" not in s for s in words), kind
        rows = _labels(charts(at)[1])[1]
        if kind != "encoder_self":  # one row per output word
            assert rows == word_labels(target, word_groups(target)), kind
        pieces = [_spec(c) for c in charts(_level(at, "pieces"))]
        assert len(pieces) == 2 and ("u2581" in pieces[1] or kind == "decoder_self"), kind
        columns, rows = _labels(charts(at)[1])
        assert rows == (target if kind != "encoder_self" else tr.source_labels), kind
        if kind == "decoder_self":
            assert columns == ["[START]", *target[:-1]]


def test_attribution_levels(lab):
    at = open_app(page="app_pages/attribution.py", model=SUBWORD)
    at = submit_form(at, "attribution_", "Translate and attribute", SENTENCE)
    _check_levels(at, expected=3)  # attention, integrated gradients, gradient × input
    _level(at, "words")
    assert any("lists pieces" in c.value for c in at.caption)  # the agreement table stays per piece


def test_interventions_act_on_whole_words_at_the_words_level(lab):
    at = submit_form(open_app(page="app_pages/interventions.py", model=SUBWORD), "interventions_", "Translate",
                     SENTENCE)  # fmt: skip
    at.radio(key="interventions_what").set_value("source").run()
    assert not at.exception, at.exception
    assert any("acts on all of its pieces" in c.value for c in at.caption)
    assert at.selectbox(key="interventions_word").options[0].endswith("Okonkwo")
    at.radio(key="interventions_edit").set_value("drop").run()
    edited = [_spec(c) for c in charts(at)]
    assert len(edited) == 2 and "Okonkwo" in edited[0] and "Okonkwo" not in edited[1]  # every piece dropped
    assert all("u2581" not in s for s in edited)
    pieces = [_spec(c) for c in charts(_level(at, "pieces"))]
    assert all("u2581" in s for s in pieces)
    _level(at, "words")
    at.radio(key="interventions_what").set_value("row").run()
    assert not at.exception, at.exception
    at.radio(key="interventions_row_kind").set_value("typed").run()
    assert not at.exception, at.exception
    typed = at.text_input(key="interventions_typed")
    assert len(typed.value.split(",")) == 5  # one weight per English word: Okonkwo reads a book .
    typed.input("1, 0, 0, 0, 0").run()
    assert not at.exception, at.exception
    assert any("1.00, 0.00, 0.00, 0.00, 0.00" in i.value for i in at.info)
    assert all("u2581" not in _spec(c) for c in charts(at))


def test_interventions_heads_levels(lab):
    at = submit_form(open_app(page="app_pages/interventions.py", model=SUBWORD_TF), "interventions_", "Translate",
                     SENTENCE)  # fmt: skip
    at.multiselect(key="interventions_heads").select("cross-1-1").run()
    _check_levels(at, expected=2)


def _weights(chart) -> np.ndarray:
    """The (target, source) matrix a heatmap draws, from its data."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    frame = convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
    return frame.pivot(index="target_pos", columns="source_pos", values="weight").to_numpy()


def test_attention_over_training_levels_draw_the_saved_numbers_or_their_documented_sum(lab):
    from core.decoding.word_level import word_attention
    from core.text.pieces import word_groups

    at = open_app(page="app_pages/attention_over_training.py", model=SUBWORD)
    saved = json.loads(runs.probe_file(lab / "tiny-subword", PROBE_EPOCHS[-1]).read_text())["probes"][0]
    matrix, source, target = np.asarray(saved["attention"]), saved["source_tokens"], saved["target_tokens"]
    words = word_attention(matrix, word_groups(source), word_groups(target))
    assert _weights(charts(at)[0]) == pytest.approx(words, abs=1e-6)
    assert any("lee un libro" in m.value for m in at.markdown)  # the probe's pieces joined as text
    _check_levels(at, expected=1)
    assert _weights(charts(at)[0]) == pytest.approx(matrix, abs=1e-6)  # pieces: the saved numbers


def test_a_word_level_model_has_one_level_and_a_note(lab):
    at = open_app(page="app_pages/beam.py", model=WORDS)
    at = submit_form(at, "beam_", "Search", "I am cold.")
    assert KEY not in [b.key for b in at.get("button_group")]
    assert any("one level" in c.value for c in at.caption)
