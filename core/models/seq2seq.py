"""Recurrent encoder–decoder with attention.

Encoder: bidirectional GRU over the source embeddings, ``h_j = [→h_j; ←h_j]``.
Decoder, at each target step ``t``:

.. math::
    s_t = \\mathrm{GRU}(x_t, s_{t-1}), \\quad
    (c_t, \\alpha_t) = \\mathrm{Attention}(s_t, h), \\quad
    \\tilde s_t = \\tanh(W_c [c_t; s_t]), \\quad
    p(y_t) = \\mathrm{softmax}(W_o \\tilde s_t)

with ``x_t = E y_{t-1}``, or ``x_t = [E y_{t-1}; \\tilde s_{t-1}]`` (``\\tilde s_0 = 0``)
with Luong's *input feeding*. The decoder state is the attention query (Luong et al.,
2015); ``config.arch`` picks the score:

* ``additive`` — Bahdanau's ``vᵀ tanh(W₁ s + W₂ h)`` (:class:`AdditiveAttention`);
* ``dot`` / ``general`` / ``concat`` — Luong's global scores (:class:`LuongAttention`).
  ``dot`` has no parameters, so it needs ``decoder_units == 2 · encoder_units`` (the size
  of the bidirectional encoder states) and raises a ``ValueError`` otherwise, instead of
  adding a learned projection of the memory that would make it ``general`` in disguise;
* ``local-p`` — Luong's local-p attention with the ``general`` score and half-width
  ``config.window`` (:class:`LocalPAttention`); it also predicts a source position ``p_t``
  per step, returned by ``call(..., return_positions=True)`` and by ``decode_step`` as
  ``attention["position"]``.

Without input feeding, teacher forcing in training lets the attention of every step
run at once. With it, each step needs the previous step's ``\\tilde s``, so ``call``
runs the decoder step by step in a ``keras.ops.scan`` (a ``tf.while_loop`` on the
TensorFlow backend) that works inside Keras' ``tf.function`` with any target length.
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.additive import AdditiveAttention
from core.attention.local import LocalPAttention
from core.attention.multiplicative import LuongAttention
from core.models.config import RNN_ARCHITECTURES, ModelConfig
from core.text.vocab import PAD_ID


def _make_attention(c: ModelConfig) -> keras.layers.Layer:
    """The attention layer of ``c.arch``; always named ``attention`` (weight files key on it)."""
    if c.arch == "additive":
        return AdditiveAttention(c.attention_units, name="attention")
    if c.arch == "local-p":
        return LocalPAttention(
            "general", window=c.window, units=c.attention_units, softmax=c.local_softmax, name="attention"
        )
    return LuongAttention(c.arch, units=c.attention_units if c.arch == "concat" else None, name="attention")


@keras.saving.register_keras_serializable(package="attention_lab")
class Seq2SeqAttention(keras.Model):
    """Bi-GRU encoder, GRU decoder and the attention ``config.arch`` names; returns attention weights on request."""

    def __init__(self, config: ModelConfig | dict, **kwargs):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
        c = self.config
        if c.arch not in RNN_ARCHITECTURES:
            raise ValueError(f"Seq2SeqAttention builds the recurrent models {RNN_ARCHITECTURES}, not arch {c.arch!r}")
        if c.arch == "dot" and c.decoder_units != 2 * c.encoder_units:
            raise ValueError(
                f"dot attention scores sᵀh without parameters, so decoder_units ({c.decoder_units}) must equal the "
                f"size of the bidirectional encoder states, 2 * encoder_units ({2 * c.encoder_units}); "
                "change one of them or use arch 'general'"
            )
        self.predicts_positions = c.arch == "local-p"  # local-p also reports the predicted centre p_t
        # Creation order and names are those of the first (additive) model: saved weights depend on them.
        self.src_embedding = keras.layers.Embedding(c.src_vocab_size, c.embedding_dim, name="src_embedding")
        self.encoder = keras.layers.Bidirectional(
            keras.layers.GRU(c.encoder_units, return_sequences=True, return_state=True), name="encoder"
        )
        self.bridge = keras.layers.Dense(c.decoder_units, activation="tanh", name="bridge")
        self.tgt_embedding = keras.layers.Embedding(c.tgt_vocab_size, c.embedding_dim, name="tgt_embedding")
        self.decoder = keras.layers.GRU(c.decoder_units, return_sequences=True, return_state=True, name="decoder")
        self.attention = _make_attention(c)
        self.combine = keras.layers.Dense(c.decoder_units, activation="tanh", use_bias=False, name="combine")
        self.dropout = keras.layers.Dropout(c.dropout)
        self.output_layer = keras.layers.Dense(c.tgt_vocab_size, name="output")

    def encode(self, src, training=False):
        """``src`` (batch, src_len) ids -> encoder states (batch, src_len, 2·enc), initial decoder state, mask."""
        mask = ops.not_equal(src, PAD_ID)  # (batch, src_len)
        x = self.dropout(self.src_embedding(src), training=training)
        enc, fwd, bwd = self.encoder(x, mask=mask, training=training)
        state = self.bridge(ops.concatenate([fwd, bwd], axis=-1))  # (batch, dec)
        return enc, state, mask

    def _attend(self, query, memory):
        """Attention of ``query`` (batch, tgt_len, dec) over the memory: context, weights, positions (or None)."""
        out = self.attention(query, memory["values"], value_mask=memory["mask"], keys=memory["keys"])
        return out if self.predicts_positions else (*out, None)

    def _attentional(self, context, s):
        """Luong's attentional state ``s̃ = tanh(W_c [c; s])`` (..., dec)."""
        return self.combine(ops.concatenate([context, s], axis=-1))

    def _readout(self, attentional, training=False):
        return self.output_layer(self.dropout(attentional, training=training))  # (..., vocab)

    @property
    def step_attention_names(self) -> tuple[str, ...]:
        """Keys of the attention dict :meth:`decode_step` returns, known without running a step."""
        return ("cross", "position") if self.predicts_positions else ("cross",)

    def init_decoding(self, src):
        """Per-sentence memory (fixed while decoding) and the initial recurrent state.

        Memory: ``values`` (batch, src_len, 2·enc), ``keys`` (the attention's per-sentence
        part, batch-first), ``mask`` (batch, src_len). State: ``h`` (batch, dec), and with
        input feeding ``feed`` (batch, dec), the previous attentional state (zero at first).
        """
        enc, state, mask = self.encode(src)
        memory = {"values": enc, "keys": self.attention.project_keys(enc), "mask": mask}
        if self.config.input_feeding:
            return memory, {"h": state, "feed": ops.zeros_like(state)}
        return memory, {"h": state}

    def _step(self, x, memory, state, training=False):
        """One decoder step on the embedded input ``x`` (batch, emb): attentional state, new state, attention."""
        if self.config.input_feeding:
            x = ops.concatenate([x, state["feed"]], axis=-1)  # (batch, emb + dec)
        s, _ = self.decoder.cell(x, [state["h"]], training=training)  # (batch, dec)
        context, weights, positions = self._attend(ops.expand_dims(s, 1), memory)
        attentional = self._attentional(context[:, 0], s)  # (batch, dec)
        new_state = {"h": s, "feed": attentional} if self.config.input_feeding else {"h": s}
        attention = {"cross": weights[:, 0]}  # (batch, src_len)
        if positions is not None:
            attention["position"] = positions[:, 0]  # (batch,)
        return attentional, new_state, attention

    def decode_step(self, token, step, memory, state):
        """One decoder step for ``token`` (batch,).

        Returns logits (batch, vocab), the new state (same keys and shapes as ``state``),
        and the step's attention: ``{"cross": (batch, src_len)}``, plus ``"position"``
        (batch,), the predicted centre ``p_t``, for local-p.
        """
        x = self.tgt_embedding(token)  # (batch, emb)
        attentional, new_state, attention = self._step(x, memory, state)
        return self._readout(attentional), new_state, attention

    def _build_feeding_decoder(self, enc):
        """Create the step-loop variables before the loop: a ``tf.while_loop`` may not create them."""
        c = self.config
        if not self.decoder.built:
            self.decoder.build((None, None, c.embedding_dim + c.decoder_units))
        if not self.attention.built:
            self.attention.build((None, 1, c.decoder_units), tuple(enc.shape))
        if not self.combine.built:
            self.combine.build((None, enc.shape[-1] + c.decoder_units))

    def _decode_with_input_feeding(self, y, enc, state, src_mask, training=False):
        """Teacher-forced decoder with input feeding, one step at a time.

        ``y`` (batch, tgt_len, emb) are the embedded target inputs. Returns the attentional
        states (batch, tgt_len, dec), weights (batch, tgt_len, src_len) and positions
        (batch, tgt_len) or None. Target padding is not masked: it only ever follows the real
        tokens, so it cannot change them, and the loss ignores its outputs. Dropout acts outside
        the loop (on ``y`` and on the readout): the ``s̃`` fed back is the one before dropout.
        """
        self._build_feeding_decoder(enc)
        memory = {"values": enc, "keys": self.attention.project_keys(enc), "mask": src_mask}
        init = {"h": state, "feed": ops.zeros_like(state), "weights": ops.zeros_like(src_mask, dtype=enc.dtype)}
        if self.predicts_positions:
            init["position"] = ops.zeros_like(state[:, 0])  # (batch,)

        def step(carry, x):  # x: (batch, emb)
            _, new_state, attention = self._step(x, memory, carry, training=training)
            out = {**new_state, "weights": attention["cross"]}
            if self.predicts_positions:
                out["position"] = attention["position"]
            return out, out  # ops.scan stacks the carry of every step

        _, seq = ops.scan(step, init, ops.transpose(y, (1, 0, 2)))  # each (tgt_len, batch, ...)
        attentional = ops.transpose(seq["feed"], (1, 0, 2))  # (batch, tgt_len, dec)
        weights = ops.transpose(seq["weights"], (1, 0, 2))  # (batch, tgt_len, src_len)
        positions = ops.transpose(seq["position"], (1, 0)) if self.predicts_positions else None
        return attentional, weights, positions

    def call(self, inputs, training=False, return_attention_scores=False, return_positions=False):
        """Teacher-forced logits (batch, tgt_len, vocab) for ``(src, tgt_in)``.

        ``return_attention_scores=True`` returns ``(logits, weights)`` with weights (batch,
        tgt_len, src_len), for every arch. ``return_positions=True`` (local-p only) returns
        ``(logits, weights, positions)`` with the predicted centres (batch, tgt_len).
        """
        if return_positions and not self.predicts_positions:
            raise ValueError(f"arch {self.config.arch!r} predicts no positions; return_positions is for 'local-p'")
        src, tgt_in = inputs  # (batch, src_len), (batch, tgt_len)
        enc, state, src_mask = self.encode(src, training=training)
        y = self.dropout(self.tgt_embedding(tgt_in), training=training)
        if self.config.input_feeding:
            attentional, weights, positions = self._decode_with_input_feeding(y, enc, state, src_mask, training)
        else:  # every step's attention at once
            tgt_mask = ops.not_equal(tgt_in, PAD_ID)
            s, _ = self.decoder(y, initial_state=state, mask=tgt_mask, training=training)  # (batch, tgt_len, dec)
            memory = {"values": enc, "keys": None, "mask": src_mask}
            context, weights, positions = self._attend(s, memory)  # weights (batch, tgt_len, src_len)
            attentional = self._attentional(context, s)  # (batch, tgt_len, dec)
        logits = self._readout(attentional, training=training)  # (batch, tgt_len, vocab)
        if return_positions:
            return logits, weights, positions
        return (logits, weights) if return_attention_scores else logits

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
