"""Attention replaced in recurrent models: the model's own row changes nothing, a new row is used and decoding goes on."""

from __future__ import annotations

import numpy as np
import pytest

from core.interventions.replace import AttentionReplacement, replacement_row
from core.interventions.source_edit import changed_tokens, edit_pieces, edit_source
from core.text.vocab import END_ID
from tests.core.attribution.conftest import tiny_translator

TOKENS = ["the", "cat", "sat", "on", "the", "mat", "."]


@pytest.fixture(scope="module", params=[("additive", False), ("local-p", False), ("general", True)])
def translator(request):
    arch, feeding = request.param
    for seed in range(2, 12):  # an untrained model may stop at once: take one that writes two tokens or more
        translator = tiny_translator(arch, seed=seed, input_feeding=feeding)
        if len(translator.translate(" ".join(TOKENS)).target_tokens) >= 2:
            return translator
    pytest.fail(f"no seed gave a {arch} model that writes two tokens")


def test_the_models_own_row_changes_nothing(translator):
    original = translator.translate(" ".join(TOKENS))
    replacement = AttentionReplacement(translator)
    same = replacement.translate(TOKENS, original.attention[1], at=1)
    assert same.target_tokens == original.target_tokens
    np.testing.assert_allclose(same.attention, original.attention, atol=1e-5)


def _with_attention_row(translator, tokens, row, at, monkeypatch) -> dict:
    """Eager greedy search of the model itself, its attention layer made to return ``row`` (and the
    context ``Σ_j row_j h_j``) at output step ``at`` (every step when ``at < 0``): what a replacement must give."""
    import tensorflow as tf

    model = translator.model
    own, calls = model._attend, []

    def attend(query, memory):
        context, weights, positions = own(query, memory)
        step = len(calls)
        calls.append(step)
        if at < 0 or step == at:
            weights = tf.constant(row, tf.float32)[None, None, :]  # (batch 1, one query, source)
            context = tf.matmul(weights, memory["values"])  # (1, 1, 2·enc)
        return context, weights, positions

    with monkeypatch.context() as m:
        m.setattr(model, "_attend", attend)
        raw = translator.greedy_eager(translator.encode_batch([tokens]))
    n = len(raw["ids"][0]) - int(raw["ids"][0][-1] == END_ID)
    return {"tokens": translator.tgt_vocab.decode(raw["ids"][0, :n].tolist()), "probs": raw["probs"][0, :n],
            "cross": raw["attention"]["cross"][0, :n]}  # fmt: skip


@pytest.mark.parametrize("at", [0, 1, -1])
def test_a_replaced_row_is_used_and_the_decoder_goes_on(translator, monkeypatch, at):
    original = translator.translate(" ".join(TOKENS))
    replacement = AttentionReplacement(translator)
    row = replacement_row("typed", len(TOKENS), values=[0, 0, 0, 0, 0, 3, 1])
    changed = replacement.translate(TOKENS, row, at=at)
    expected = _with_attention_row(translator, TOKENS, row, at, monkeypatch)
    # the same tokens, probabilities and attention as the model whose attention gave that row at that step
    assert changed.target_tokens == expected["tokens"]
    np.testing.assert_allclose(changed.probabilities, expected["probs"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(changed.attention, expected["cross"], atol=1e-5)
    # and that is not the model's own translation: the row changed what the decoder computed from step `at` on
    step = max(at, 0)
    assert changed.target_tokens[: step + 1] != original.target_tokens[: step + 1] or not np.allclose(
        changed.probabilities[step], original.probabilities[step], rtol=1e-3
    )
    np.testing.assert_allclose(changed.attention[step], [0, 0, 0, 0, 0, 0.75, 0.25], atol=1e-6)
    if at == 1:  # the step before is untouched
        assert changed.target_tokens[0] == original.target_tokens[0]
        np.testing.assert_allclose(changed.probabilities[0], original.probabilities[0], rtol=1e-5)
    assert replacement._fn.experimental_get_tracing_count() == 1


def test_a_uniform_row_at_every_step(translator):
    every = AttentionReplacement(translator).translate(TOKENS, replacement_row("uniform", len(TOKENS)), at=-1)
    assert every.target_tokens
    np.testing.assert_allclose(every.attention, 1.0 / len(TOKENS), atol=1e-6)


def test_a_row_at_several_steps_replaces_each_of_them(translator):
    """The pieces of one output word: the row is used at each listed step (an empty list is refused)."""
    replacement = AttentionReplacement(translator)
    row = replacement_row("typed", len(TOKENS), values=[0, 0, 0, 0, 0, 3, 1])
    changed = replacement.translate(TOKENS, row, at=[0, 1])
    for step in range(min(2, len(changed.target_tokens))):
        np.testing.assert_allclose(changed.attention[step], row, atol=1e-6)
    first = replacement.translate(TOKENS, row, at=0)
    assert first.target_tokens[:1] == changed.target_tokens[:1]
    with pytest.raises(ValueError, match="at least one output step"):
        replacement.translate(TOKENS, row, at=[])


def test_rows_and_their_errors():
    attention = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
    np.testing.assert_allclose(replacement_row("row", 2, attention, row=1), [0.6, 0.4])
    np.testing.assert_allclose(replacement_row("uniform", 4), 0.25)
    with pytest.raises(ValueError, match="non-negative"):
        replacement_row("typed", 2, values=[-1, 2])
    with pytest.raises(ValueError, match="one per source token"):
        replacement_row("typed", 3, values=[1, 2])
    with pytest.raises(ValueError, match="no attention row"):
        replacement_row("row", 2, attention, row=5)
    with pytest.raises(ValueError, match="recurrent"):
        AttentionReplacement(tiny_translator("transformer"))


def test_source_edits_and_changed_tokens():
    assert edit_source(TOKENS, "drop", 1) == ["the", "sat", "on", "the", "mat", "."]
    assert edit_source(TOKENS, "replace", 1, "Dog") == ["the", "dog", "sat", "on", "the", "mat", "."]
    assert edit_source(TOKENS, "move", 5, to=0) == ["mat", "the", "cat", "sat", "on", "the", "."]
    with pytest.raises(ValueError, match="one word"):
        edit_source(TOKENS, "replace", 1, "big dog")
    with pytest.raises(ValueError, match="does not exist"):
        edit_source(TOKENS, "drop", 9)
    old, new = changed_tokens(["el", "gato", "se", "sentó"], ["el", "perro", "se", "sentó", "."])
    assert old == [False, True, False, False] and new == [False, True, False, False, True]


def test_piece_edits_act_on_every_piece_of_a_word():
    pieces = ["▁Ok", "on", "kwo", "▁reads", "."]
    words = [[0, 1, 2], [3], [4]]
    assert edit_pieces(pieces, words, "drop", 0) == ["▁reads", "."]
    assert edit_pieces(pieces, words, "replace", 0, "Tom") == ["▁Tom", "▁reads", "."]
    assert edit_pieces(pieces, words, "move", 0, to=1) == ["▁reads", "▁Ok", "on", "kwo", "."]
    singles = [[i] for i in range(len(pieces))]
    assert edit_pieces(pieces, singles, "replace", 1, "x") == ["▁Ok", "x", "kwo", "▁reads", "."]
    with pytest.raises(ValueError, match="one word"):
        edit_pieces(pieces, words, "replace", 0, "big dog")
    with pytest.raises(ValueError, match="does not exist"):
        edit_pieces(pieces, words, "drop", 3)
