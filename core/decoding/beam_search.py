"""Beam search over any model with the ``init_decoding`` / ``decode_step`` interface.

Every hypothesis keeps its own attention, so each entry of the n-best list can be drawn as a
heatmap. Finished hypotheses are ranked by the GNMT length-normalised score
``log p(y) / lp(y)`` with ``lp(y) = ((5 + |y|) / 6)^α`` (``|y|`` counts the end token);
``α = 0`` ranks by plain log-probability, and then a beam of width 1 is greedy search.

The search also returns what it kept at every step (token, parent slot and cumulative
log-probability of each beam slot), from which :func:`expansion_tree` rebuilds the tree of
the beam's expansions: which branches led to the n-best list and which were pruned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core.text.vocab import END_ID, START_ID

NEG_INF = -1e9


def length_penalty(length, alpha: float):
    """GNMT length penalty ``((5 + length) / 6) ** alpha``."""
    return ((5.0 + length) / 6.0) ** alpha


@dataclass(frozen=True)
class BeamHypothesis:
    """One entry of an n-best list, before it becomes a Translation."""

    ids: list[int]  # target ids without the end token
    probabilities: np.ndarray  # (len(ids),) probability of each chosen token
    log_prob: float  # log p(y), end token included when finished
    score: float  # log_prob / length_penalty
    finished: bool
    attention: dict[str, np.ndarray]  # each (len(ids), ...)
    end: tuple[int, int] | None = None  # (step, beam) of its last node in the expansion tree


@dataclass(frozen=True)
class BeamNode:
    """One extension the beam kept at one step: a node of the tree of the beam's expansions.

    ``step`` is the decoder step that wrote ``token`` (0 = the first token after the start),
    ``beam`` its slot among the ``k`` kept extensions of that step, and ``parent`` the slot at
    ``step - 1`` it extends (``None`` at step 0, where every node extends the start token).
    ``log_prob`` is the path's cumulative log-probability, this token included, and ``score``
    its length-normalised score ``log_prob / lp(step + 1)``. A ``finished`` node holds the end
    token; ``rank`` is set on the last node of the ``rank``-th n-best hypothesis (0 = best),
    ``kept`` on every node of an n-best hypothesis's path. The other nodes were pruned.
    """

    step: int
    beam: int
    token_id: int
    token: str
    parent: int | None
    log_prob: float
    score: float
    finished: bool
    rank: int | None = None
    kept: bool = False

    @property
    def key(self) -> tuple[int, int]:
        """``(step, beam)``: the node's place in the tree."""
        return self.step, self.beam

    @property
    def parent_key(self) -> tuple[int, int] | None:
        """``(step - 1, parent)``, or ``None`` for a child of the start token."""
        return None if self.parent is None else (self.step - 1, self.parent)


def make_beam_search_fn(
    model, beam_width: int, max_len: int, banned: np.ndarray, on_trace: Callable[[], object] | None = None
):
    """A ``tf.function`` (src (batch, src_len) int32, alpha () float32) -> raw beam arrays, traced once.

    The width fixes the shapes, so it is built into the function; the length-penalty ``alpha`` is
    an input, so every ``alpha`` shares one compiled search. ``on_trace`` is called each time
    TensorFlow traces it (a trace counter).

    Each step keeps the ``k`` best extensions of the live hypotheses; those that end move to
    a pool of the ``k`` best finished ones, so with ``k = 1`` and ``α = 0`` this is greedy search.
    Returns a dict: ``tokens``/``parents``/``cum_lp`` (steps, batch, k): the token, the parent slot
    and the cumulative log-probability of every extension kept at each step, ``alive_lp``
    (batch, k), the pool's ``fin_score``/``fin_lp``/``fin_step``/``fin_parent`` (batch, k), and
    ``attention``: the per-step attention of every live beam, each (steps, batch, k, ...).
    """
    k = int(beam_width)
    if k < 1:
        raise ValueError(f"beam width {beam_width} must be at least 1")
    banned = tf.constant(banned, tf.float32)  # (vocab,) 0 or NEG_INF
    vocab = int(banned.shape[0])

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.float32)])
    def beam_search(src, alpha):
        if on_trace is not None:
            on_trace()
        batch = tf.shape(src)[0]
        memory, state = model.init_decoding(src)
        # the encoder's self-attention is returned once per sentence; no step reads it, so it is not repeated
        extras = {"encoder_self": memory.pop("encoder_self")} if "encoder_self" in memory else {}
        memory = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), memory)  # (batch * k, ...)
        state = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), state)
        # only the first beam is live at the start, so the k beams do not begin as copies
        alive_lp = tf.tile(tf.concat([[0.0], tf.fill([k - 1], NEG_INF)], 0)[None], [batch, 1])  # (batch, k)
        fin_score = tf.fill([batch, k], NEG_INF)
        fin_lp = tf.fill([batch, k], NEG_INF)
        fin_step = tf.zeros([batch, k], tf.int32)
        fin_parent = tf.zeros([batch, k], tf.int32)
        token = tf.fill([batch * k], START_ID)
        tokens_ta = tf.TensorArray(tf.int32, size=max_len)
        parents_ta = tf.TensorArray(tf.int32, size=max_len)
        token_lp_ta = tf.TensorArray(tf.float32, size=max_len)
        cum_lp_ta = tf.TensorArray(tf.float32, size=max_len)
        names = sorted(model.step_attention_names)
        attn_ta = tuple(tf.TensorArray(tf.float32, size=max_len) for _ in names)
        steps = tf.constant(0)
        for t in tf.range(max_len):
            logits, new_state, attention = model.decode_step(token, t, memory, state)
            # the model's own log-probabilities; banned tokens are excluded, the rest not renormalised
            step_lp = tf.reshape(tf.nn.log_softmax(logits) + banned, [batch, k, vocab])
            total = tf.reshape(alive_lp[:, :, None] + step_lp, [batch, k * vocab])
            cand_lp, flat = tf.math.top_k(total, k=k)  # (batch, k): the k best extensions
            parent, nxt = flat // vocab, flat % vocab
            ends = tf.equal(nxt, END_ID) & (cand_lp > NEG_INF / 2)
            # extensions that end join the finished pool, which keeps the k best normalised scores
            penalty = length_penalty(tf.cast(t + 1, tf.float32), alpha)
            new_score = tf.where(ends, cand_lp / penalty, NEG_INF)
            fin_score, pick = tf.math.top_k(tf.concat([fin_score, new_score], 1), k=k)
            fin_lp = tf.gather(tf.concat([fin_lp, cand_lp], 1), pick, batch_dims=1)
            fin_step = tf.gather(tf.concat([fin_step, tf.fill(tf.shape(cand_lp), t)], 1), pick, batch_dims=1)
            fin_parent = tf.gather(tf.concat([fin_parent, parent], 1), pick, batch_dims=1)
            # the others stay live; a slot whose extension ended is dead until the next step refills it
            token_lp_ta = token_lp_ta.write(t, cand_lp - tf.gather(alive_lp, parent, batch_dims=1))
            cum_lp_ta = cum_lp_ta.write(t, cand_lp)
            alive_lp = tf.where(ends, NEG_INF, cand_lp)
            rows = tf.reshape(parent + k * tf.range(batch)[:, None], [-1])  # (batch * k,)
            state = tf.nest.map_structure(lambda x: tf.gather(x, rows), new_state)  # noqa: B023
            token = tf.reshape(nxt, [-1])
            tokens_ta = tokens_ta.write(t, nxt)
            parents_ta = parents_ta.write(t, parent)
            # the attention that produced each live beam's token is its parent's
            attn_ta = tuple(
                ta.write(t, _split_beams(tf.gather(attention[name], rows), batch, k))
                for ta, name in zip(attn_ta, names, strict=True)
            )
            steps = t + 1
            # stop when nothing is live, or no live beam can still beat the worst kept finished one
            best_alive = tf.reduce_max(alive_lp, axis=1)  # (batch,)
            bound = best_alive / length_penalty(tf.cast(max_len, tf.float32), alpha)
            hopeless = (best_alive <= NEG_INF / 2) | (tf.reduce_min(fin_score, axis=1) > bound)
            if tf.reduce_all(hopeless):
                break
        return {
            "tokens": tokens_ta.stack()[:steps],
            "parents": parents_ta.stack()[:steps],
            "token_lp": token_lp_ta.stack()[:steps],
            "cum_lp": cum_lp_ta.stack()[:steps],
            "alive_lp": alive_lp,
            "fin_score": fin_score,
            "fin_lp": fin_lp,
            "fin_step": fin_step,
            "fin_parent": fin_parent,
            "attention": {name: ta.stack()[:steps] for name, ta in zip(names, attn_ta, strict=True)},
            **extras,
        }

    return beam_search


def _split_beams(x, batch, k):
    """(batch * k, ...) -> (batch, k, ...)."""
    return tf.reshape(x, tf.concat([[batch, k], tf.shape(x)[1:]], 0))


def _trace(raw: dict, b: int, last_step: int, beam: int):
    """Ids, token probabilities and attention rows of live beam ``beam`` at ``last_step``, back to the start."""
    ids, lps, rows = [], [], {name: [] for name in raw["attention"]}
    for t in range(last_step, -1, -1):
        ids.append(int(raw["tokens"][t, b, beam]))
        lps.append(float(raw["token_lp"][t, b, beam]))
        for name, value in raw["attention"].items():
            rows[name].append(value[t, b, beam])
        beam = int(raw["parents"][t, b, beam])
    return ids[::-1], np.exp(np.array(lps[::-1], "float32")), {name: np.stack(v[::-1]) for name, v in rows.items()}


def collect(raw: dict, b: int, k: int, alpha: float) -> list[BeamHypothesis]:
    """The n-best list of sentence ``b``, best first; live beams fill a pool with fewer than k finished."""
    hyps = []
    for j in range(k):
        if raw["fin_score"][b, j] <= NEG_INF / 2:
            continue
        step, parent = int(raw["fin_step"][b, j]), int(raw["fin_parent"][b, j])
        if step == 0:
            ids, probs = [], np.zeros(0, "float32")
            attn = {n: np.zeros((0, *v.shape[3:]), v.dtype) for n, v in raw["attention"].items()}
        else:
            ids, probs, attn = _trace(raw, b, step - 1, parent)
        fin_lp, fin_score = float(raw["fin_lp"][b, j]), float(raw["fin_score"][b, j])
        # the end token's slot at its step: the one extension of this parent by the end token
        slot = np.flatnonzero((raw["tokens"][step, b] == END_ID) & (raw["parents"][step, b] == parent))
        end = (step, int(slot[0])) if len(slot) else None
        hyps.append(BeamHypothesis(ids, probs, fin_lp, fin_score, True, attn, end))
    steps = raw["tokens"].shape[0]
    for j in np.argsort(-raw["alive_lp"][b]):
        if len(hyps) >= k or raw["alive_lp"][b, j] <= NEG_INF / 2:
            break
        ids, probs, attn = _trace(raw, b, steps - 1, int(j))
        lp = float(raw["alive_lp"][b, j])
        score = lp / float(length_penalty(steps, alpha))
        hyps.append(BeamHypothesis(ids, probs, lp, score, False, attn, (steps - 1, int(j))))
    return sorted(hyps, key=lambda h: -h.score)


def expansion_tree(
    raw: dict, b: int, hyps: list[BeamHypothesis], alpha: float, token_text: Callable[[int], str]
) -> list[BeamNode]:
    """Every extension the beam kept for sentence ``b``, in step then slot order, as tree nodes.

    ``hyps`` is the n-best list :func:`collect` returned for ``b`` (best first): their last
    nodes get their rank, and every node on their paths back to the start is marked kept.
    Slots that held no live extension (fewer than ``k`` possible) are left out; ``token_text``
    turns a target id into its token.
    """
    tokens, parents, cum_lp = raw["tokens"][:, b], raw["parents"][:, b], raw["cum_lp"][:, b]  # each (steps, k)
    steps, k = tokens.shape
    ranks = {h.end: r for r, h in enumerate(hyps) if h.end is not None}
    kept: set[tuple[int, int]] = set()
    for key in ranks:
        while key is not None and key not in kept:
            kept.add(key)
            step, beam = key
            key = (step - 1, int(parents[step, beam])) if step > 0 else None
    nodes = []
    for t in range(steps):
        penalty = float(length_penalty(t + 1, alpha))
        for j in range(k):
            lp = float(cum_lp[t, j])
            if lp <= NEG_INF / 2:  # no live extension filled this slot
                continue
            token = int(tokens[t, j])
            nodes.append(
                BeamNode(
                    step=t,
                    beam=j,
                    token_id=token,
                    token=token_text(token),
                    parent=int(parents[t, j]) if t > 0 else None,
                    log_prob=lp,
                    score=lp / penalty,
                    finished=token == END_ID,
                    rank=ranks.get((t, j)),
                    kept=(t, j) in kept,
                )
            )
    return nodes
