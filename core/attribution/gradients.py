"""Gradient × input and integrated gradients of each output token over the source token embeddings.

For output token ``i`` the explained quantity is the model's own log-probability of the token
it wrote, teacher-forced on its own output ``y``:

.. math::
    f_i(e) = \\log p(y_i \\mid y_{<i}, e), \\qquad e = (e_1, \\dots, e_S),\\ e_j = E[x_j]

— the softmax over the whole vocabulary, the probability the pages show, not renormalised
over the tokens the decoder may write. Per source token ``j`` the attribution is the **signed sum over the embedding dimensions** ``d``:

.. math::
    \\mathrm{GI}_{ij} = \\sum_d e_{jd} \\, \\frac{\\partial f_i}{\\partial e_{jd}}, \\qquad
    \\mathrm{IG}_{ij} = \\sum_d (e_{jd} - e'_{jd}) \\int_0^1
        \\frac{\\partial f_i(e' + \\alpha (e - e'))}{\\partial e_{jd}} \\, d\\alpha

(Shrikanth et al. 2016; Sundararajan et al. 2017). The signed sum keeps IG's completeness:
``Σ_j IG_ij = f_i(e) - f_i(e')``, up to the error of the trapezoidal rule over ``steps``
intervals, which :attr:`Attribution.gap` reports per output token. The baseline ``e'`` is
the zero vector or the padding token's embedding at every source position (the positions
and the source mask stay those of the sentence).

How fast the gap falls with ``steps`` depends on the model. The integrand is the derivative
of ``f_i`` along the path,

.. math::
    g_i(\\alpha) = \\sum_{j,d} (e_{jd} - e'_{jd}) \\,
        \\frac{\\partial f_i}{\\partial e_{jd}}\\big(e' + \\alpha (e - e')\\big)
        = \\frac{d}{d\\alpha} f_i\\big(e' + \\alpha (e - e')\\big),

and the trapezoidal error is ``O(1/steps²)`` only where ``g_i`` is smooth: the recurrent
models with global attention, and Transformers with a gated feed-forward (GLU, GEGLU,
SwiGLU). local-p's hard window makes ``f_i`` itself jump where an edge ``p_t ± D`` crosses
a source position. With the ReLU feed-forward a Transformer is piecewise smooth along the
path: ``f_i`` stays continuous, so the integral is still exactly ``f_i(e) - f_i(e')``, but
wherever a hidden unit ``max(0, xW_1 + b_1)`` of any layer and position switches on or off,
``g_i`` jumps by a finite amount ``J``. A jump inside an interval of width ``1/steps`` adds
up to ``|J| / (2·steps)`` to the gap, with a sign set by where the switch falls in the
interval, so the gap of such a model is first order: it falls only as ``1/steps``, and
unevenly. The gap reported is this integration error and nothing else; the gradient at
every point is exact.

Every output token and every integration point is one row of a single batch: for ``T``
output tokens and ``steps + 1`` points the model runs once on ``T·(steps+1)`` rows (in
chunks of at most ``max_rows``) inside one ``tf.function``, traced once per model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core.attribution.forward import features_from_embeddings, readout, source_embeddings
from core.text.vocab import PAD_ID, START_ID

BASELINES = ("zero", "pad")
METHODS = ("integrated", "grad_input")
DEFAULT_STEPS = 32


@dataclass(frozen=True)
class Attribution:
    """Per output token (rows) and source token (columns): how much each source word moved ``log p``.

    ``integrated`` and ``grad_input`` are (target_len, source_len), signed. ``log_probs`` is
    ``f_i(e)`` and ``baseline_log_probs`` ``f_i(e')`` per output token.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    integrated: np.ndarray  # (T, S)
    grad_input: np.ndarray  # (T, S)
    log_probs: np.ndarray  # (T,)
    baseline_log_probs: np.ndarray  # (T,)
    steps: int
    baseline: str

    @property
    def delta(self) -> np.ndarray:
        """``f_i(e) - f_i(e')`` (T,): what integrated gradients must add up to."""
        return self.log_probs - self.baseline_log_probs

    @property
    def gap(self) -> np.ndarray:
        """Completeness gap ``Σ_j IG_ij - (f_i(e) - f_i(e'))`` (T,), the integration error."""
        return self.integrated.sum(axis=1) - self.delta

    @property
    def relative_gap(self) -> float:
        """Largest ``|gap_i| / |delta_i|`` over output tokens (0 for an empty translation)."""
        if not len(self.delta):
            return 0.0
        return float(np.max(np.abs(self.gap) / np.maximum(np.abs(self.delta), 1e-6)))

    def matrix(self, method: str) -> np.ndarray:
        """The signed (T, S) attribution of ``method`` (one of :data:`METHODS`)."""
        if method not in METHODS:
            raise ValueError(f"method {method!r} is not one of {METHODS}")
        return self.integrated if method == "integrated" else self.grad_input

    def shares(self, method: str) -> np.ndarray:
        """``|A_ij| / Σ_k |A_ik|`` (T, S): each row's share of the absolute attribution, in [0, 1].

        Rows sum to 1 like attention rows, so both can be drawn on one colour scale.
        """
        magnitude = np.abs(self.matrix(method))
        total = magnitude.sum(axis=1, keepdims=True)
        return np.divide(magnitude, total, out=np.zeros_like(magnitude), where=total > 0)


def trapezoid(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Points ``α_k = k / steps`` (k = 0..steps) and trapezoidal weights that sum to 1."""
    if steps < 1:
        raise ValueError(f"integrated gradients need at least 1 step, got {steps}")
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype="float32")
    weights = np.full(steps + 1, 1.0 / steps, dtype="float32")
    weights[[0, -1]] *= 0.5
    return alphas, weights


class Attributor:
    """Attribution for the translations of one :class:`~core.decoding.Translator`; read-only, shareable.

    ``max_rows`` bounds the batch of one model call (output tokens × integration points).
    """

    def __init__(self, translator, max_rows: int = 256):
        self.translator = translator
        self.model = translator.model
        self.max_rows = int(max_rows)
        self._lock = translator._lock  # one TensorFlow call at a time per model, shared with its Translator
        self._fn = tf.function(
            self._points,
            input_signature=[
                tf.TensorSpec([1, None], tf.int32),  # src
                tf.TensorSpec([None], tf.int32),  # tgt_in
                tf.TensorSpec([None], tf.int32),  # targets
                tf.TensorSpec([None], tf.float32),  # alphas
                tf.TensorSpec([], tf.float32),  # 1 = padding-embedding baseline, 0 = zero
            ],
        )

    def _points(self, src, tgt_in, targets, alphas, use_pad):
        """At every ``α`` and for every output token: ``f``, ``Σ_d (e - e')·∇f`` and ``Σ_d e·∇f``, each (K, T[, S])."""
        model = self.model
        mask = tf.not_equal(src, PAD_ID)  # (1, S)
        e = source_embeddings(model, src)  # (1, S, E)
        base = use_pad * source_embeddings(model, tf.zeros_like(src))  # (1, S, E)
        k, t = tf.shape(alphas)[0], tf.shape(targets)[0]
        points = base + alphas[:, None, None] * (e - base)  # (K, S, E)
        points = tf.repeat(points, t, axis=0)  # (K·T, S, E); row k·T + i explains output token i
        rows = k * t
        with tf.GradientTape() as tape:
            tape.watch(points)
            feats = features_from_embeddings(
                model, points, tf.tile(mask, [rows, 1]), tf.tile(tgt_in[None], [rows, 1])
            )  # (K·T, T, F)
            own = tf.gather(feats, tf.tile(tf.range(t), [k]), batch_dims=1)  # (K·T, F): row i's position i
            log_p = tf.nn.log_softmax(readout(model, own))  # (K·T, vocab): the model's own, no token banned
            f = tf.gather(log_p, tf.tile(targets, [k]), batch_dims=1)  # (K·T,)
        grads = tape.gradient(f, points)  # (K·T, S, E); rows are independent, so Σ f gives each row's own
        diff = tf.reduce_sum((e - base) * grads, axis=-1)  # (K·T, S)
        plain = tf.reduce_sum(e * grads, axis=-1)
        shape = tf.stack([k, t, -1])
        return tf.reshape(f, [k, t]), tf.reshape(diff, shape), tf.reshape(plain, shape)

    def ids(self, source_tokens, target_tokens) -> tuple[np.ndarray, np.ndarray]:
        """Source ids (1, S) and target ids (T,) of a translation's tokens."""
        src = self.translator.encode_batch([list(source_tokens)])
        tgt = np.asarray(self.translator.tgt_vocab.encode(list(target_tokens)), dtype="int32")
        return src, tgt

    def attribute(
        self, source_tokens, target_tokens, steps: int = DEFAULT_STEPS, baseline: str = "zero"
    ) -> Attribution:
        """Integrated gradients (``steps`` intervals) and gradient × input for every output token."""
        if baseline not in BASELINES:
            raise ValueError(f"baseline {baseline!r} is not one of {BASELINES}")
        source_tokens, target_tokens = list(source_tokens), list(target_tokens)
        s, t = len(source_tokens), len(target_tokens)
        if s == 0 or t == 0:
            empty = np.zeros((t, s), "float32")
            return Attribution(source_tokens, target_tokens, empty, empty.copy(), np.zeros(t, "float32"),
                               np.zeros(t, "float32"), steps, baseline)  # fmt: skip
        src, tgt = self.ids(source_tokens, target_tokens)
        tgt_in = np.concatenate([[START_ID], tgt[:-1]]).astype("int32")
        alphas, weights = trapezoid(steps)
        chunk = max(1, self.max_rows // t)
        fs, diffs, plains = [], [], []
        with self._lock:
            for start in range(0, len(alphas), chunk):
                out = self._fn(src, tgt_in, tgt, alphas[start : start + chunk], tf.constant(float(baseline == "pad")))
                f, diff, plain = (x.numpy() for x in out)
                fs.append(f)
                diffs.append(diff)
                plains.append(plain)
        f, diff, plain = np.concatenate(fs), np.concatenate(diffs), np.concatenate(plains)  # (K, T[, S])
        integrated = np.tensordot(weights, diff, axes=1)  # (T, S)
        return Attribution(
            source_tokens=source_tokens,
            target_tokens=target_tokens,
            integrated=integrated.astype("float32"),
            grad_input=plain[-1].astype("float32"),  # α = 1: the sentence itself
            log_probs=f[-1].astype("float32"),
            baseline_log_probs=f[0].astype("float32"),
            steps=int(steps),
            baseline=baseline,
        )

    def attribute_translation(self, translation, steps: int = DEFAULT_STEPS, baseline: str = "zero") -> Attribution:
        """:meth:`attribute` for a :class:`~core.decoding.Translation` (its own output, teacher-forced)."""
        return self.attribute(translation.source_tokens, translation.target_tokens, steps, baseline)
