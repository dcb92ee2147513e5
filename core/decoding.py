"""Decoding: greedy and beam search inside ``tf.function``, and the ``Translation`` they return.

Any model with the decoding interface works here::

    memory, state = model.init_decoding(src)                      # batch-first dicts
    logits, state, attention = model.decode_step(token, step, memory, state)

``attention`` holds ``"cross"`` — (batch, src_len) for recurrent models, (batch, layers,
heads, src_len) for the Transformer — and optionally ``"position"`` (batch,) for local-p and
``"self"`` (batch, layers, heads, max_len) for the Transformer; ``memory`` may hold
``"encoder_self"`` (batch, layers, heads, src_len, src_len).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from core.beam_search import BeamHypothesis, BeamNode, collect, expansion_tree, make_beam_search_fn
from core.text import MAX_INPUT_CHARS, detokenize, normalize, tokenize
from core.vocab import END, END_ID, PAD_ID, START_ID, UNK_ID, Vocabulary

_BANNED = (PAD_ID, UNK_ID, START_ID)  # never emitted by the decoder
STEP_TOP_K = 5  # alternatives the step-through search reports per step


@dataclass(frozen=True)
class Translation:
    """One translated sentence with the attention that produced it.

    ``attention[i, j]`` is the weight output token ``i`` gave source token ``j`` — for the
    Transformer, the mean over the heads of the last layer's cross-attention; ``layers``
    then holds every layer and head: ``"cross"`` (L, H, tgt, src), ``"decoder_self"``
    (L, H, tgt, tgt) and ``"encoder_self"`` (L, H, src, src). ``positions[i]`` is the
    window centre a local-p model predicted for output token ``i``.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    attention: np.ndarray  # (target_len, source_len)
    probabilities: np.ndarray  # (target_len,) probability of each chosen token
    unknown: list[bool] = field(default_factory=list)  # per source token: outside the vocabulary
    truncated_from: int | None = None  # token count of the input when it was cut to the cap
    positions: np.ndarray | None = None  # (target_len,) local-p window centres
    layers: dict[str, np.ndarray] | None = None  # Transformer: per-layer, per-head matrices
    log_prob: float | None = None  # log p(output), end token included
    score: float | None = None  # beam search's length-normalised score

    @property
    def text(self) -> str:
        return detokenize(self.target_tokens)

    def cross_attention(self, layer: int | None = None, head: int | None = None) -> np.ndarray:
        """The (target_len, source_len) matrix to draw: ``attention``, or one Transformer layer/head.

        ``layer`` and ``head`` index ``layers["cross"]`` (negative counts from the end);
        ``head=None`` averages the layer's heads.
        """
        if layer is None and head is None:
            return self.attention
        if self.layers is None:
            raise ValueError("only Transformer translations have per-layer, per-head attention")
        cross = self.layers["cross"]  # (L, H, tgt, src)
        num_layers, num_heads = cross.shape[:2]
        layer = num_layers - 1 if layer is None else layer
        if not -num_layers <= layer < num_layers:
            raise ValueError(f"layer {layer} out of range for {num_layers} layers")
        if head is not None and not -num_heads <= head < num_heads:
            raise ValueError(f"head {head} out of range for {num_heads} heads")
        return cross[layer].mean(axis=0) if head is None else cross[layer, head]

    @property
    def source_labels(self) -> list[str]:
        """Source tokens for display; unknown words are marked, not dropped."""
        return [f"{t} [UNK]" if unk else t for t, unk in zip(self.source_tokens, self.unknown, strict=True)]


@dataclass(frozen=True)
class Step:
    """One decoder step of a step-through: the token written and what the model thought of it.

    ``probability`` is the model's probability of ``token`` at this step, also when the token
    was forced; ``top_k`` lists the model's own best next tokens, most probable first.
    ``attention_row`` (source_len,) is the step's cross-attention (for the Transformer, the
    last layer's mean of heads); ``position`` is local-p's predicted window centre.
    """

    token: str
    probability: float
    top_k: list[tuple[str, float]]
    attention_row: np.ndarray  # (source_len,)
    forced: bool
    position: float | None = None

    @property
    def is_end(self) -> bool:
        """Whether this step ends the sentence (its token is the end token)."""
        return self.token == END

    @property
    def model_choice(self) -> str | None:
        """The token the model itself ranks first here (``None`` when it reported none)."""
        return self.top_k[0][0] if self.top_k else None


@dataclass(frozen=True)
class StepThrough:
    """A translation decoded step by step, with the first tokens possibly forced.

    ``steps`` has one entry per decoder step: one per output token of ``translation``, then
    the end step when the model stopped before ``max_decode_len``.
    """

    source_tokens: list[str]
    steps: list[Step]
    translation: Translation
    forced: tuple[str | None, ...] = ()  # the forced prefix as asked; None = the model's choice

    @property
    def finished(self) -> bool:
        """Whether decoding stopped with the end token (not at the length cap)."""
        return bool(self.steps) and self.steps[-1].is_end


@dataclass(frozen=True)
class BeamTree:
    """A beam search's n-best list and the tree of every extension the beam kept on the way.

    ``ends[i]`` is the ``(step, beam)`` key of the last node of ``nbest[i]`` (its end token
    when it finished); :meth:`path` walks from there back to the start.
    """

    nbest: list[Translation]  # best first
    nodes: list[BeamNode]  # step by step, slot by slot
    ends: list[tuple[int, int] | None]  # per n-best entry
    beam_width: int
    alpha: float

    def node(self, key: tuple[int, int]) -> BeamNode:
        """The node at ``(step, beam)``; KeyError when that slot held no extension."""
        for n in self.nodes:
            if n.key == key:
                return n
        raise KeyError(f"no node at step {key[0]}, beam {key[1]}")

    def path(self, rank: int) -> list[BeamNode]:
        """The nodes of ``nbest[rank]`` from the first token to its last (its end token if finished)."""
        if not 0 <= rank < len(self.ends):
            raise IndexError(f"rank {rank} out of range for an n-best list of {len(self.ends)}")
        by_key = {n.key: n for n in self.nodes}
        out, key = [], self.ends[rank]
        while key is not None:
            node = by_key[key]
            out.append(node)
            key = node.parent_key
        return out[::-1]

    @property
    def last_step(self) -> int:
        """The last step any n-best hypothesis used (-1 when none wrote a token)."""
        return max((key[0] for key in self.ends if key is not None), default=-1)


def _stack_steps(arrays: tuple, names: list[str], steps) -> dict:
    """TensorArrays of per-step (batch, ...) values -> dict of (batch, steps, ...) tensors."""
    out = {}
    for name, ta in zip(names, arrays, strict=True):
        x = ta.stack()[:steps]  # (steps, batch, ...)
        out[name] = tf.transpose(x, tf.concat([[1, 0], tf.range(2, tf.rank(x))], 0))
    return out


class Translator:
    """Turns English text into :class:`Translation` values with a model and its vocabularies.

    Read-only after construction, so one instance serves every user; calls into
    TensorFlow are serialised by a lock. Compiled searches are traced once each.
    """

    def __init__(self, model, src_vocab: Vocabulary, tgt_vocab: Vocabulary):
        self.model = model
        self.config = model.config
        self.src_vocab = src_vocab
        self.tgt_vocab = tgt_vocab
        self._lock = threading.Lock()
        banned = np.zeros(len(tgt_vocab), dtype="float32")
        banned[list(_BANNED)] = -1e9
        self._banned = banned
        self._greedy_fn = tf.function(
            lambda src: self._search(src, self.config.max_decode_len),
            input_signature=[tf.TensorSpec([None, None], tf.int32)],
        )
        self._beam_fns: dict[tuple[int, float], object] = {}
        # the model's best alternatives per step: never more than the tokens it may emit
        self.top_k = max(1, min(STEP_TOP_K, len(tgt_vocab) - len(_BANNED)))
        self._forced_fn = tf.function(
            lambda src, prefix: self._search(src, self.config.max_decode_len, prefix, self.top_k),
            input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.int32)],
        )

    # -- searches on id arrays ----------------------------------------------------------
    def _search(self, src, max_len: int, prefix=None, top_k: int = 0) -> dict:
        """Greedy search on ``src`` (batch, src_len), optionally with forced first tokens.

        ``prefix`` (batch, prefix_len) holds the token to write at each of the first steps;
        ``PAD_ID`` there (and every step past ``prefix_len``) leaves the choice to the model.
        Returns per step the written ``ids`` and their ``probs`` under the model (batch, steps)
        and the attention dict (each (batch, steps, ...)); with a prefix also whether each token
        was ``forced``, and with ``top_k`` > 0 the model's ``top_ids``/``top_probs``
        (batch, steps, top_k), best first. Plain greedy search (no prefix, ``top_k=0``) traces
        none of that extra work.
        """
        model = self.model
        memory, state = model.init_decoding(src)
        batch = tf.shape(src)[0]
        if prefix is not None:
            prefix = prefix[:, :max_len]
            prefix = tf.pad(prefix, [[0, 0], [0, max_len - tf.shape(prefix)[1]]])  # (batch, max_len)
        token = tf.fill([batch], START_ID)
        _, _, probe = model.decode_step(token, tf.constant(0), memory, state)  # only its structure is used
        names = sorted(probe)
        done = tf.zeros([batch], tf.bool)
        arrays = {"ids": tf.TensorArray(tf.int32, size=max_len), "probs": tf.TensorArray(tf.float32, size=max_len)}
        if prefix is not None:
            arrays["forced"] = tf.TensorArray(tf.bool, size=max_len)
        if top_k:
            arrays["top_ids"] = tf.TensorArray(tf.int32, size=max_len)
            arrays["top_probs"] = tf.TensorArray(tf.float32, size=max_len)
        attn = tuple(tf.TensorArray(tf.float32, size=max_len) for _ in names)
        steps = tf.constant(0)
        for t in tf.range(max_len):
            logits, state, step_attention = model.decode_step(token, t, memory, state)
            p = tf.nn.softmax(logits + self._banned)  # (batch, vocab)
            chosen = tf.argmax(p, axis=-1, output_type=tf.int32)  # (batch,)
            written = {}
            if prefix is not None:
                want = prefix[:, t]
                is_forced = tf.not_equal(want, PAD_ID) & ~done
                chosen = tf.where(is_forced, want, chosen)
                written["forced"] = is_forced
                written["probs"] = tf.gather(p, chosen, batch_dims=1)
            else:
                written["probs"] = tf.reduce_max(p, axis=-1)
            if top_k:
                written["top_probs"], written["top_ids"] = tf.math.top_k(p, k=top_k)
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
            name: tf.transpose(ta.stack()[:steps]) for name, ta in arrays.items() if name in ("ids", "probs", "forced")
        }
        for name in ("top_ids", "top_probs"):  # (batch, steps, top_k)
            if name in arrays:
                out[name] = tf.transpose(arrays[name].stack()[:steps], [1, 0, 2])
        out["attention"] = _stack_steps(attn, names, steps)  # each (batch, steps, ...)
        if "encoder_self" in memory:
            out["encoder_self"] = memory["encoder_self"]
        return out

    def greedy(self, src: np.ndarray) -> dict:
        """Compiled greedy search on padded ids (batch, src_len); numpy arrays out."""
        with self._lock:  # one TensorFlow call at a time per model
            out = self._greedy_fn(tf.constant(src, tf.int32))
        return tf.nest.map_structure(lambda x: x.numpy(), out)

    def forced_search(self, src: np.ndarray, prefix: np.ndarray) -> dict:
        """Compiled forced-prefix search on padded ids (batch, src_len) and prefixes (batch, prefix_len)."""
        with self._lock:
            out = self._forced_fn(tf.constant(src, tf.int32), tf.constant(prefix, tf.int32))
        return tf.nest.map_structure(lambda x: x.numpy(), out)

    def greedy_eager(self, src: np.ndarray) -> dict:
        """The same search as a Python loop of eager steps: the reference and the benchmark baseline."""
        model = self.model
        src = tf.constant(src, tf.int32)
        memory, state = model.init_decoding(src)
        token = tf.fill([src.shape[0]], START_ID)
        done = np.zeros(src.shape[0], bool)
        ids, probs, attn = [], [], {}
        for t in range(self.config.max_decode_len):
            logits, state, step_attention = model.decode_step(token, tf.constant(t), memory, state)
            p = tf.nn.softmax(logits + self._banned).numpy()
            nxt = np.where(done, PAD_ID, p.argmax(-1)).astype("int32")
            ids.append(nxt)
            probs.append(p.max(-1))
            for name, value in step_attention.items():
                attn.setdefault(name, []).append(value.numpy())
            done |= nxt == END_ID
            token = tf.constant(nxt)
            if done.all():
                break
        out = {
            "ids": np.stack(ids, 1),
            "probs": np.stack(probs, 1),
            "attention": {name: np.stack(v, 1) for name, v in attn.items()},
        }
        if "encoder_self" in memory:
            out["encoder_self"] = memory["encoder_self"].numpy()
        return out

    def beam_raw(self, src: np.ndarray, beam_width: int = 4, alpha: float = 0.6) -> dict:
        """Compiled beam search on padded ids (batch, src_len): the raw arrays of ``make_beam_search_fn``."""
        key = (int(beam_width), float(alpha))
        with self._lock:
            fn = self._beam_fns.get(key)
            if fn is None:
                fn = make_beam_search_fn(self.model, beam_width, self.config.max_decode_len, self._banned, alpha)
                self._beam_fns[key] = fn
            return tf.nest.map_structure(lambda x: x.numpy(), fn(tf.constant(src, tf.int32)))

    def beam(
        self, src: np.ndarray, beam_width: int = 4, alpha: float = 0.6
    ) -> tuple[list[list[BeamHypothesis]], np.ndarray | None]:
        """Compiled beam search on padded ids: the n-best list of each sentence, best first, and the
        encoder self-attention (Transformer only, else None)."""
        raw = self.beam_raw(src, beam_width, alpha)
        return [collect(raw, b, beam_width, alpha) for b in range(src.shape[0])], raw.get("encoder_self")

    # -- text in, Translation out --------------------------------------------------------
    def prepare(self, sentence: str) -> tuple[list[str], int | None]:
        """Tokens of ``sentence`` (capped at ``max_source_len``) and the original count if cut."""
        tokens = tokenize(normalize(sentence)[: MAX_INPUT_CHARS * 4])
        cap = self.config.max_source_len
        if len(tokens) > cap:
            return tokens[:cap], len(tokens)
        return tokens, None

    def encode_batch(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Pad id sequences of the token lists to one (batch, max_len) int32 array."""
        width = max(1, max(len(t) for t in token_lists))
        src = np.zeros((len(token_lists), width), dtype="int32")
        for i, toks in enumerate(token_lists):
            src[i, : len(toks)] = self.src_vocab.encode(toks)
        return src

    def translate(self, sentence: str) -> Translation:
        return self.translate_batch([sentence])[0]

    def translate_batch(self, sentences: Sequence[str], batch_size: int = 64, beam_width: int = 1,
                        alpha: float = 0.6) -> list[Translation]:  # fmt: skip
        """Translate many sentences, greedy (``beam_width`` 1) or with the best beam hypothesis."""
        if beam_width > 1:
            return [nbest[0] for nbest in self.nbest_batch(sentences, beam_width, alpha, batch_size)]
        out: list[Translation] = []
        for prepared, src, group in self._batches(sentences, batch_size):
            result = self.greedy(src)
            for row, i in enumerate(group):
                n = _length(result["ids"][row])
                attention = {name: v[row, :n] for name, v in result["attention"].items()}
                enc_self = result["encoder_self"][row] if "encoder_self" in result else None
                out.append((i, self._assemble(prepared[i], result["ids"][row, :n].tolist(),
                                              result["probs"][row, :n], attention, enc_self)))  # fmt: skip
        return self._in_order(sentences, out)

    def nbest(self, sentence: str, beam_width: int = 4, alpha: float = 0.6) -> list[Translation]:
        """The n-best list of one sentence, best first, each with its own attention."""
        return self.nbest_batch([sentence], beam_width, alpha)[0]

    def nbest_batch(self, sentences: Sequence[str], beam_width: int = 4, alpha: float = 0.6,
                    batch_size: int = 32) -> list[list[Translation]]:  # fmt: skip
        out: list = []
        for prepared, src, group in self._batches(sentences, batch_size):
            hyps, enc_self = self.beam(src, beam_width, alpha)
            for row, i in enumerate(group):
                enc = None if enc_self is None else enc_self[row]
                out.append((i, [self._assemble_hypothesis(prepared[i], h, enc) for h in hyps[row]]))
        return self._in_order(sentences, out, empty=lambda t: [t])

    def beam_tree(self, sentence: str, beam_width: int = 4, alpha: float = 0.6) -> BeamTree:
        """The n-best list of one sentence (as :meth:`nbest`) and the tree of the beam's expansions."""
        prepared = self.prepare(sentence)
        if not prepared[0]:
            return BeamTree(self._in_order([sentence], [], empty=lambda t: [t])[0], [], [None], beam_width, alpha)
        raw = self.beam_raw(self.encode_batch([prepared[0]]), beam_width, alpha)
        hyps = collect(raw, 0, beam_width, alpha)
        enc = raw["encoder_self"][0] if "encoder_self" in raw else None
        nbest = [self._assemble_hypothesis(prepared, h, enc) for h in hyps]
        nodes = expansion_tree(raw, 0, hyps, alpha, lambda i: self.tgt_vocab.decode([i])[0])
        return BeamTree(nbest, nodes, [h.end for h in hyps], int(beam_width), float(alpha))

    def _assemble_hypothesis(self, prepared, h: BeamHypothesis, encoder_self=None) -> Translation:
        return self._assemble(prepared, h.ids, h.probabilities, h.attention, encoder_self, h.log_prob, h.score)

    def step_through(self, sentence: str, forced: Sequence[str | None] = ()) -> StepThrough:
        """Decode ``sentence`` step by step, writing the tokens of ``forced`` first.

        ``forced[i]`` is the target token to write at step ``i`` (``None`` leaves that step to
        the model); after the prefix, decoding is greedy. With no forced tokens the result's
        ``translation`` equals :meth:`translate`. ``"[END]"`` may be forced as the last token
        to stop there. Raises ``ValueError`` naming any forced word outside the target
        vocabulary, and for a prefix longer than ``max_decode_len``.
        """
        forced = tuple(forced)
        prefix = self._prefix_ids(forced)
        prepared = self.prepare(sentence)
        tokens = prepared[0]
        if not tokens:
            if any(f is not None for f in forced):
                raise ValueError("the sentence holds no words to translate")
            return StepThrough([], [], self._in_order([sentence], [])[0], forced)
        raw = self.forced_search(self.encode_batch([tokens]), np.asarray([prefix], dtype="int32").reshape(1, -1))
        ids = raw["ids"][0]
        total = _length(ids)  # written tokens, end token excluded
        ended = total < len(ids) and ids[total] == END_ID
        n_steps = total + 1 if ended else total
        attention = {name: v[0, :n_steps] for name, v in raw["attention"].items()}
        enc_self = raw["encoder_self"][0] if "encoder_self" in raw else None
        every = self._assemble(prepared, ids[:n_steps].tolist(), raw["probs"][0, :n_steps], attention, enc_self)
        translation = self._assemble(
            prepared,
            ids[:total].tolist(),
            raw["probs"][0, :total],
            {name: v[:total] for name, v in attention.items()},
            enc_self,
        )
        banned = set(_BANNED)
        steps = [
            Step(
                token=every.target_tokens[i],
                probability=float(raw["probs"][0, i]),
                top_k=[
                    (self.tgt_vocab.decode([int(k)])[0], float(q))
                    for k, q in zip(raw["top_ids"][0, i], raw["top_probs"][0, i], strict=True)
                    if int(k) not in banned
                ],
                attention_row=every.attention[i],
                forced=bool(raw["forced"][0, i]),
                position=None if every.positions is None else float(every.positions[i]),
            )
            for i in range(n_steps)
        ]
        return StepThrough(list(tokens), steps, translation, forced)

    def _prefix_ids(self, forced: Sequence[str | None]) -> list[int]:
        """Ids of a forced prefix (``PAD_ID`` where the model chooses); ValueError on words it cannot write."""
        limit = self.config.max_decode_len
        if len(forced) > limit:
            raise ValueError(f"at most {limit} words can be forced, got {len(forced)}")
        unknown = [w for w in forced if w is not None and not self.tgt_vocab.is_known(w) and w != END]
        if unknown:
            words = ", ".join(repr(w) for w in dict.fromkeys(unknown))
            raise ValueError(f"not in the model's Spanish vocabulary: {words}")
        if END in forced[:-1]:
            raise ValueError(f"{END} can only be forced as the last token")
        return [PAD_ID if w is None else self.tgt_vocab.id(w) for w in forced]

    # -- helpers ------------------------------------------------------------------------
    def _batches(self, sentences: Sequence[str], batch_size: int):
        """Yield (prepared, padded ids, indices) for groups of similar-length, non-empty sentences."""
        prepared = [self.prepare(s) for s in sentences]
        order = sorted((i for i, p in enumerate(prepared) if p[0]), key=lambda i: len(prepared[i][0]))
        for start in range(0, len(order), batch_size):
            group = order[start : start + batch_size]
            yield prepared, self.encode_batch([prepared[i][0] for i in group]), group

    def _in_order(self, sentences, pairs, empty=lambda t: t) -> list:
        """Results by input position; sentences with no tokens get an empty translation, no model call."""
        results: list = [None] * len(sentences)
        for i, value in pairs:
            results[i] = value
        for i, value in enumerate(results):
            if value is None:
                tokens, truncated = self.prepare(sentences[i])
                results[i] = empty(Translation(tokens, [], np.zeros((0, 0), "float32"), np.zeros(0, "float32"), []))
        return results

    def _assemble(self, prepared, ids, probs, attention: dict, encoder_self=None, log_prob=None, score=None):
        """A Translation from one sentence's ids and per-step attention values (each (steps, ...))."""
        tokens, truncated_from = prepared
        n, s = len(ids), len(tokens)
        cross = np.asarray(attention["cross"], dtype="float32")
        layers = None
        if cross.ndim == 4:  # Transformer: (steps, layers, heads, src)
            layers = {"cross": cross[..., :s].transpose(1, 2, 0, 3)}  # (L, H, tgt, src)
            if "self" in attention:
                layers["decoder_self"] = np.asarray(attention["self"])[..., :n].transpose(1, 2, 0, 3)
            if encoder_self is not None:
                layers["encoder_self"] = np.asarray(encoder_self)[:, :, :s, :s]
            matrix = layers["cross"][-1].mean(axis=0)  # last layer, mean of heads
        else:
            matrix = cross[:, :s]
        positions = attention.get("position")
        return Translation(
            source_tokens=list(tokens),
            target_tokens=self.tgt_vocab.decode(list(ids)),
            attention=np.asarray(matrix, dtype="float32").reshape(n, s),
            probabilities=np.asarray(probs, dtype="float32"),
            unknown=[not self.src_vocab.is_known(t) for t in tokens],
            truncated_from=truncated_from,
            positions=None if positions is None else np.asarray(positions, dtype="float32").reshape(n),
            layers=layers,
            log_prob=log_prob,
            score=score,
        )


def _length(ids: np.ndarray) -> int:
    """Number of tokens before the end (or padding) token."""
    for k, i in enumerate(ids):
        if i in (END_ID, PAD_ID):
            return k
    return len(ids)
