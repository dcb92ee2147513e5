"""Attention replaced in a recurrent model: the decoder continues from a row the user chose.

At output step ``at`` (or at each step of a list of steps, as for the pieces of one word; at
every step when ``at < 0``) the attention row the model computed
is replaced by ``row`` (source_len,), and the context follows it:

.. math::
    c_t = \\sum_j r_j h_j, \\qquad \\tilde s_t = \\tanh(W_c [c_t; s_t])

Every later step is the model's own, fed with the token it wrote and (with input feeding) the
changed attentional state, so the translation can change from ``at`` on. :func:`replacement_row`
builds the rows the page offers: uniform over the real source tokens, another output token's
row, or typed values renormalised to sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf
from keras import ops

from core.decoding.assemble import assemble, output_length
from core.decoding.results import Translation
from core.decoding.search import greedy_search

ROW_KINDS = ("uniform", "row", "typed")


def replacement_row(kind: str, source_len: int, attention: np.ndarray | None = None, row: int = 0,
                    values=None) -> np.ndarray:  # fmt: skip
    """The (source_len,) row of ``kind``: ``uniform``, the original ``attention[row]``, or ``values`` renormalised.

    Typed values must be non-negative, finite and not all zero; ValueError names what is wrong.
    """
    if kind == "uniform":
        return np.full(source_len, 1.0 / source_len, "float32")
    if kind == "row":
        if attention is None or not 0 <= row < len(attention):
            raise ValueError(
                f"output token {row + 1} has no attention row (the translation has {0 if attention is None else len(attention)})"
            )
        return np.asarray(attention[row], "float32")
    if kind == "typed":
        v = np.asarray(values, "float64")
        if v.shape != (source_len,):
            raise ValueError(f"{source_len} values are needed, one per source token; got {v.size}")
        if not np.all(np.isfinite(v)) or np.any(v < 0) or v.sum() <= 0:
            raise ValueError(f"values must be non-negative and not all zero, got {v.tolist()}")
        return (v / v.sum()).astype("float32")
    raise ValueError(f"row kind {kind!r} is not one of {ROW_KINDS}")


class RowReplaced:
    """``init_decoding`` / ``decode_step`` of a recurrent model with the attention of the steps ``at`` replaced by ``row``."""

    def __init__(self, model, row, at):
        self.model = model
        self.config = model.config
        self.step_attention_names = model.step_attention_names  # the decoders read the keys statically
        self.row = row  # (source_len,)
        self.at = at  # (steps,) int32; one < 0: every step

    def init_decoding(self, src):
        return self.model.init_decoding(src)

    def decode_step(self, token, step, memory, state):
        model = self.model
        x = model.tgt_embedding(token)  # (batch, emb)
        if self.config.input_feeding:
            x = ops.concatenate([x, state["feed"]], axis=-1)
        s, _ = model.decoder.cell(x, [state["h"]], training=False)  # (batch, dec)
        context, weights, positions = model._attend(ops.expand_dims(s, 1), memory)
        here = ops.logical_or(ops.any(ops.less(self.at, 0)), ops.any(ops.equal(step, self.at)))
        row = ops.broadcast_to(self.row[None], ops.shape(weights[:, 0]))  # (batch, source_len)
        used = ops.where(here, row, weights[:, 0])
        context = ops.where(here, ops.matmul(used[:, None], memory["values"])[:, 0], context[:, 0])  # (batch, 2·enc)
        attentional = model._attentional(context, s)
        new_state = {"h": s, "feed": attentional} if self.config.input_feeding else {"h": s}
        attention = {"cross": used}
        if positions is not None:
            attention["position"] = positions[:, 0]  # (batch,)
        return model._readout(attentional), new_state, attention


class AttentionReplacement:
    """Re-translation of one sentence with a replaced attention row; traced once per model, shareable."""

    def __init__(self, translator):
        if translator.config.arch == "transformer":
            raise ValueError("attention replacement is for the recurrent models; use head ablation for a Transformer")
        self.translator = translator
        self._lock = translator._lock  # one TensorFlow call at a time per model, shared with its Translator
        banned, max_len = translator._banned, translator.config.max_decode_len
        self._fn = tf.function(
            lambda src, row, at: greedy_search(RowReplaced(translator.model, row, at), banned, src, max_len),
            input_signature=[tf.TensorSpec([1, None], tf.int32), tf.TensorSpec([None], tf.float32),
                             tf.TensorSpec([None], tf.int32)],
        )  # fmt: skip

    def translate(self, source_tokens, row: np.ndarray, at: int | Sequence[int]) -> Translation:
        """Greedy translation of ``source_tokens`` with attention ``row`` at output step ``at`` (< 0: every step).

        ``at`` may list several steps (the pieces of one output word): the row replaces each of them.
        """
        tr = self.translator
        tokens = list(source_tokens)
        row = np.asarray(row, "float32")
        if row.shape != (len(tokens),):
            raise ValueError(f"replacement row of length {row.size} for {len(tokens)} source tokens")
        steps = np.atleast_1d(np.asarray(at, "int32"))
        if steps.ndim != 1 or steps.size == 0:
            raise ValueError(f"at least one output step is needed, got {at!r}")
        src = tr.encode_batch([tokens])
        with self._lock:
            raw = self._fn(tf.constant(src), tf.constant(row), tf.constant(steps))
        raw = tf.nest.map_structure(lambda x: x.numpy(), raw)
        n = output_length(raw["ids"][0])
        attention = {name: v[0, :n] for name, v in raw["attention"].items()}
        return assemble(tr.src_vocab, tr.tgt_vocab, (tokens, None), raw["ids"][0, :n].tolist(), raw["probs"][0, :n],
                        attention, tokenizer=tr.tokenizer.kind)  # fmt: skip
