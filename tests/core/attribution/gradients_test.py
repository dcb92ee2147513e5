"""Gradient × input against finite differences, integrated gradients' completeness, the teacher-forced forward."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from core.attribution.forward import features_from_embeddings, readout, source_embeddings
from core.attribution.gradients import Attributor, trapezoid
from core.text.vocab import PAD_ID, START_ID
from tests.core.attribution.conftest import tiny_translator

SOURCE = ["the", "cat", "sat", "on", "the", "mat", "."]
TARGET = ["el", "gato", "se", "sentó", "."]


def _log_probs(translator, emb, src, tgt):
    """f_i for every output token, from embedded sources ``emb`` (1, S, E): an eager reference."""
    tgt_in = np.concatenate([[START_ID], tgt[:-1]])[None].astype("int32")
    feats = features_from_embeddings(translator.model, emb, tf.not_equal(src, PAD_ID), tf.constant(tgt_in))
    log_p = tf.nn.log_softmax(readout(translator.model, feats)[0]).numpy()  # (T, vocab), the model's own
    return log_p[np.arange(len(tgt)), tgt]


def test_forward_from_embeddings_is_the_models_forward(translator):
    attributor = Attributor(translator)
    src, tgt = attributor.ids(SOURCE, TARGET)
    tgt_in = np.concatenate([[START_ID], tgt[:-1]])[None].astype("int32")
    expected = translator.model((src, tgt_in)).numpy()
    emb = source_embeddings(translator.model, tf.constant(src))
    feats = features_from_embeddings(translator.model, emb, tf.not_equal(src, PAD_ID), tf.constant(tgt_in))
    np.testing.assert_allclose(readout(translator.model, feats).numpy(), expected, atol=1e-5)


def test_input_feeding_forward_is_the_models_forward():
    translator = tiny_translator("general", input_feeding=True)
    src = translator.encode_batch([SOURCE])
    tgt = np.asarray(translator.tgt_vocab.encode(TARGET), "int32")
    tgt_in = np.concatenate([[START_ID], tgt[:-1]])[None].astype("int32")
    emb = source_embeddings(translator.model, tf.constant(src))
    feats = features_from_embeddings(translator.model, emb, tf.not_equal(src, PAD_ID), tf.constant(tgt_in))
    np.testing.assert_allclose(readout(translator.model, feats).numpy(), translator.model((src, tgt_in)).numpy(),
                               atol=1e-5)  # fmt: skip


@pytest.mark.slow
def test_explained_log_probability_is_the_one_translation_reports(translator):
    """f_i(e) is log of the probability the pages show for output token i: the model's own, nothing banned."""
    tr = translator.translate("the cat sat .")
    result = Attributor(translator).attribute(tr.source_tokens, tr.target_tokens, steps=2)
    np.testing.assert_allclose(np.exp(result.log_probs), tr.probabilities, rtol=1e-3, atol=1e-6)


@pytest.mark.slow
def test_grad_times_input_matches_finite_differences(translator):
    """GI_ij = Σ_d e_jd ∂f_i/∂e_jd = d/dε f_i(e with e_j scaled by 1 + ε) at ε = 0."""
    attributor = Attributor(translator)
    result = attributor.attribute(SOURCE, TARGET, steps=4)
    src, tgt = attributor.ids(SOURCE, TARGET)
    emb = source_embeddings(translator.model, tf.constant(src)).numpy().astype("float64")
    h = 1e-3  # small enough that no ReLU of the Transformer's feed-forward switches inside the step
    numeric = np.zeros((len(TARGET), len(SOURCE)))
    for j in range(len(SOURCE)):
        up, down = emb.copy(), emb.copy()
        up[0, j] *= 1 + h
        down[0, j] *= 1 - h
        f_up = _log_probs(translator, tf.constant(up, tf.float32), src, tgt)
        f_down = _log_probs(translator, tf.constant(down, tf.float32), src, tgt)
        numeric[:, j] = (f_up - f_down) / (2 * h)
    np.testing.assert_allclose(result.grad_input, numeric, atol=2e-3, rtol=2e-2)
    assert np.abs(result.grad_input).max() > 1e-3  # the check is not vacuous


def _assert_complete(translator, baseline, steps, smooth=True):
    """Σ_j IG_ij = f_i(e) - f_i(e') within the reported gap, and the gap within the bound of a smooth integrand."""
    attributor = Attributor(translator, max_rows=64)  # several chunks of integration points
    result = attributor.attribute(SOURCE, TARGET, steps=steps, baseline=baseline)
    src, tgt = attributor.ids(SOURCE, TARGET)
    emb = source_embeddings(translator.model, tf.constant(src))
    base = tf.zeros_like(emb) if baseline == "zero" else source_embeddings(translator.model, tf.zeros_like(src))
    f_x, f_base = _log_probs(translator, emb, src, tgt), _log_probs(translator, base, src, tgt)
    np.testing.assert_allclose(result.log_probs, f_x, atol=1e-4)
    np.testing.assert_allclose(result.baseline_log_probs, f_base, atol=1e-4)
    np.testing.assert_allclose(result.integrated.sum(axis=1) - (f_x - f_base), result.gap, atol=1e-5)
    bound = 0.01 * np.abs(f_x - f_base) + 1e-3 if smooth else 1e-2
    assert np.all(np.abs(result.gap) <= bound), (result.gap, f_x - f_base)
    assert np.abs(f_x - f_base).max() > 1e-2  # the baseline does change the output
    assert result.integrated.shape == result.grad_input.shape == (len(TARGET), len(SOURCE))


@pytest.mark.parametrize("baseline", ["zero", "pad"])
@pytest.mark.slow
def test_integrated_gradients_are_complete(translator, baseline):
    """The bound of a smooth integrand at 32 steps; 512 for the ReLU Transformer, whose gap is first order.

    local-p's hard window edge makes f jump as p_t moves along the path (a jump the trapezoid
    rule cannot integrate), so its gap is bounded in log-probability units instead. The ReLU
    Transformer's f is continuous but its integrand jumps where a feed-forward unit switches
    (see the test below), so its gap falls as 1/steps, not 1/steps²: 16 times the steps.
    """
    arch = translator.config.arch
    _assert_complete(translator, baseline, steps=512 if arch == "transformer" else 32, smooth=arch != "local-p")


@pytest.mark.parametrize("baseline", ["zero", "pad"])
@pytest.mark.slow
def test_a_smooth_feed_forward_transformer_is_complete_at_32_steps(baseline):
    """With a GEGLU feed-forward the Transformer's integrand is smooth, and 32 steps meet the bound."""
    _assert_complete(tiny_translator("transformer", ffn="geglu"), baseline, steps=32)


def _along_path(attributor, alphas):
    """f_i and the integrand g_i = Σ_j Σ_d (e - e')·∇f_i at zero-baseline path points ``alphas``, each (K, T)."""
    src, tgt = attributor.ids(SOURCE, TARGET)
    tgt_in = np.concatenate([[START_ID], tgt[:-1]]).astype("int32")
    f, diff, _ = attributor._fn(src, tgt_in, tgt, np.asarray(alphas, "float32"), tf.constant(0.0))
    return f.numpy(), diff.numpy().sum(axis=-1)


def _relu_signs(translator, alphas, monkeypatch):
    """Which feed-forward ReLU units are on (K, units of every layer and position) at path points ``alphas``."""
    src = translator.encode_batch([SOURCE])
    tgt = np.asarray(translator.tgt_vocab.encode(TARGET), "int32")
    tgt_in = np.concatenate([[START_ID], tgt[:-1]])[None].astype("int32")
    model, seen = translator.model, []

    def recording_relu(z):
        seen.append(z.numpy().reshape(len(alphas), -1) > 0)
        return tf.nn.relu(z)

    with monkeypatch.context() as patch:
        for layer in [*model.encoder_layers, *model.decoder_layers]:
            patch.setattr(layer.feed_forward.w1, "activation", recording_relu)
        points = tf.constant(np.asarray(alphas, "float32"))[:, None, None] * source_embeddings(model, tf.constant(src))
        rows = len(alphas)
        features_from_embeddings(model, points, tf.tile(tf.not_equal(src, PAD_ID), [rows, 1]),
                                 tf.tile(tf.constant(tgt_in), [rows, 1]))  # fmt: skip
    return np.concatenate(seen, axis=1)


@pytest.mark.parametrize("ffn", ["relu", "geglu"])
@pytest.mark.slow
def test_the_transformer_integrand_jumps_only_where_a_relu_switches(ffn, monkeypatch):
    """Narrow the largest step of g_i on a grid of 200 intervals down to a width of 3e-7 in α.

    ReLU: g_i keeps a finite jump there while f_i does not move (f is continuous, its
    derivative is not), and one feed-forward unit switches inside the interval. GEGLU: the
    step shrinks with the interval, as a smooth g_i's must.
    """
    translator = tiny_translator("transformer", ffn=ffn)
    attributor = Attributor(translator, max_rows=2048)
    grid = np.linspace(0.0, 1.0, 201, dtype="float32")
    _, g = _along_path(attributor, grid)
    steps = np.abs(np.diff(g, axis=0))  # (200, T)
    k, i = np.unravel_index(np.argmax(steps), steps.shape)
    assert steps[k, i] > 0.2  # on the grid both look like a jump
    lo, hi = float(grid[k]), float(grid[k + 1])
    for _ in range(14):  # keep the half that holds the larger step of g_i
        mid = 0.5 * (lo + hi)
        _, g = _along_path(attributor, [lo, mid, hi])
        lo, hi = (lo, mid) if abs(g[1, i] - g[0, i]) > abs(g[2, i] - g[1, i]) else (mid, hi)
    f, g = _along_path(attributor, [lo, hi])
    assert hi - lo < 1e-6
    assert abs(f[1, i] - f[0, i]) < 1e-4
    if ffn == "relu":
        assert abs(g[1, i] - g[0, i]) > 0.2  # a jump in the integrand: what the trapezoid rule integrates to O(1/steps)
        signs = _relu_signs(translator, [lo, hi], monkeypatch)
        assert (signs[0] != signs[1]).sum() >= 1
    else:
        assert abs(g[1, i] - g[0, i]) < 1e-3


@pytest.mark.slow
def test_more_steps_shrink_the_gap():
    translator = tiny_translator("additive", seed=4)
    attributor = Attributor(translator)
    coarse = attributor.attribute(SOURCE, TARGET, steps=2)
    fine = attributor.attribute(SOURCE, TARGET, steps=64)
    assert np.abs(fine.gap).sum() < np.abs(coarse.gap).sum()


@pytest.mark.slow
def test_one_trace_for_every_sentence():
    translator = tiny_translator("transformer")
    attributor = Attributor(translator, max_rows=40)
    attributor.attribute(SOURCE, TARGET, steps=8)
    attributor.attribute(["i", "am", "cold", "."], ["tengo", "frío", "."], steps=16, baseline="pad")
    assert attributor._fn.experimental_get_tracing_count() == 1


@pytest.mark.slow
def test_shares_and_empty_translation():
    translator = tiny_translator("additive")
    result = Attributor(translator).attribute(SOURCE, TARGET, steps=4)
    shares = result.shares("integrated")
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-6)
    assert shares.min() >= 0
    empty = Attributor(translator).attribute(SOURCE, [], steps=4)
    assert empty.integrated.shape == (0, len(SOURCE)) and empty.relative_gap == 0.0
    with pytest.raises(ValueError, match="baseline"):
        Attributor(translator).attribute(SOURCE, TARGET, baseline="noise")
    with pytest.raises(ValueError, match="step"):
        trapezoid(0)
