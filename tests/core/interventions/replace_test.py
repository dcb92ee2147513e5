"""Attention replaced in recurrent models: the model's own row changes nothing, a new row is used and decoding goes on."""

from __future__ import annotations

import numpy as np
import pytest

from core.interventions.replace import AttentionReplacement, replacement_row
from core.interventions.source_edit import changed_tokens, edit_source
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


def test_a_replaced_row_is_used_and_the_decoder_goes_on(translator):
    original = translator.translate(" ".join(TOKENS))
    replacement = AttentionReplacement(translator)
    row = replacement_row("typed", len(TOKENS), values=[0, 0, 0, 0, 0, 3, 1])
    changed = replacement.translate(TOKENS, row, at=0)
    np.testing.assert_allclose(changed.attention[0], [0, 0, 0, 0, 0, 0.75, 0.25], atol=1e-6)
    assert len(changed.target_tokens) >= 1
    every = replacement.translate(TOKENS, replacement_row("uniform", len(TOKENS)), at=-1)
    np.testing.assert_allclose(every.attention, 1.0 / len(TOKENS), atol=1e-6)
    if changed.target_tokens[0] == original.target_tokens[0]:  # the first token's own p changed anyway
        assert not np.isclose(changed.probabilities[0], original.probabilities[0])
    assert replacement._fn.experimental_get_tracing_count() == 1


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
