"""Beam search over any model with the ``init_decoding`` / ``decode_step`` interface.

Every hypothesis keeps its own attention, so each entry of the n-best list can be drawn as a
heatmap. Finished hypotheses are ranked by the GNMT length-normalised score
``log p(y) / lp(y)`` with ``lp(y) = ((5 + |y|) / 6)^α`` (``|y|`` counts the end token);
``α = 0`` ranks by plain log-probability, and then a beam of width 1 is greedy search.

Each step ranks the ``2k`` best extensions of the ``k`` live hypotheses, so that ``k`` stay
live however many of them end (as GNMT and tensor2tensor do): an end token among the ``k``
best extensions moves its hypothesis to the pool of the ``k`` best finished ones (as fairseq
does: a beam of ``k`` would not keep one ranked lower), and the ``k`` best extensions that do
not end are the next step's live hypotheses.

The search also returns every step's candidates (token, parent and cumulative log-probability)
and which of them the beam kept, live or finished, from which :func:`expansion_tree` rebuilds
the tree of the beam's expansions: which branches led to the n-best list and which were pruned.
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

    ``step`` is the decoder step that wrote ``token`` (0 = the first token after the start) and
    ``beam`` its rank among the ``2k`` best extensions of that step (0 = most probable); the
    beam keeps the ``k`` best that do not end as live hypotheses and moves those that end among
    the ``k`` best to its finished pool, so a step holds at most ``k`` live and ``k`` finished
    nodes. ``parent`` is the rank at ``step - 1`` of the node it extends (``None`` at step 0,
    where every node extends the start token). ``log_prob`` is the path's cumulative
    log-probability, this token included, and ``score`` its length-normalised score
    ``log_prob / lp(step + 1)``. A ``finished`` node holds the end token; ``rank`` is set on the
    last node of the ``rank``-th n-best hypothesis (0 = best), ``kept`` on every node of an
    n-best hypothesis's path. The other nodes were pruned.
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


def _select(total, fin, alpha, t, k: int, vocab: int):
    """One step's choice: the 2k best extensions, the finished pool updated, the k live ones.

    ``total`` (batch, k * vocab) holds the cumulative log-probability of every extension,
    ``fin`` the pool (``score``/``lp``/``step``/``slot``, each (batch, k)). Returns the
    candidates (``lp``, ``parent``, ``token``, each (batch, 2k), best first), the new pool,
    ``live`` (batch, k): the candidate rank of each live slot, and ``entered`` (batch, 2k):
    whether the candidate became live or joined the pool.
    """
    cand_lp, flat = tf.math.top_k(total, k=2 * k)  # (batch, 2k), best first
    parent, nxt = flat // vocab, flat % vocab
    valid = cand_lp > NEG_INF / 2
    is_end = tf.equal(nxt, END_ID)
    ranks = tf.range(2 * k)
    # an end token among the k best extensions finishes its hypothesis; the pool keeps the k best scores
    ends = is_end & valid & (ranks < k)[None]
    new_score = tf.where(ends, cand_lp / length_penalty(tf.cast(t + 1, tf.float32), alpha), NEG_INF)
    score, pick = tf.math.top_k(tf.concat([fin["score"], new_score], 1), k=k)
    batch_ranks = tf.broadcast_to(ranks[None], tf.shape(cand_lp))

    def pool(old, new):
        return tf.gather(tf.concat([old, new], 1), pick, batch_dims=1)

    fin = {
        "score": score,
        "lp": pool(fin["lp"], cand_lp),
        "step": pool(fin["step"], tf.fill(tf.shape(cand_lp), t)),
        "slot": pool(fin["slot"], batch_ranks),
    }
    # each parent has one end token, so at most k of the 2k end: the k best that do not stay live
    live = tf.argsort(tf.cast(is_end, tf.int32), axis=1, stable=True)[:, :k]  # (batch, k) candidate ranks
    live_valid = tf.gather(valid, live, batch_dims=1)
    joined = ends & tf.reduce_any(tf.equal(pick[:, :, None], k + ranks[None, None]), axis=1)  # (batch, 2k)
    became_live = tf.reduce_any(tf.equal(live[:, :, None], ranks[None, None]) & live_valid[:, :, None], axis=1)
    cand = {"lp": cand_lp, "parent": parent, "token": nxt}
    return cand, fin, live, live_valid, joined | became_live


def make_beam_search_fn(
    model, beam_width: int, max_len: int, banned: np.ndarray, on_trace: Callable[[], object] | None = None
):
    """A ``tf.function`` (src (batch, src_len) int32, alpha () float32) -> raw beam arrays, traced once.

    The width fixes the shapes, so it is built into the function; the length-penalty ``alpha`` is
    an input, so every ``alpha`` shares one compiled search. ``on_trace`` is called each time
    TensorFlow traces it (a trace counter).

    Returns a dict: ``tokens``/``parents``/``token_lp``/``cum_lp``/``entered`` (steps, batch, 2k):
    each step's 2k best extensions, best first — the token, the live slot of the previous step
    it extends, its own and the cumulative log-probability, and whether the beam kept it (live,
    or in the finished pool); ``live`` (steps, batch, k): the candidate rank held by each live
    slot; ``alive_lp`` (batch, k); the pool's ``fin_score``/``fin_lp``/``fin_step``/``fin_slot``
    (batch, k), ``fin_slot`` being the end token's candidate rank at ``fin_step``; and
    ``attention``: each step's attention of every live slot of the step before, each
    (steps, batch, k, ...), which every extension of that slot shares.
    """
    k = int(beam_width)
    if k < 1:
        raise ValueError(f"beam width {beam_width} must be at least 1")
    banned = tf.constant(banned, tf.float32)  # (vocab,) 0 or NEG_INF
    vocab = int(banned.shape[0])
    arrays = {"tokens": tf.int32, "parents": tf.int32, "token_lp": tf.float32, "cum_lp": tf.float32,
              "entered": tf.bool, "live": tf.int32}  # fmt: skip

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
        fin = {"score": tf.fill([batch, k], NEG_INF), "lp": tf.fill([batch, k], NEG_INF),
               "step": tf.zeros([batch, k], tf.int32), "slot": tf.zeros([batch, k], tf.int32)}  # fmt: skip
        token = tf.fill([batch * k], START_ID)
        tas = {name: tf.TensorArray(dtype, size=max_len) for name, dtype in arrays.items()}
        names = sorted(model.step_attention_names)
        attn_ta = tuple(tf.TensorArray(tf.float32, size=max_len) for _ in names)
        steps = tf.constant(0)
        for t in tf.range(max_len):
            logits, new_state, attention = model.decode_step(token, t, memory, state)
            # the model's own log-probabilities; banned tokens are excluded, the rest not renormalised
            step_lp = tf.reshape(tf.nn.log_softmax(logits) + banned, [batch, k, vocab])
            total = tf.reshape(alive_lp[:, :, None] + step_lp, [batch, k * vocab])
            cand, fin, live, live_valid, entered = _select(total, fin, alpha, t, k, vocab)
            written = {
                "tokens": cand["token"],
                "parents": cand["parent"],
                "token_lp": cand["lp"] - tf.gather(alive_lp, cand["parent"], batch_dims=1),
                "cum_lp": cand["lp"],
                "entered": entered,
                "live": live,
            }
            tas = {name: ta.write(t, written[name]) for name, ta in tas.items()}
            # the attention each live slot computed at this step, shared by all its extensions
            attn_ta = tuple(
                ta.write(t, _split_beams(attention[name], batch, k)) for ta, name in zip(attn_ta, names, strict=True)
            )
            alive_lp = tf.where(live_valid, tf.gather(cand["lp"], live, batch_dims=1), NEG_INF)
            rows = tf.reshape(tf.gather(cand["parent"], live, batch_dims=1) + k * tf.range(batch)[:, None], [-1])
            state = tf.nest.map_structure(lambda x: tf.gather(x, rows), new_state)  # noqa: B023
            token = tf.reshape(tf.gather(cand["token"], live, batch_dims=1), [-1])
            steps = t + 1
            # stop when nothing is live, or no live beam can still beat the worst kept finished one
            best_alive = tf.reduce_max(alive_lp, axis=1)  # (batch,)
            bound = best_alive / length_penalty(tf.cast(max_len, tf.float32), alpha)
            hopeless = (best_alive <= NEG_INF / 2) | (tf.reduce_min(fin["score"], axis=1) > bound)
            if tf.reduce_all(hopeless):
                break
        return {
            **{name: ta.stack()[:steps] for name, ta in tas.items()},
            "alive_lp": alive_lp,
            **{f"fin_{name}": value for name, value in fin.items()},
            "attention": {name: ta.stack()[:steps] for name, ta in zip(names, attn_ta, strict=True)},
            **extras,
        }

    return beam_search


def _split_beams(x, batch, k):
    """(batch * k, ...) -> (batch, k, ...)."""
    return tf.reshape(x, tf.concat([[batch, k], tf.shape(x)[1:]], 0))


def _parent_rank(raw: dict, b: int, step: int, rank: int) -> int | None:
    """The candidate rank at ``step - 1`` of the node that candidate ``rank`` of ``step`` extends."""
    if step == 0:
        return None
    return int(raw["live"][step - 1, b, raw["parents"][step, b, rank]])


def _trace(raw: dict, b: int, step: int, rank: int):
    """Ids, token probabilities and attention rows of candidate ``rank`` at ``step``, back to the start."""
    ids, lps, rows = [], [], {name: [] for name in raw["attention"]}
    for t in range(step, -1, -1):
        ids.append(int(raw["tokens"][t, b, rank]))
        lps.append(float(raw["token_lp"][t, b, rank]))
        slot = int(raw["parents"][t, b, rank])
        for name, value in raw["attention"].items():
            rows[name].append(value[t, b, slot])
        rank = _parent_rank(raw, b, t, rank)
    return ids[::-1], np.exp(np.array(lps[::-1], "float32")), {name: np.stack(v[::-1]) for name, v in rows.items()}


def collect(raw: dict, b: int, k: int, alpha: float) -> list[BeamHypothesis]:
    """The n-best list of sentence ``b``, best first; live beams fill a pool with fewer than k finished."""
    hyps = []
    for j in range(k):
        if raw["fin_score"][b, j] <= NEG_INF / 2:
            continue
        step, rank = int(raw["fin_step"][b, j]), int(raw["fin_slot"][b, j])
        ids, probs, attn = _trace(raw, b, step, rank)  # the end token last: left out of the hypothesis
        attn = {name: v[:-1] for name, v in attn.items()}
        fin_lp, fin_score = float(raw["fin_lp"][b, j]), float(raw["fin_score"][b, j])
        hyps.append(BeamHypothesis(ids[:-1], probs[:-1], fin_lp, fin_score, True, attn, (step, rank)))
    steps = raw["tokens"].shape[0]
    for j in np.argsort(-raw["alive_lp"][b], kind="stable"):
        if len(hyps) >= k or raw["alive_lp"][b, j] <= NEG_INF / 2:
            break
        rank = int(raw["live"][steps - 1, b, j])
        ids, probs, attn = _trace(raw, b, steps - 1, rank)
        lp = float(raw["alive_lp"][b, j])
        score = lp / float(length_penalty(steps, alpha))
        hyps.append(BeamHypothesis(ids, probs, lp, score, False, attn, (steps - 1, rank)))
    return sorted(hyps, key=lambda h: -h.score)


def expansion_tree(
    raw: dict, b: int, hyps: list[BeamHypothesis], alpha: float, token_text: Callable[[int], str]
) -> list[BeamNode]:
    """Every extension the beam kept for sentence ``b`` (live or finished), in step then rank order, as tree nodes.

    ``hyps`` is the n-best list :func:`collect` returned for ``b`` (best first): their last
    nodes get their rank, and every node on their paths back to the start is marked kept.
    Candidates the beam did not keep (beyond the ``k`` live ones, or an end token ranked below
    ``k`` or below the finished pool) are left out; ``token_text`` turns a target id into its token.
    """
    steps, _, width = raw["tokens"].shape
    ranks = {h.end: r for r, h in enumerate(hyps) if h.end is not None}
    kept: set[tuple[int, int]] = set()
    for key in ranks:
        while key is not None and key not in kept:
            kept.add(key)
            parent = _parent_rank(raw, b, *key)
            key = None if parent is None else (key[0] - 1, parent)
    nodes = []
    for t in range(steps):
        penalty = float(length_penalty(t + 1, alpha))
        for j in range(width):
            if not raw["entered"][t, b, j]:
                continue
            lp = float(raw["cum_lp"][t, b, j])
            token = int(raw["tokens"][t, b, j])
            nodes.append(
                BeamNode(
                    step=t,
                    beam=j,
                    token_id=token,
                    token=token_text(token),
                    parent=_parent_rank(raw, b, t, j),
                    log_prob=lp,
                    score=lp / penalty,
                    finished=token == END_ID,
                    rank=ranks.get((t, j)),
                    kept=(t, j) in kept,
                )
            )
    return nodes
