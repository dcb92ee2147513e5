"""Greedy decoding and the Translation it returns, on a tiny model that learned 20 pairs by heart."""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding import Translation
from core.text import tokenize
from core.text.vocab import END_ID, PAD_ID

pytestmark = pytest.mark.slow  # trains the shared tiny model


@pytest.fixture(scope="module")
def translator(overfit_translator):
    return overfit_translator


def test_learned_pairs_are_translated(translator, tiny_pairs):
    translations = translator.translate_batch([en for en, _ in tiny_pairs])
    assert len(translations) == len(tiny_pairs)
    right = [t.target_tokens == tokenize(es) for t, (_, es) in zip(translations, tiny_pairs, strict=True)]
    misses = [(en, t.target_tokens) for t, (en, _), ok in zip(translations, tiny_pairs, right, strict=True) if not ok]
    assert sum(right) >= 18, misses


def test_translate_one_and_text(translator):
    t = translator.translate("I am cold.")
    assert isinstance(t, Translation)
    assert t.source_tokens == ["i", "am", "cold", "."]
    assert t.target_tokens == ["tengo", "frío", "."]
    assert t.text == "Tengo frío."
    assert translator.translate("¿Where is Tom?").source_tokens == ["¿", "where", "is", "tom", "?"]


def test_batching_does_not_change_results(translator, tiny_pairs):
    sentences = [en for en, _ in tiny_pairs]
    together = translator.translate_batch(sentences)
    in_threes = translator.translate_batch(sentences, batch_size=3)
    alone = [translator.translate(s) for s in sentences[:5]]
    for a, b in zip(together, in_threes, strict=True):
        assert a.target_tokens == b.target_tokens
        np.testing.assert_allclose(a.attention, b.attention, atol=1e-5)
        np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-5)
    for a, b in zip(together, alone, strict=False):
        assert a.target_tokens == b.target_tokens
        np.testing.assert_allclose(a.attention, b.attention, atol=1e-5)


def test_compiled_greedy_equals_eager(translator, tiny_pairs):
    tokens = [tokenize(en) for en, _ in tiny_pairs[:8]] + [["i", "am", "zorgblat", "."]]
    src = translator.encode_batch(tokens)
    compiled = translator.greedy(src)
    eager = translator.greedy_eager(src)
    e_ids = eager["ids"]
    steps = e_ids.shape[1]
    assert e_ids.shape == eager["probs"].shape == (len(tokens), steps)
    assert eager["attention"]["cross"].shape == (len(tokens), steps, src.shape[1])
    assert compiled["ids"].shape[1] >= steps
    np.testing.assert_array_equal(compiled["ids"][:, :steps], e_ids)
    assert np.all(compiled["ids"][:, steps:] == PAD_ID)  # nothing written after every row ended
    np.testing.assert_allclose(compiled["probs"][:, :steps], eager["probs"], atol=1e-5)
    assert set(compiled["attention"]) == set(eager["attention"])
    for name, weights in eager["attention"].items():
        np.testing.assert_allclose(compiled["attention"][name][:, :steps], weights, atol=1e-5)
    assert np.all((e_ids == END_ID).any(axis=1))  # every row ended
    for row in e_ids:  # after END only padding
        end = int(np.argmax(row == END_ID))
        assert np.all(row[end + 1 :] == PAD_ID)


def test_translation_shapes(translator, tiny_pairs):
    for t in translator.translate_batch([en for en, _ in tiny_pairs] + ["The cat sleeps here, I am cold!"]):
        n_tgt, n_src = len(t.target_tokens), len(t.source_tokens)
        assert n_tgt > 0
        assert t.attention.shape == (n_tgt, n_src)
        assert t.probabilities.shape == (n_tgt,)
        np.testing.assert_allclose(t.attention.sum(axis=1), 1.0, atol=1e-5)
        assert np.all((t.probabilities > 0) & (t.probabilities <= 1))
        assert len(t.unknown) == n_src
        assert "[END]" not in t.target_tokens
        assert not {"", "[UNK]", "[START]"} & set(t.target_tokens)
        assert t.truncated_from is None


def test_learned_pairs_are_confident(translator):
    t = translator.translate("the dog runs .")
    assert t.target_tokens == ["el", "perro", "corre", "."]
    assert np.all(t.probabilities > 0.5)


def test_unknown_words_are_marked(translator):
    t = translator.translate("I am zorgblat, Tom.")
    assert t.source_tokens == ["i", "am", "zorgblat", ",", "tom", "."]
    assert t.unknown == [False, False, True, True, False, False]  # "," never appears in the training pairs
    assert t.source_labels == ["i", "am", "zorgblat [UNK]", ", [UNK]", "tom", "."]
    assert t.attention.shape[1] == 6


def test_over_long_input_is_truncated(translator):
    cap = translator.config.max_source_len
    words = ["cat"] * (cap + 7)
    t = translator.translate(" ".join(words))
    assert len(t.source_tokens) == cap
    assert t.truncated_from == cap + 7
    assert t.attention.shape == (len(t.target_tokens), cap)
    assert translator.prepare(" ".join(words[:cap])) == (words[:cap], None)


def test_empty_input_gives_empty_translation(translator):
    (t,) = translator.translate_batch(["   "])
    assert t.source_tokens == [] and t.target_tokens == []
    assert t.attention.shape == (0, 0)
    assert t.text == ""
    mixed = translator.translate_batch(["", "i am cold ."])
    assert mixed[0].target_tokens == []
    assert mixed[1].target_tokens == ["tengo", "frío", "."]


def test_source_labels_without_unknown_words():
    t = Translation(["a", "b"], ["x"], np.ones((1, 2)) / 2, np.ones(1), unknown=[False, False])
    assert t.source_labels == ["a", "b"]
