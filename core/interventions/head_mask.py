"""A Transformer whose attention heads can be switched off, as a decoding view over the unchanged model.

``keep`` (3, layers, heads) holds 1 for a head that works and 0 for one switched off, for the
encoder self-attention, decoder self-attention and cross-attention (:data:`KINDS`, in that
order). A switched-off head either contributes nothing (``uniform = 0``: its weights, and so its
output before ``W^O``, are zero) or spreads its weight uniformly over the keys it may see
(``uniform = 1``):

.. math::
    \\mathrm{head}_h = \\big(k_h A_h + (1 - k_h)\\, u\\, U\\big) V_h, \\qquad
    U_{ij} = \\frac{m_{ij}}{\\sum_{j'} m_{ij'}}

with ``A_h`` the head's softmax weights, ``m`` the attention mask and ``u`` the mode. Both
``keep`` and ``uniform`` are tensors passed into the call, so a ``tf.function`` over
:class:`HeadMasked` is traced once and serves every mask. The layers' own weights and
residual/normalisation code are reused; only the attention core is written out here.
"""

from __future__ import annotations

import math

from keras import ops

from core.attention.masking import masked_softmax
from core.text.vocab import PAD_ID

KINDS = ("encoder_self", "decoder_self", "cross")
MODES = ("zero", "uniform")


def masked_heads(layer, query, key_value, mask, keep, uniform):
    """Multi-head attention of ``layer`` with heads switched off.

    ``query`` (batch, tgt, d_model); ``key_value`` per-head keys and values (batch, heads, src,
    d_head); ``mask`` broadcastable to (batch, heads, tgt, src), True = may attend; ``keep``
    (heads,); ``uniform`` scalar. Returns ``(output (batch, tgt, d_model), weights used (batch,
    heads, tgt, src))``.
    """
    k, v = key_value
    q = layer._split_heads(layer.w_query(query))  # (batch, heads, tgt, d_head)
    scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(layer.d_head)  # (batch, heads, tgt, src)
    weights = masked_softmax(scores, mask)
    allowed = (
        ops.ones_like(weights) if mask is None else ops.cast(ops.broadcast_to(mask, ops.shape(weights)), weights.dtype)
    )
    spread = allowed / ops.maximum(ops.sum(allowed, axis=-1, keepdims=True), 1.0)
    on = ops.reshape(ops.cast(keep, weights.dtype), (1, -1, 1, 1))  # (1, heads, 1, 1)
    used = on * weights + (1.0 - on) * ops.cast(uniform, weights.dtype) * spread
    return layer.w_output(layer._merge_heads(ops.matmul(used, v))), used


class HeadMasked:
    """``init_decoding`` / ``decode_step`` of a :class:`~core.models.transformer.Transformer` with ``keep`` applied.

    Same memory, state and attention structures as the model's own cached decoding, so the
    project's greedy and forced searches run on it unchanged.
    """

    def __init__(self, model, keep, uniform):
        self.model = model
        self.config = model.config
        self.step_attention_names = model.step_attention_names  # the decoders read the keys statically
        self.keep = keep  # (3, layers, heads)
        self.uniform = uniform  # scalar

    def encode(self, src):
        """Encoder output (batch, S, d), mask (batch, S), self-attention used (batch, layers, heads, S, S)."""
        model = self.model
        mask = ops.not_equal(src, PAD_ID)  # (batch, S)
        key_mask = mask[:, None, None, :]
        x = model.src_embedding(src)
        weights = []
        for i, layer in enumerate(model.encoder_layers):
            sa = layer.self_attention

            def attend(h, sa=sa, i=i):
                return masked_heads(sa, h, sa.project_key_value(h), key_mask, self.keep[0, i], self.uniform)

            x, w = layer._sublayer(x, layer.norm1, attend, False)
            x, _ = layer._sublayer(x, layer.norm2, lambda h, layer=layer: (layer.feed_forward(h), None), False)
            weights.append(w)
        if self.config.norm == "pre":
            x = model.encoder_norm(x)
        return x, mask, ops.stack(weights, axis=1)

    def init_decoding(self, src):
        enc, mask, enc_w = self.encode(src)
        keys, values = zip(*(layer.cross_attention.project_key_value(enc) for layer in self.model.decoder_layers),
                           strict=True)  # fmt: skip
        memory = {"encoder": enc, "mask": mask, "cross_key": ops.stack(keys, axis=1),
                  "cross_value": ops.stack(values, axis=1), "encoder_self": enc_w}  # fmt: skip
        c = self.config
        shape = (ops.shape(src)[0], c.num_layers, c.num_heads, c.max_decode_len, self.model.d_head)
        return memory, {"key": ops.zeros(shape, enc.dtype), "value": ops.zeros(shape, enc.dtype)}

    def decode_step(self, token, step, memory, state):
        model, c = self.model, self.config
        x = model.tgt_embedding(ops.expand_dims(token, 1), start=step)  # (batch, 1, d)
        positions = ops.arange(c.max_decode_len)
        here = ops.reshape(ops.equal(positions, step), (1, 1, c.max_decode_len, 1))
        seen = ops.reshape(ops.less_equal(positions, step), (1, 1, 1, c.max_decode_len))
        src_mask = ops.cast(memory["mask"], "bool")[:, None, None, :]
        keys, values, self_ws, cross_ws = [], [], [], []
        for i, layer in enumerate(model.decoder_layers):
            sa, ca = layer.self_attention, layer.cross_attention
            cache = {}

            def self_attend(h, sa=sa, i=i, cache=cache):
                k_new, v_new = sa.project_key_value(h)  # (batch, heads, 1, d_head): this position's key and value
                cache["key"] = ops.where(here, k_new, state["key"][:, i])  # (batch, heads, max_len, d_head)
                cache["value"] = ops.where(here, v_new, state["value"][:, i])
                return masked_heads(sa, h, (cache["key"], cache["value"]), seen, self.keep[1, i], self.uniform)

            def cross_attend(h, ca=ca, i=i):
                kv = (memory["cross_key"][:, i], memory["cross_value"][:, i])
                return masked_heads(ca, h, kv, src_mask, self.keep[2, i], self.uniform)

            x, self_w = layer._sublayer(x, layer.norm1, self_attend, False)
            x, cross_w = layer._sublayer(x, layer.norm2, cross_attend, False)
            x, _ = layer._sublayer(x, layer.norm3, lambda h, layer=layer: (layer.feed_forward(h), None), False)
            keys.append(cache["key"])
            values.append(cache["value"])
            self_ws.append(self_w[:, :, 0])
            cross_ws.append(cross_w[:, :, 0])
        if c.norm == "pre":
            x = model.decoder_norm(x)
        logits = model.output_layer(x[:, 0])
        new_state = {"key": ops.stack(keys, axis=1), "value": ops.stack(values, axis=1)}
        return logits, new_state, {"cross": ops.stack(cross_ws, axis=1), "self": ops.stack(self_ws, axis=1)}
