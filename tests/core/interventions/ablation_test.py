"""Head ablation against an independent change of the weights, uniform heads, one trace for every mask."""

from __future__ import annotations

import numpy as np
import pytest

from core.interventions.ablation import HeadAblation
from tests.core.attribution.conftest import tiny_translator

SENTENCE = "the cat sat on the mat ."


@pytest.fixture(scope="module")
def translator():
    return tiny_translator("transformer", seed=5)


def _copy_without_head(translator, layer: int, head: int):
    """A second Translator whose cross-attention head's rows of ``W^O`` are zero: the head adds nothing."""
    from core.decoding import Translator
    from core.models import build_model

    model = build_model(translator.config)
    model.set_weights(translator.model.get_weights())
    w_out = model.decoder_layers[layer].cross_attention.w_output.kernel
    d = translator.config.d_model // translator.config.num_heads
    kernel = w_out.numpy()
    kernel[head * d : (head + 1) * d] = 0.0
    w_out.assign(kernel)
    return Translator(model, translator.src_vocab, translator.tgt_vocab)


@pytest.mark.slow
def test_every_head_on_is_the_model_itself(translator):
    ablation = HeadAblation(translator)
    result = ablation.compare(SENTENCE, ablation.keep_all())
    assert result.ablated.target_tokens == result.original.target_tokens
    np.testing.assert_allclose(result.ablated.layers["cross"], result.original.layers["cross"], atol=1e-5)
    np.testing.assert_allclose(result.ablated.layers["encoder_self"], result.original.layers["encoder_self"], atol=1e-5)
    np.testing.assert_allclose(result.delta_log_p, 0.0, atol=1e-4)
    assert result.switched_off == []


@pytest.mark.slow
def test_a_zeroed_head_equals_zero_output_weights(translator):
    ablation = HeadAblation(translator)
    keep = ablation.keep_all()
    keep[2, 1, 0] = 0.0  # cross-attention, layer 2, head 1
    result = ablation.compare(SENTENCE, keep, "zero")
    reference = _copy_without_head(translator, 1, 0)
    expected = reference.translate(SENTENCE)
    assert result.ablated.target_tokens == expected.target_tokens
    np.testing.assert_allclose(result.ablated.probabilities, expected.probabilities, atol=1e-5)
    assert np.all(result.ablated.layers["cross"][1, 0] == 0.0)  # the switched-off head's weights are gone
    # Δ log p of the original tokens against the reference model's own forced probabilities
    forced = reference.step_through(SENTENCE, result.original.target_tokens)
    want = np.log([s.probability for s in forced.steps[: len(result.original.target_tokens)]])
    np.testing.assert_allclose(result.delta_log_p, want - np.log(result.original.probabilities), atol=1e-4)
    assert result.switched_off == [("cross", 1, 0)]


@pytest.mark.slow
def test_uniform_heads_spread_their_weight(translator):
    ablation = HeadAblation(translator)
    keep = ablation.keep_all()
    keep[0, 0, 1] = 0.0  # encoder self-attention, layer 1, head 2
    keep[2, 0, 0] = 0.0
    ablated = ablation.translate(SENTENCE, keep, "uniform")
    s = len(ablated.source_tokens)
    np.testing.assert_allclose(ablated.layers["encoder_self"][0, 1], np.full((s, s), 1.0 / s), atol=1e-6)
    np.testing.assert_allclose(ablated.layers["cross"][0, 0], 1.0 / s, atol=1e-6)
    original = translator.translate(SENTENCE)
    np.testing.assert_allclose(ablated.layers["encoder_self"][0, 0], original.layers["encoder_self"][0, 0], atol=1e-5)


def test_one_trace_serves_every_mask(translator):
    ablation = HeadAblation(translator)
    for kind in range(3):
        keep = ablation.keep_all()
        keep[kind, 0, 0] = 0.0
        ablation.translate_batch([SENTENCE, "i am cold ."], keep, "zero")
        ablation.translate(SENTENCE, keep, "uniform")
    assert ablation._greedy_fn.experimental_get_tracing_count() == 1


@pytest.mark.slow
def test_bad_masks_and_models():
    translator = tiny_translator("transformer", seed=5)
    ablation = HeadAblation(translator)
    with pytest.raises(ValueError, match="shape"):
        ablation.translate(SENTENCE, np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="mode"):
        ablation.translate(SENTENCE, ablation.keep_all(), "random")
    with pytest.raises(ValueError, match="Transformer"):
        HeadAblation(tiny_translator("additive"))
