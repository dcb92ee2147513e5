"""Recurrent encoder–decoder with attention.

Encoder: bidirectional GRU over the source embeddings, ``h_j = [→h_j; ←h_j]``.
Decoder, at each target step ``t``:

.. math::
    s_t = \\mathrm{GRU}(E y_{t-1}, s_{t-1}), \\quad
    (c_t, \\alpha_t) = \\mathrm{Attention}(s_t, h), \\quad
    \\tilde s_t = \\tanh(W_c [c_t; s_t]), \\quad
    p(y_t) = \\mathrm{softmax}(W_o \\tilde s_t)

The decoder state is the attention query (Luong et al., 2015), scored here with
Bahdanau's additive function over all encoder states. Teacher forcing in training
lets the attention of every step run at once.
"""

from __future__ import annotations

import keras
from keras import ops

from core.attention.additive import AdditiveAttention
from core.config import ModelConfig
from core.vocab import PAD_ID


@keras.saving.register_keras_serializable(package="attention_lab")
class Seq2SeqAttention(keras.Model):
    """Bi-GRU encoder, GRU decoder, attention; returns attention weights on request."""

    def __init__(self, config: ModelConfig | dict, **kwargs):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
        c = self.config
        self.src_embedding = keras.layers.Embedding(c.src_vocab_size, c.embedding_dim, name="src_embedding")
        self.encoder = keras.layers.Bidirectional(
            keras.layers.GRU(c.encoder_units, return_sequences=True, return_state=True), name="encoder"
        )
        self.bridge = keras.layers.Dense(c.decoder_units, activation="tanh", name="bridge")
        self.tgt_embedding = keras.layers.Embedding(c.tgt_vocab_size, c.embedding_dim, name="tgt_embedding")
        self.decoder = keras.layers.GRU(c.decoder_units, return_sequences=True, return_state=True, name="decoder")
        self.attention = AdditiveAttention(c.attention_units, name="attention")
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

    def _readout(self, context, s, training=False):
        attentional = self.combine(ops.concatenate([context, s], axis=-1))
        return self.output_layer(self.dropout(attentional, training=training))

    def decode_step(self, token, state, enc, keys, src_mask):
        """One decoder step for ``token`` (batch,); returns logits (batch, vocab), state, weights (batch, src_len)."""
        x = self.tgt_embedding(token)  # (batch, emb)
        s, _ = self.decoder.cell(x, [state], training=False)  # (batch, dec)
        context, weights = self.attention(ops.expand_dims(s, 1), enc, value_mask=src_mask, keys=keys)
        logits = self._readout(context[:, 0], s)
        return logits, s, weights[:, 0]

    def call(self, inputs, training=False, return_attention_scores=False):
        src, tgt_in = inputs  # (batch, src_len), (batch, tgt_len)
        enc, state, src_mask = self.encode(src, training=training)
        tgt_mask = ops.not_equal(tgt_in, PAD_ID)
        y = self.dropout(self.tgt_embedding(tgt_in), training=training)
        s, _ = self.decoder(y, initial_state=state, mask=tgt_mask, training=training)  # (batch, tgt_len, dec)
        context, weights = self.attention(s, enc, value_mask=src_mask)  # weights (batch, tgt_len, src_len)
        logits = self._readout(context, s, training=training)  # (batch, tgt_len, vocab)
        return (logits, weights) if return_attention_scores else logits

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
