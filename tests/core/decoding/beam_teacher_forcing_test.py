"""Every beam hypothesis agrees with teacher forcing of its own tokens.

For each hypothesis of the n-best list, the model is run once over ``[START] + ids`` with
its teacher-forced ``call``: the attention the beam reports for each token, and each
token's log-probability, must be what that call computes, and ``log_prob`` must be their
sum plus ``log p([END])`` when the hypothesis finished.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.decoding import Translator
from core.models.config import ModelConfig
from core.text.vocab import END, END_ID, START_ID, Vocabulary

SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "and", "."]
TGT = ["tengo", "frío", "calor", "ella", "es", "alta", "y", "."]
SENTENCES = ["I am cold.", "She is tall and I am hot.", "cold"]
MAX_DEC = 7


@pytest.fixture(scope="module", params=["additive", "local-p", "transformer"])
def translator(request):
    from core.models import build_model

    keras.utils.set_random_seed(23)
    config = ModelConfig(
        arch=request.param, src_vocab_size=len(SRC) + 4, tgt_vocab_size=len(TGT) + 4, max_decode_len=MAX_DEC,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8, window=2,
        num_layers=2, num_heads=2, d_model=8, ff_dim=16,
    )  # fmt: skip
    tr = Translator(
        build_model(config),
        Vocabulary(["", "[UNK]", "[START]", END, *SRC]),
        Vocabulary(["", "[UNK]", "[START]", END, *TGT]),
    )
    tr.translate("warm up")
    return tr


def _teacher_forced(translator, src, ids):
    """log softmax (steps + 1, vocab) and the cross-attention of the teacher-forced call on ``[START] + ids``."""
    tgt_in = np.asarray([[START_ID, *ids]], dtype="int32")
    logits, attention = translator.model((src, tgt_in), return_attention_scores=True)
    logits = np.asarray(logits, dtype="float64")[0]
    m = logits.max(-1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))
    if isinstance(attention, dict):  # Transformer: (batch, layers, heads, tgt, src) -> (tgt, layers, heads, src)
        cross = np.asarray(attention["cross"])[0].transpose(2, 0, 1, 3)
    else:
        cross = np.asarray(attention)[0]  # (tgt, src)
    return log_p, cross


@pytest.mark.parametrize("end_bias", [1.5, -8.0], ids=["ending", "running-to-the-cap"])
@pytest.mark.slow
def test_hypotheses_match_teacher_forcing(translator, end_bias):
    """An [END] bias of 1.5 makes hypotheses finish; -8 keeps them all live up to the length cap."""
    width = 4
    bias = np.asarray(translator.model.output_layer.bias).copy()
    bias[END_ID] = end_bias
    translator.model.output_layer.bias.assign(bias)
    finished = unfinished = 0
    for sentence in SENTENCES:
        src = translator.encode_batch([translator.prepare(sentence)[0]])  # one sentence: no padding
        (hyps,), _ = translator.beam(src, beam_width=width, alpha=0.6)
        assert len(hyps) == width
        for h in hyps:
            n = len(h.ids)
            log_p, cross = _teacher_forced(translator, src, h.ids)
            token_lp = log_p[np.arange(n), h.ids]
            np.testing.assert_allclose(np.log(h.probabilities), token_lp, atol=2e-5)
            np.testing.assert_allclose(h.attention["cross"], cross[:n], atol=2e-5)
            expected = token_lp.sum() + (log_p[n, END_ID] if h.finished else 0.0)
            assert h.log_prob == pytest.approx(expected, abs=5e-5)
            assert not h.finished or n < MAX_DEC
            finished += h.finished
            unfinished += not h.finished
    assert (finished if end_bias > 0 else unfinished) == width * len(SENTENCES)  # the kind meant was checked
