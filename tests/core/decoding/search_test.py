"""Greedy and beam search for every architecture, on tiny untrained models.

Untrained weights are enough here: the searches must agree with each other and return
well-formed attention, whatever the model says.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding import Translator
from core.decoding.beam_search import length_penalty
from core.models.config import ARCHITECTURES
from core.text.vocab import END

SENTENCES = ["I am cold.", "She is tall.", "I am hot and she is cold.", ""]
SEARCH_CONFIG = {"ffn": "swiglu", "norm": "pre"}  # the Transformer's less common options


@pytest.fixture(scope="module", params=ARCHITECTURES)
def translator(request, tiny_translator) -> Translator:
    return tiny_translator(request.param, **SEARCH_CONFIG)


@pytest.mark.slow  # traces decoding for every architecture
def test_greedy_tf_function_equals_eager_loop(translator):
    src = translator.encode_batch([translator.prepare(s)[0] for s in SENTENCES[:3]])
    a, b = translator.greedy(src), translator.greedy_eager(src)
    np.testing.assert_array_equal(a["ids"], b["ids"])
    assert a["attention"].keys() == b["attention"].keys()
    for name in a["attention"]:
        np.testing.assert_allclose(a["attention"][name], b["attention"][name], atol=1e-5)


def test_translation_shapes(translator):
    arch = translator.config.arch
    for sentence, t in zip(SENTENCES, translator.translate_batch(SENTENCES), strict=True):
        n, s = len(t.target_tokens), len(t.source_tokens)
        assert t.attention.shape == (n, s) and t.probabilities.shape == (n,)
        if n and s:
            np.testing.assert_array_less(t.attention.sum(-1), 1.0 + 1e-4)
            if arch != "local-p":  # global attention: every row is a distribution over the source
                np.testing.assert_allclose(t.attention.sum(-1), 1.0, atol=1e-4)
        if arch == "local-p" and sentence:
            assert t.positions is not None and t.positions.shape == (n,)
            assert np.all(t.positions >= 0) and np.all(t.positions <= max(s - 1, 0))
        elif arch != "local-p":
            assert t.positions is None
        if arch == "transformer" and sentence:
            L, H = translator.config.num_layers, translator.config.num_heads
            assert t.layers["cross"].shape == (L, H, n, s)
            assert t.layers["decoder_self"].shape == (L, H, n, n)
            assert t.layers["encoder_self"].shape == (L, H, s, s)
            assert np.allclose(np.triu(t.layers["decoder_self"], k=1), 0.0)  # causal
            np.testing.assert_allclose(t.attention, t.layers["cross"][-1].mean(0), atol=1e-6)
        elif arch != "transformer":
            assert t.layers is None


@pytest.mark.slow  # traces decoding for every architecture
def test_beam_width_one_is_greedy(translator):
    greedy = translator.translate_batch(SENTENCES)
    beam = translator.nbest_batch(SENTENCES, beam_width=1, alpha=0.0)
    for g, (b,) in zip(greedy, beam, strict=True):
        assert b.target_tokens == g.target_tokens
        np.testing.assert_allclose(b.attention, g.attention, atol=1e-5)
        np.testing.assert_allclose(b.probabilities, g.probabilities, atol=1e-5)
        if g.positions is not None:
            np.testing.assert_allclose(b.positions, g.positions, atol=1e-4)


@pytest.mark.slow  # traces decoding for every architecture
def test_nbest_is_sorted_and_each_has_its_own_attention(translator):
    for nbest in translator.nbest_batch(SENTENCES[:3], beam_width=3, alpha=0.6):
        assert 1 <= len(nbest) <= 3
        scores = [h.score for h in nbest]
        assert scores == sorted(scores, reverse=True)
        for h in nbest:
            assert h.attention.shape == (len(h.target_tokens), len(h.source_tokens))
        texts = [tuple(h.target_tokens) for h in nbest]
        assert len(set(texts)) == len(texts), "duplicate hypotheses"


def _check_log_probs(translator: Translator, sentences: list[str], alpha: float = 0.6) -> list[bool]:
    """log p(y) = Σ log p(y_t | y_<t) over a hypothesis's tokens, and the end token's when it finished;
    score = log p / lp. Each token's probability is recomputed by forcing the hypothesis through the
    step-through search. Returns whether each hypothesis finished."""
    src = translator.encode_batch([translator.prepare(s)[0] for s in sentences])
    hyps, _ = translator.beam(src, beam_width=3, alpha=alpha)
    finished = []
    for sentence, nbest in zip(sentences, hyps, strict=True):
        for h in nbest:
            words = translator.tgt_vocab.decode(h.ids)
            forced = [*words, END] if h.finished else words
            steps = translator.step_through(sentence, forced).steps
            assert [s.token for s in steps] == forced
            model_p = np.array([s.probability for s in steps])
            np.testing.assert_allclose(h.probabilities, model_p[: len(h.ids)], rtol=1e-4, atol=1e-6)
            assert h.log_prob == pytest.approx(np.log(model_p).sum(), rel=1e-4, abs=1e-4)
            assert h.score == pytest.approx(h.log_prob / length_penalty(len(forced), alpha), rel=1e-4, abs=1e-4)
            finished.append(h.finished)
    return finished


@pytest.mark.slow  # traces decoding for every architecture
def test_a_hypothesis_log_prob_is_what_the_model_gives_its_tokens(translator):
    _check_log_probs(translator, SENTENCES[:3])  # untrained: most hypotheses run to the length cap


def test_a_finished_hypothesis_counts_its_end_token(overfit_translator):
    finished = _check_log_probs(overfit_translator, ["i am cold .", "where is tom ?", "we eat bread ."])
    assert sum(finished) >= 3  # the trained model ends its sentences


def test_cross_attention_picks_layers_and_heads(translator):
    t = translator.translate("I am cold.")
    np.testing.assert_array_equal(t.cross_attention(), t.attention)
    if t.layers is None:
        with pytest.raises(ValueError, match="only Transformer"):
            t.cross_attention(layer=0)
        return
    cross = t.layers["cross"]
    np.testing.assert_allclose(t.cross_attention(layer=0), cross[0].mean(0))
    np.testing.assert_array_equal(t.cross_attention(layer=1, head=1), cross[1, 1])
    np.testing.assert_allclose(t.cross_attention(head=None), cross[-1].mean(0))
    with pytest.raises(ValueError, match="layer 5 out of range for 2 layers"):
        t.cross_attention(layer=5)
    with pytest.raises(ValueError, match="head 9 out of range for 2 heads"):
        t.cross_attention(layer=0, head=9)
