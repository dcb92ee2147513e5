"""Compiled searches are bounded and traced once: one beam search per width for every alpha, an LRU of widths."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.decoding import Translator
from core.decoding import translator as translator_module
from core.decoding.beam_search import collect
from core.models import build_model
from core.models.config import ModelConfig
from core.text.vocab import Vocabulary

SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "."]
TGT = ["tengo", "frío", "calor", "ella", "es", "alta", "."]


def _translator() -> Translator:
    keras.utils.set_random_seed(3)
    config = ModelConfig(
        arch="additive", src_vocab_size=len(SRC) + 4, tgt_vocab_size=len(TGT) + 4, max_decode_len=8,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8,
    )  # fmt: skip
    src_vocab = Vocabulary(["", "[UNK]", "[START]", "[END]", *SRC])
    tgt_vocab = Vocabulary(["", "[UNK]", "[START]", "[END]", *TGT])
    return Translator(build_model(config), src_vocab, tgt_vocab)


def test_greedy_is_traced_once_for_every_sentence_length():
    tr = _translator()
    tr.warm_up()
    assert tr.trace_counts["greedy"] == 1
    for sentence in ["I am cold.", "she is tall .", "i am hot and she is cold and tall ."]:
        tr.translate(sentence)
    tr.translate_batch(["I am cold.", "she is tall ."])
    assert tr.trace_counts["greedy"] == 1


def test_every_alpha_shares_one_beam_search_and_scores_follow_alpha():
    tr = _translator()
    src = tr.encode_batch([tr.prepare("i am cold .")[0]])
    raws = {alpha: tr.beam_raw(src, 3, alpha) for alpha in (0.0, 0.6, 1.3, 2.0)}
    assert tr.trace_counts["beam-3"] == 1
    for alpha, raw in raws.items():  # the finished scores are log p / ((5 + |y|) / 6) ** alpha
        for h in collect(raw, 0, 3, alpha):
            if h.finished:
                length = len(h.ids) + 1
                np.testing.assert_allclose(h.score, h.log_prob / ((5 + length) / 6) ** alpha, rtol=1e-5)


@pytest.mark.slow
def test_compiled_beam_widths_are_bounded_least_recently_used_first():
    tr = _translator()
    src = tr.encode_batch([tr.prepare("she is tall .")[0]])
    kept = translator_module.BEAM_WIDTHS_KEPT
    widths = list(range(2, 2 + kept + 2))
    first = tr.beam_raw(src, widths[0])
    for w in widths:
        tr.beam_raw(src, w)
    assert len(tr._beam_fns) == kept
    assert list(tr._beam_fns) == widths[-kept:]
    again = tr.beam_raw(src, widths[0])  # dropped, so compiled again, with the same result
    assert tr.trace_counts[f"beam-{widths[0]}"] == 2
    np.testing.assert_array_equal(first["tokens"], again["tokens"])
    tr.beam_raw(src, widths[-1])  # recently used: kept, not traced again
    assert tr.trace_counts[f"beam-{widths[-1]}"] == 1
