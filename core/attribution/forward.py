"""Teacher-forced passes that start from the source *token embeddings* instead of the ids.

Gradients need a differentiable input, and ids are not one. Each function here runs the
same layers as the model's own ``call`` — the forward is checked against ``model((src,
tgt_in))`` in the tests — but takes the embedded source ``e`` (batch, src_len, emb):

* recurrent models: ``e = E[src]``, the output of ``src_embedding`` (no dropout at inference);
* Transformer: ``e = E[src]``, the token embedding *before* the ``√d`` scale and the
  positional encoding, which are added here, so a baseline keeps the positions.

They return the features the output layer reads, (batch, tgt_len, features), and the
readout that turns features into logits, so a caller can pick one position per row first.
"""

from __future__ import annotations

import math

from keras import ops

from core.layers.positional import sinusoidal_encoding
from core.text.vocab import PAD_ID


def source_embeddings(model, src):
    """``src`` (batch, src_len) ids -> the token embeddings attribution differentiates, (batch, src_len, emb)."""
    if model.config.arch == "transformer":
        return model.src_embedding.embedding(src)
    return model.src_embedding(src)


def features_from_embeddings(model, emb, src_mask, tgt_in):
    """Decoder features (batch, tgt_len, features) for embedded sources ``emb`` and target inputs ``tgt_in``."""
    if model.config.arch == "transformer":
        return _transformer_features(model, emb, src_mask, tgt_in)
    return _recurrent_features(model, emb, src_mask, tgt_in)


def readout(model, features):
    """Logits (..., vocab) of decoder features (..., features)."""
    if model.config.arch == "transformer":
        return model.output_layer(features)
    return model._readout(features)


def _recurrent_features(model, emb, src_mask, tgt_in):
    enc, fwd, bwd = model.encoder(emb, mask=src_mask, training=False)  # enc (batch, src_len, 2·enc)
    state = model.bridge(ops.concatenate([fwd, bwd], axis=-1))  # (batch, dec)
    y = model.tgt_embedding(tgt_in)  # (batch, tgt_len, emb)
    if model.config.input_feeding:
        attentional, _, _ = model._decode_with_input_feeding(y, enc, state, src_mask)
        return attentional
    tgt_mask = ops.not_equal(tgt_in, PAD_ID)
    s, _ = model.decoder(y, initial_state=state, mask=tgt_mask, training=False)  # (batch, tgt_len, dec)
    context, _, _ = model._attend(s, {"values": enc, "keys": None, "mask": src_mask})
    return model._attentional(context, s)  # (batch, tgt_len, dec)


def _transformer_features(model, emb, src_mask, tgt_in):
    d = model.config.d_model
    length = ops.shape(emb)[1]
    x = emb * math.sqrt(d) + sinusoidal_encoding(ops.arange(length), d)[None]  # (batch, src_len, d)
    for layer in model.encoder_layers:
        x, _ = layer(x, key_mask=src_mask, training=False)
    if model.config.norm == "pre":
        x = model.encoder_norm(x)
    tgt_mask = ops.not_equal(tgt_in, PAD_ID)
    h, _, _ = model.decode(tgt_in, x, src_mask, tgt_mask)  # (batch, tgt_len, d)
    return h
