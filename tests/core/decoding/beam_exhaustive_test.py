"""Beam search against an exhaustive search, on untrained models small enough to enumerate every output.

The target vocabulary writes two words and the end token, and at most ``MAX_DEC`` tokens, so
every output the search may return — each word sequence ended by the end token, and each of
the longest unfinished ones — is scored here with the model's own teacher-forced
log-probabilities. A beam as wide as every candidate must find the best of them; a narrower
one must keep ``k`` live hypotheses at every step, however many end there.
"""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest

from core.decoding import Translator
from core.decoding.beam_search import length_penalty
from core.models import build_model
from core.models.config import ModelConfig
from core.text.vocab import END, END_ID, START_ID, Vocabulary

SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "."]
WORDS = ["a", "b"]
WORD_IDS = (4, 5)  # after the four special tokens
MAX_DEC = 4
FULL = len(WORD_IDS) ** (MAX_DEC - 1) * (len(WORD_IDS) + 1)  # the most candidates any step can have: 24
SENTENCES = ["I am cold.", "She is tall and I am hot.", "hot"]


def _translator(arch: str, seed: int, end_bias: float | None = None) -> Translator:
    keras.utils.set_random_seed(seed)
    config = ModelConfig(
        arch=arch, src_vocab_size=len(SRC) + 4, tgt_vocab_size=len(WORDS) + 4, max_decode_len=MAX_DEC,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8,
        num_layers=2, num_heads=2, d_model=8, ff_dim=16,
    )  # fmt: skip
    model = build_model(config)
    tr = Translator(
        model, Vocabulary(["", "[UNK]", "[START]", END, *SRC]), Vocabulary(["", "[UNK]", "[START]", END, *WORDS])
    )
    tr.translate("warm up")  # builds the weights
    if end_bias is not None:
        bias = np.asarray(model.output_layer.bias).copy()
        bias[END_ID] = end_bias
        model.output_layer.bias.assign(bias)
    return tr


@pytest.fixture(scope="module", params=["additive", "transformer"])
def translator(request) -> Translator:
    return _translator(request.param, seed=5)


def _src(translator: Translator, sentence: str) -> np.ndarray:
    return translator.encode_batch([translator.prepare(sentence)[0]])


def exhaustive(translator: Translator, src: np.ndarray, alpha: float) -> dict[tuple, tuple[float, float]]:
    """Every output the search can return -> (log p, score): ``(ids, True)`` ended, ``(ids, False)`` cut at the cap."""
    full = list(itertools.product(WORD_IDS, repeat=MAX_DEC))
    tgt_in = np.asarray([[START_ID, *ids[:-1]] for ids in full], dtype="int32")  # (16, MAX_DEC)
    logits, _ = translator.model((np.repeat(src, len(full), 0), tgt_in), return_attention_scores=True)
    logits = np.asarray(logits, dtype="float64")
    m = logits.max(-1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))  # the model's own, nothing banned
    out = {}
    for ids, lp in zip(full, log_p, strict=True):
        cumulative = np.concatenate([[0.0], np.cumsum(lp[np.arange(MAX_DEC), ids])])  # log p of each prefix
        for n in range(MAX_DEC):  # n words, then the end token
            ended = cumulative[n] + lp[n, END_ID]
            out[(ids[:n], True)] = (ended, ended / length_penalty(n + 1, alpha))
        out[(ids, False)] = (cumulative[-1], cumulative[-1] / length_penalty(MAX_DEC, alpha))
    return out


def _key(h) -> tuple:
    return tuple(h.ids), h.finished


@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.5])
def test_a_beam_as_wide_as_every_candidate_finds_the_exhaustive_best(translator, alpha):
    gaps = []
    for sentence in SENTENCES:
        src = _src(translator, sentence)
        every = exhaustive(translator, src, alpha)
        (hyps,), _ = translator.beam(src, beam_width=FULL, alpha=alpha)
        ranked = sorted(every, key=lambda key: -every[key][1])
        gaps.append(every[ranked[0]][1] - every[ranked[1]][1])
        assert _key(hyps[0]) == ranked[0], sentence
        assert hyps[0].score == pytest.approx(every[ranked[0]][1], abs=1e-4)
        # every sequence that can end did end, with its own score; the longest unfinished ones fill the list
        ended = {key for key in every if key[1]}
        assert {_key(h) for h in hyps if h.finished} == ended
        assert len(hyps) == FULL and len({_key(h) for h in hyps}) == FULL
        for h in hyps:
            assert (h.log_prob, h.score) == pytest.approx(every[_key(h)], abs=1e-4)
    assert max(gaps) > 1e-3, "the best and the runner-up should differ somewhere, or the comparison proves little"


@pytest.mark.parametrize("end_bias", [None, 2.0], ids=["as-initialised", "ending-often"])
def test_k_live_hypotheses_at_every_step_and_k_distinct_in_the_list(end_bias):
    """Ending hypotheses never take a live slot: every step keeps min(k, extensions) live ones."""
    translator = _translator("additive", seed=5, end_bias=end_bias)
    full_pools = 0
    for k in range(1, 7):
        for sentence in SENTENCES:
            src = _src(translator, sentence)
            every = exhaustive(translator, src, 0.6)
            tree = translator.beam_tree(sentence, beam_width=k, alpha=0.6)
            for step in range(max(n.step for n in tree.nodes) + 1):
                live = [n for n in tree.nodes if n.step == step and not n.finished]
                possible = len(WORD_IDS) ** (step + 1)  # word sequences of step + 1 words
                assert len(live) == min(k, possible), (k, sentence, step)
                assert all(n.beam < k for n in tree.nodes if n.step == step and n.finished)
            (hyps,), _ = translator.beam(src, beam_width=k, alpha=0.6)
            assert len(hyps) == k and len({_key(h) for h in hyps}) == k, (k, sentence)
            assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
            for h in hyps:  # each is one of the outputs, with the model's own log-probability and score
                assert (h.log_prob, h.score) == pytest.approx(every[_key(h)], abs=1e-4)
            full_pools += all(h.finished for h in hyps)  # k distinct finished hypotheses
    assert full_pools, "some searches should finish k hypotheses"


def test_width_one_is_greedy_whatever_the_end_token_ranks():
    """With α = 0 a width of 1 writes the greedy output, also when the end token is the runner-up."""
    translator = _translator("additive", seed=5)
    bias = np.asarray(translator.model.output_layer.bias).copy()
    runner_up = first = 0
    for end_bias in (-0.5, 0.0, 0.05, 2.0):
        bias[END_ID] = end_bias
        translator.model.output_layer.bias.assign(bias)
        for sentence in SENTENCES:
            greedy = translator.translate(sentence)
            (best,) = translator.nbest(sentence, beam_width=1, alpha=0.0)
            assert best.target_tokens == greedy.target_tokens, (end_bias, sentence)
            np.testing.assert_allclose(best.probabilities, greedy.probabilities, atol=1e-5)
            np.testing.assert_allclose(best.attention, greedy.attention, atol=1e-5)
            tokens = translator.beam_raw(_src(translator, sentence), 1, 0.0)["tokens"][:, 0]  # (steps, 2)
            first += int(np.sum(tokens[:, 0] == END_ID))
            runner_up += int(np.sum(tokens[:, 1] == END_ID))
    assert first and runner_up, "the end token should have ranked first and second somewhere"
