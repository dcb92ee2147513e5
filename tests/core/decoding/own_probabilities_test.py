"""Probabilities shown are the model's own: before [UNK] is banned, never renormalised.

A tiny model whose output bias makes [UNK] the most probable token at every step: the
decoder never writes it, yet every probability it reports — greedy tokens, the
step-through's choice and top-k, beam log-probabilities — must equal ``softmax(logits)``
of the teacher-forced model, and p([UNK]) is reported beside them.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.decoding import Translator
from core.models import build_model
from core.models.config import ModelConfig
from core.text.vocab import END, END_ID, START_ID, UNK_ID, Vocabulary

SRC = ["i", "am", "cold", "hot", "she", "is", "tall", "."]
TGT = ["tengo", "frío", "calor", "ella", "es", "alta", "."]
SENTENCE = "She is tall and I am hot."


@pytest.fixture(scope="module", params=["additive", "transformer"])
def translator(request):
    keras.utils.set_random_seed(5)
    config = ModelConfig(
        arch=request.param, src_vocab_size=len(SRC) + 4, tgt_vocab_size=len(TGT) + 4, max_decode_len=6,
        embedding_dim=8, encoder_units=8, decoder_units=16, attention_units=8,
        num_layers=1, num_heads=2, d_model=8, ff_dim=16,
    )  # fmt: skip
    model = build_model(config)
    tr = Translator(
        model, Vocabulary(["", "[UNK]", "[START]", END, *SRC]), Vocabulary(["", "[UNK]", "[START]", END, *TGT])
    )
    tr.translate("warm up")  # builds the model
    bias = np.asarray(model.output_layer.bias).copy()
    bias[UNK_ID] = 4.0  # [UNK] dominates every step
    bias[END_ID] = -3.0  # and the output runs to the length cap
    model.output_layer.bias.assign(bias)
    return tr


def _own_probs(translator, ids: list[int]) -> np.ndarray:
    """softmax(logits) of the teacher-forced model at each step of ``ids`` (steps, vocab)."""
    src = translator.encode_batch([translator.prepare(SENTENCE)[0]])
    tgt_in = np.asarray([[START_ID, *ids]], dtype="int32")
    logits = np.asarray(translator.model((src, tgt_in)), dtype="float64")[0]  # (steps + 1, vocab)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_greedy_probabilities_are_the_models_own(translator):
    tr = translator.translate(SENTENCE)
    ids = translator.tgt_vocab.encode(tr.target_tokens)
    assert len(ids) == 6 and UNK_ID not in ids  # [UNK] is never written
    p = _own_probs(translator, ids)[: len(ids)]
    np.testing.assert_allclose(tr.probabilities, p[np.arange(len(ids)), ids], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tr.unk_probabilities, p[:, UNK_ID], rtol=1e-4, atol=1e-6)
    assert np.all(tr.unk_probabilities > 0.5)  # the test means something: renormalising would change them a lot
    assert np.all(tr.probabilities < 0.5)
    # the written token is still the best one the model may write
    allowed = p.copy()
    allowed[:, [0, UNK_ID, START_ID]] = -1
    np.testing.assert_array_equal(ids, allowed.argmax(-1))


def test_step_through_choice_and_top_k_are_the_models_own(translator):
    result = translator.step_through(SENTENCE, forced=[None, "ella"])
    ids = translator.tgt_vocab.encode([s.token for s in result.steps])
    p = _own_probs(translator, ids)
    for i, step in enumerate(result.steps):
        assert step.probability == pytest.approx(p[i, ids[i]], rel=1e-4, abs=1e-6)
        assert step.unk_probability == pytest.approx(p[i, UNK_ID], rel=1e-4, abs=1e-6)
        assert "[UNK]" not in [w for w, _ in step.top_k]
        for word, q in step.top_k:
            assert q == pytest.approx(p[i, translator.tgt_vocab.id(word) if word != END else END_ID], rel=1e-4)
        assert sum(q for _, q in step.top_k) < 1.0 - step.unk_probability + 1e-5
    assert result.steps[1].forced and result.steps[1].token == "ella"


def test_beam_log_probabilities_are_the_models_own(translator):
    nbest = translator.nbest(SENTENCE, beam_width=3, alpha=0.0)
    for h in nbest:
        ids = translator.tgt_vocab.encode(h.target_tokens)
        p = _own_probs(translator, ids)
        np.testing.assert_allclose(h.probabilities, p[np.arange(len(ids)), ids], rtol=1e-4, atol=1e-6)
        finished = len(ids) < 6
        expected = np.log(p[np.arange(len(ids)), ids]).sum() + (np.log(p[len(ids), END_ID]) if finished else 0.0)
        assert h.log_prob == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    ("unk", "notable"),
    [(None, False), ([], False), ([0.01, 0.049], False), ([0.01, 0.05], True), ([0.8], True)],
)
def test_unk_is_notable_from_the_threshold_on(unk, notable):
    from core.decoding.results import UNK_NOTABLE, Translation

    assert UNK_NOTABLE == 0.05
    tr = Translation(
        ["a"], ["b"], np.ones((1, 1)), np.ones(1), unk_probabilities=None if unk is None else np.array(unk)
    )
    assert tr.unk_notable is notable
