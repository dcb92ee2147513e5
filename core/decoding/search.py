"""Greedy search, optionally with a forced prefix and the model's top-k per step, as one loop.

The loop is written for ``tf.function``: :class:`~core.decoding.translator.Translator` traces it
once per input signature. :func:`greedy_eager` runs the same search step by step in eager mode,
as the reference for tests and the baseline for benchmarks.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from core.text.vocab import END_ID, PAD_ID, START_ID, UNK_ID


def stack_steps(arrays: tuple, names: list[str], steps) -> dict:
    """TensorArrays of per-step (batch, ...) values -> dict of (batch, steps, ...) tensors."""
    out = {}
    for name, ta in zip(names, arrays, strict=True):
        x = ta.stack()[:steps]  # (steps, batch, ...)
        out[name] = tf.transpose(x, tf.concat([[1, 0], tf.range(2, tf.rank(x))], 0))
    return out


def greedy_search(model, banned, src, max_len: int, prefix=None, top_k: int = 0) -> dict:
    """Greedy search on ``src`` (batch, src_len), optionally with forced first tokens.

    ``prefix`` (batch, prefix_len) holds the token to write at each of the first steps;
    ``PAD_ID`` there (and every step past ``prefix_len``) leaves the choice to the model.
    ``banned`` (vocab,) is 0, or a large negative number for tokens never written; the choice
    is the best allowed token, but every probability returned is the model's own
    ``softmax(logits)``, before the ban: nothing is renormalised. Returns per step the written
    ``ids``, their ``probs`` and ``unk_probs`` = p([UNK]) (batch, steps), and the attention dict
    (each (batch, steps, ...)); with a prefix also whether each token was ``forced``, and with
    ``top_k`` > 0 the ``top_ids``/``top_probs`` (batch, steps, top_k) of the best allowed tokens.
    Plain greedy search (no prefix, ``top_k=0``) traces none of the prefix and top-k work.
    """
    memory, state = model.init_decoding(src)
    batch = tf.shape(src)[0]
    if prefix is not None:
        prefix = prefix[:, :max_len]
        prefix = tf.pad(prefix, [[0, 0], [0, max_len - tf.shape(prefix)[1]]])  # (batch, max_len)
    token = tf.fill([batch], START_ID)
    names = sorted(model.step_attention_names)
    done = tf.zeros([batch], tf.bool)
    arrays = {
        "ids": tf.TensorArray(tf.int32, size=max_len),
        "probs": tf.TensorArray(tf.float32, size=max_len),
        "unk_probs": tf.TensorArray(tf.float32, size=max_len),
    }
    if prefix is not None:
        arrays["forced"] = tf.TensorArray(tf.bool, size=max_len)
    if top_k:
        arrays["top_ids"] = tf.TensorArray(tf.int32, size=max_len)
        arrays["top_probs"] = tf.TensorArray(tf.float32, size=max_len)
    attn = tuple(tf.TensorArray(tf.float32, size=max_len) for _ in names)
    steps = tf.constant(0)
    for t in tf.range(max_len):
        logits, state, step_attention = model.decode_step(token, t, memory, state)
        p = tf.nn.softmax(logits)  # (batch, vocab) the model's own distribution, [UNK] included
        allowed = p + banned  # banned tokens sink far below every allowed one; the others keep p
        chosen = tf.argmax(allowed, axis=-1, output_type=tf.int32)  # (batch,)
        written = {"unk_probs": p[:, UNK_ID]}
        if prefix is not None:
            want = prefix[:, t]
            is_forced = tf.not_equal(want, PAD_ID) & ~done
            chosen = tf.where(is_forced, want, chosen)
            written["forced"] = is_forced
            written["probs"] = tf.gather(p, chosen, batch_dims=1)
        else:
            written["probs"] = tf.gather(p, chosen, batch_dims=1)
        if top_k:
            written["top_probs"], written["top_ids"] = tf.math.top_k(allowed, k=top_k)
        nxt = tf.where(done, PAD_ID, chosen)
        written["ids"] = nxt
        arrays = {name: ta.write(t, written[name]) for name, ta in arrays.items()}
        attn = tuple(ta.write(t, step_attention[n]) for ta, n in zip(attn, names, strict=True))
        done = done | tf.equal(nxt, END_ID)
        token = nxt
        steps = t + 1
        if tf.reduce_all(done):
            break
    out = {
        name: tf.transpose(ta.stack()[:steps])
        for name, ta in arrays.items()
        if name in ("ids", "probs", "unk_probs", "forced")
    }
    for name in ("top_ids", "top_probs"):  # (batch, steps, top_k)
        if name in arrays:
            out[name] = tf.transpose(arrays[name].stack()[:steps], [1, 0, 2])
    out["attention"] = stack_steps(attn, names, steps)  # each (batch, steps, ...)
    if "encoder_self" in memory:
        out["encoder_self"] = memory["encoder_self"]
    return out


def greedy_eager(model, banned, src: np.ndarray, max_len: int) -> dict:
    """The same search as a Python loop of eager steps: the reference and the benchmark baseline."""
    src = tf.constant(src, tf.int32)
    memory, state = model.init_decoding(src)
    token = tf.fill([src.shape[0]], START_ID)
    done = np.zeros(src.shape[0], bool)
    ids, probs, unk_probs, attn = [], [], [], {}
    for t in range(max_len):
        logits, state, step_attention = model.decode_step(token, tf.constant(t), memory, state)
        p = tf.nn.softmax(logits).numpy()  # the model's own probabilities
        best = (p + banned).argmax(-1)  # the best token it may write
        nxt = np.where(done, PAD_ID, best).astype("int32")
        ids.append(nxt)
        probs.append(np.take_along_axis(p, best[:, None], -1)[:, 0])
        unk_probs.append(p[:, UNK_ID])
        for name, value in step_attention.items():
            attn.setdefault(name, []).append(value.numpy())
        done |= nxt == END_ID
        token = tf.constant(nxt)
        if done.all():
            break
    out = {
        "ids": np.stack(ids, 1),
        "probs": np.stack(probs, 1),
        "unk_probs": np.stack(unk_probs, 1),
        "attention": {name: np.stack(v, 1) for name, v in attn.items()},
    }
    if "encoder_self" in memory:
        out["encoder_self"] = memory["encoder_self"].numpy()
    return out
