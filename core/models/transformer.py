"""The Transformer encoder–decoder (Vaswani et al., 2017).

Encoder layer: self-attention, then a position-wise feed-forward network. Decoder layer:
causal self-attention, cross-attention over the encoder output, feed-forward. Each
sub-layer is wrapped in a residual connection with layer normalisation, either after
the sum (``norm="post"``, the original) or before the sub-layer (``norm="pre"``, which
adds a final LayerNorm to each stack):

.. math::
    \\text{post:}\\; x \\leftarrow \\mathrm{LN}(x + \\mathrm{Dropout}(F(x))), \\qquad
    \\text{pre:}\\; x \\leftarrow x + \\mathrm{Dropout}(F(\\mathrm{LN}(x)))

Inputs are ``√d · E[token] + PE(pos)`` and the output is a linear map to the target
vocabulary. Every attention weight goes back to the caller; no layer stores one.

Decoding (:meth:`Transformer.init_decoding` / :meth:`Transformer.decode_step`) keeps
the per-layer self-attention keys and values of past steps in fixed-shape caches of
``max_decode_len`` rows, and projects the encoder output to cross-attention keys and
values once per sentence. :meth:`Transformer.decode_step_uncached` is the baseline that
reruns the decoder over the whole prefix at every step.
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.multi_head import MultiHeadAttention
from core.layers.feed_forward import FeedForward
from core.layers.positional import PositionalEmbedding
from core.models.config import ModelConfig
from core.text.vocab import PAD_ID

_NORM_EPSILON = 1e-6


class _Residual:
    """Residual wrapper shared by the encoder and decoder layers: post- or pre-norm."""

    def compute_mask(self, *args, **kwargs):
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "d_model": self.d_model,
            "num_heads": self.num_heads,
            "ff_dim": self.ff_dim,
            "ffn": self.ffn_kind,
            "norm": self.norm,
            "dropout": self.dropout_rate,
        }

    def _sublayer(self, x, norm, fn, training):
        """``fn`` returns ``(output, extras)``; returns ``(new x, extras)``."""
        if self.norm == "pre":
            out, extras = fn(norm(x))
            return x + self.dropout(out, training=training), extras
        out, extras = fn(x)
        return norm(x + self.dropout(out, training=training)), extras


@keras.saving.register_keras_serializable(package="attention_lab")
class EncoderLayer(_Residual, keras.layers.Layer):
    """Self-attention + feed-forward. ``call(x, key_mask)`` -> ``(x, weights (batch, heads, src_len, src_len))``."""

    def __init__(self, d_model, num_heads, ff_dim, ffn="relu", norm="post", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if norm not in ("pre", "post"):
            raise ValueError(f"norm {norm!r} is not one of ('pre', 'post')")
        self.d_model, self.num_heads, self.ff_dim = d_model, num_heads, ff_dim
        self.ffn_kind, self.norm, self.dropout_rate = ffn, norm, dropout
        self.self_attention = MultiHeadAttention(num_heads, d_model, name="self_attention")
        self.feed_forward = FeedForward(d_model, ff_dim, ffn, dropout=dropout, name="feed_forward")
        self.norm1 = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="norm1")
        self.norm2 = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="norm2")
        self.dropout = keras.layers.Dropout(dropout)

    def build(self, x_shape):
        self.self_attention.build(x_shape)
        self.feed_forward.build(x_shape)
        self.norm1.build(x_shape)
        self.norm2.build(x_shape)
        self.built = True

    def call(self, x, key_mask=None, training=False):
        x, weights = self._sublayer(x, self.norm1, lambda h: self.self_attention(h, key_mask=key_mask), training)
        x, _ = self._sublayer(x, self.norm2, lambda h: (self.feed_forward(h, training=training), None), training)
        return x, weights


@keras.saving.register_keras_serializable(package="attention_lab")
class DecoderLayer(_Residual, keras.layers.Layer):
    """Causal self-attention + cross-attention + feed-forward.

    ``call(x, memory, src_mask, tgt_mask)`` -> ``(x, self weights (batch, heads, tgt_len,
    tgt_len), cross weights (batch, heads, tgt_len, src_len))``; :meth:`decode_step` is one cached
    decoding step.
    """

    def __init__(self, d_model, num_heads, ff_dim, ffn="relu", norm="post", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if norm not in ("pre", "post"):
            raise ValueError(f"norm {norm!r} is not one of ('pre', 'post')")
        self.d_model, self.num_heads, self.ff_dim = d_model, num_heads, ff_dim
        self.ffn_kind, self.norm, self.dropout_rate = ffn, norm, dropout
        self.self_attention = MultiHeadAttention(num_heads, d_model, name="self_attention")
        self.cross_attention = MultiHeadAttention(num_heads, d_model, name="cross_attention")
        self.feed_forward = FeedForward(d_model, ff_dim, ffn, dropout=dropout, name="feed_forward")
        self.norm1 = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="norm1")
        self.norm2 = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="norm2")
        self.norm3 = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="norm3")
        self.dropout = keras.layers.Dropout(dropout)

    def build(self, x_shape, memory_shape=None):
        memory_shape = x_shape if memory_shape is None else memory_shape
        self.self_attention.build(x_shape)
        self.cross_attention.build(x_shape, memory_shape)
        self.feed_forward.build(x_shape)
        for norm in (self.norm1, self.norm2, self.norm3):
            norm.build(x_shape)
        self.built = True

    def call(self, x, memory, src_mask=None, tgt_mask=None, training=False):
        x, self_w = self._sublayer(
            x, self.norm1, lambda h: self.self_attention(h, key_mask=tgt_mask, causal=True), training
        )
        x, cross_w = self._sublayer(
            x, self.norm2, lambda h: self.cross_attention(h, memory, key_mask=src_mask), training
        )
        x, _ = self._sublayer(x, self.norm3, lambda h: (self.feed_forward(h, training=training), None), training)
        return x, self_w, cross_w

    def decode_step(self, x, step, key_cache, value_cache, cross_key_value, src_mask):
        """One position: ``x`` (batch, 1, d_model) at ``step``, caches (batch, heads, max_len, d_head).

        Returns ``(x, self weights (batch, heads, 1, max_len), cross weights (batch, heads, 1,
        src_len), key_cache, value_cache)``.
        """
        caches = {}

        def self_attend(h):
            out, w, caches["key"], caches["value"] = self.self_attention.call_cached(h, step, key_cache, value_cache)
            return out, w

        x, self_w = self._sublayer(x, self.norm1, self_attend, False)
        x, cross_w = self._sublayer(
            x, self.norm2, lambda h: self.cross_attention(h, key_value=cross_key_value, key_mask=src_mask), False
        )
        x, _ = self._sublayer(x, self.norm3, lambda h: (self.feed_forward(h), None), False)
        return x, self_w, cross_w, caches["key"], caches["value"]


@keras.saving.register_keras_serializable(package="attention_lab")
class Transformer(keras.Model):
    """Encoder–decoder Transformer; returns every layer's and head's attention on request.

    ``call((src, tgt_in), return_attention_scores=True)`` gives ``(logits, attention)`` with
    ``attention = {"encoder_self": (batch, layers, heads, src_len, src_len), "decoder_self":
    (batch, layers, heads, tgt_len, tgt_len), "cross": (batch, layers, heads, tgt_len, src_len)}``.
    """

    def __init__(self, config: ModelConfig | dict, **kwargs):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
        c = self.config
        block = dict(
            d_model=c.d_model, num_heads=c.num_heads, ff_dim=c.ff_dim, ffn=c.ffn, norm=c.norm, dropout=c.dropout
        )
        self.src_embedding = PositionalEmbedding(c.src_vocab_size, c.d_model, name="src_embedding")
        self.tgt_embedding = PositionalEmbedding(c.tgt_vocab_size, c.d_model, name="tgt_embedding")
        self.encoder_layers = [EncoderLayer(**block, name=f"encoder_{i}") for i in range(c.num_layers)]
        self.decoder_layers = [DecoderLayer(**block, name=f"decoder_{i}") for i in range(c.num_layers)]
        if c.norm == "pre":
            self.encoder_norm = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="encoder_norm")
            self.decoder_norm = keras.layers.LayerNormalization(epsilon=_NORM_EPSILON, name="decoder_norm")
        self.dropout = keras.layers.Dropout(c.dropout)
        self.output_layer = keras.layers.Dense(c.tgt_vocab_size, name="output")

    @property
    def d_head(self) -> int:
        return self.config.d_model // self.config.num_heads

    # -- teacher-forced passes ---------------------------------------------------------------
    def encode(self, src, training=False):
        """``src`` (batch, src_len) -> encoder output (batch, src_len, d_model), mask (batch, src_len),
        self-attention weights (batch, layers, heads, src_len, src_len)."""
        mask = ops.not_equal(src, PAD_ID)  # (batch, src_len)
        x = self.dropout(self.src_embedding(src), training=training)
        weights = []
        for layer in self.encoder_layers:
            x, w = layer(x, key_mask=mask, training=training)  # w (batch, heads, src_len, src_len)
            weights.append(w)
        if self.config.norm == "pre":
            x = self.encoder_norm(x)
        return x, mask, ops.stack(weights, axis=1)

    def decode(self, tgt_in, memory, src_mask, tgt_mask=None, training=False, start=0):
        """Decoder stack over ``tgt_in`` (batch, tgt_len): hidden states (batch, tgt_len, d_model),
        self weights (batch, layers, heads, tgt_len, tgt_len), cross weights (batch, layers, heads,
        tgt_len, src_len)."""
        x = self.dropout(self.tgt_embedding(tgt_in, start=start), training=training)
        self_ws, cross_ws = [], []
        for layer in self.decoder_layers:
            x, self_w, cross_w = layer(x, memory, src_mask=src_mask, tgt_mask=tgt_mask, training=training)
            self_ws.append(self_w)
            cross_ws.append(cross_w)
        if self.config.norm == "pre":
            x = self.decoder_norm(x)
        return x, ops.stack(self_ws, axis=1), ops.stack(cross_ws, axis=1)

    def call(self, inputs, training=False, return_attention_scores=False):
        src, tgt_in = inputs  # (batch, src_len), (batch, tgt_len)
        memory, src_mask, enc_w = self.encode(src, training=training)
        tgt_mask = ops.not_equal(tgt_in, PAD_ID)  # (batch, tgt_len); the causal mask is added per layer
        x, self_w, cross_w = self.decode(tgt_in, memory, src_mask, tgt_mask, training=training)
        logits = self.output_layer(x)  # (batch, tgt_len, vocab)
        if not return_attention_scores:
            return logits
        return logits, {"encoder_self": enc_w, "decoder_self": self_w, "cross": cross_w}

    # -- step-by-step decoding with caches ---------------------------------------------------
    step_attention_names = ("cross", "self")  # keys of the attention dict decode_step returns

    def init_decoding(self, src):
        """Per-sentence memory and the empty self-attention caches, all batch-first.

        memory: ``encoder`` (batch, src_len, d_model), ``mask`` (batch, src_len), ``cross_key`` /
        ``cross_value`` (batch, layers, heads, src_len, d_head), ``encoder_self`` (batch, layers,
        heads, src_len, src_len). state: ``key`` / ``value`` (batch, layers, heads, max_decode_len,
        d_head).
        """
        enc, mask, enc_w = self.encode(src)
        keys, values = zip(
            *(layer.cross_attention.project_key_value(enc) for layer in self.decoder_layers), strict=True
        )
        memory = {
            "encoder": enc,
            "mask": mask,
            "cross_key": ops.stack(keys, axis=1),
            "cross_value": ops.stack(values, axis=1),
            "encoder_self": enc_w,
        }
        shape = (
            ops.shape(src)[0],
            self.config.num_layers,
            self.config.num_heads,
            self.config.max_decode_len,
            self.d_head,
        )
        return memory, {"key": ops.zeros(shape, enc.dtype), "value": ops.zeros(shape, enc.dtype)}

    def decode_step(self, token, step, memory, state):
        """Decode ``token`` (batch,) int at position ``step`` (scalar int, < max_decode_len).

        Returns ``logits (batch, vocab)``, the new state (same structure and shapes), and the
        step's attention ``{"cross": (batch, layers, heads, src_len), "self": (batch, layers,
        heads, max_decode_len)}``; the self weights are zero beyond ``step``.
        """
        x = self.tgt_embedding(ops.expand_dims(token, 1), start=step)  # (batch, 1, d_model)
        keys, values, self_ws, cross_ws = [], [], [], []
        for i, layer in enumerate(self.decoder_layers):
            cross_kv = (memory["cross_key"][:, i], memory["cross_value"][:, i])
            x, self_w, cross_w, k, v = layer.decode_step(
                x, step, state["key"][:, i], state["value"][:, i], cross_kv, memory["mask"]
            )
            keys.append(k)
            values.append(v)
            self_ws.append(self_w[:, :, 0])  # (batch, heads, max_decode_len)
            cross_ws.append(cross_w[:, :, 0])  # (batch, heads, src_len)
        if self.config.norm == "pre":
            x = self.decoder_norm(x)
        logits = self.output_layer(x[:, 0])  # (batch, vocab)
        new_state = {"key": ops.stack(keys, axis=1), "value": ops.stack(values, axis=1)}
        return logits, new_state, {"cross": ops.stack(cross_ws, axis=1), "self": ops.stack(self_ws, axis=1)}

    # -- the no-cache baseline ---------------------------------------------------------------
    def init_decoding_uncached(self, src):
        """Memory as :meth:`init_decoding`; the state is the token prefix ``tokens`` (batch, max_decode_len)."""
        memory, _ = self.init_decoding(src)
        return memory, {"tokens": ops.zeros((ops.shape(src)[0], self.config.max_decode_len), "int32")}

    def decode_step_uncached(self, token, step, memory, state):
        """:meth:`decode_step` without caches: reruns the decoder over positions ``0..step``.

        Same outputs as the cached step (to rounding) at O(step) cost per step; a baseline
        for benchmarks and a check of the cache.
        """
        max_len = self.config.max_decode_len
        here = ops.equal(ops.arange(max_len), step)[None]  # (1, max_decode_len)
        tokens = ops.where(here, ops.cast(ops.expand_dims(token, 1), "int32"), state["tokens"])
        prefix = tokens[:, : step + 1]  # (batch, step + 1)
        x, self_w, cross_w = self.decode(prefix, memory["encoder"], memory["mask"])
        logits = self.output_layer(x[:, -1])  # (batch, vocab)
        pad = [[0, 0], [0, 0], [0, 0], [0, max_len - 1 - step]]
        attention = {"cross": cross_w[:, :, :, -1], "self": ops.pad(self_w[:, :, :, -1], pad)}
        return logits, {"tokens": tokens}, attention

    def uncached(self):
        """A view of this model whose ``init_decoding`` / ``decode_step`` are the uncached baseline."""
        return UncachedDecoding(self)

    # -- serialisation -----------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class UncachedDecoding:
    """Wraps a :class:`Transformer` so decoders (``Translator``, beam search) run the no-cache baseline."""

    def __init__(self, model: Transformer):
        self.model = model
        self.config = model.config
        self.step_attention_names = model.step_attention_names

    def init_decoding(self, src):
        return self.model.init_decoding_uncached(src)

    def decode_step(self, token, step, memory, state):
        return self.model.decode_step_uncached(token, step, memory, state)
