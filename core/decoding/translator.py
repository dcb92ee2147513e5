"""The :class:`Translator`: English text in, :class:`~core.decoding.results.Translation` out."""

from __future__ import annotations

import functools
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from core.decoding.assemble import assemble, output_length
from core.decoding.beam_search import BeamHypothesis, collect, expansion_tree, make_beam_search_fn
from core.decoding.results import BeamTree, Step, StepThrough, Translation
from core.decoding.search import greedy_eager, greedy_search
from core.text import MAX_INPUT_CHARS, normalize
from core.text.tokenizer import WORDS, Tokenizer
from core.text.vocab import END, END_ID, PAD_ID, START_ID, UNK_ID, Vocabulary

_BANNED = (PAD_ID, UNK_ID, START_ID)  # never emitted by the decoder
STEP_TOP_K = 5  # alternatives the step-through search reports per step
BEAM_WIDTHS_KEPT = 3  # compiled beam searches kept per model, least recently used dropped first


class Translator:
    """Turns English text into :class:`Translation` values with a model and its vocabularies.

    Read-only after construction, so one instance serves every user; calls into
    TensorFlow are serialised by a lock. Compiled searches are traced once each:
    ``trace_counts`` counts the traces per search (``"greedy"``, ``"forced"``, ``"beam-<width>"``),
    and a beam search is compiled once per width (every ``alpha`` shares it), at most
    ``BEAM_WIDTHS_KEPT`` widths at a time.
    """

    def __init__(self, model, src_vocab: Vocabulary, tgt_vocab: Vocabulary, tokenizer: Tokenizer = WORDS):
        self.model = model
        self.config = model.config
        self.src_vocab = src_vocab
        self.tgt_vocab = tgt_vocab
        self.tokenizer = tokenizer  # text -> tokens (words or subword pieces) and back
        self._assemble = functools.partial(assemble, src_vocab, tgt_vocab, tokenizer=tokenizer.kind)
        self._lock = threading.Lock()
        banned = np.zeros(len(tgt_vocab), dtype="float32")
        banned[list(_BANNED)] = -1e9
        self._banned = banned
        self.trace_counts: Counter[str] = Counter()  # Python side effects run once per trace
        self._greedy_fn = tf.function(
            lambda src: greedy_search(
                self.model, self._banned, self._traced("greedy", src), self.config.max_decode_len
            ),
            input_signature=[tf.TensorSpec([None, None], tf.int32)],
        )
        self._beam_fns: OrderedDict[int, object] = OrderedDict()  # width -> compiled search, LRU order
        # the model's best alternatives per step: never more than the tokens it may emit
        self.top_k = max(1, min(STEP_TOP_K, len(tgt_vocab) - len(_BANNED)))
        self._forced_fn = tf.function(
            lambda src, prefix: greedy_search(
                self.model, self._banned, self._traced("forced", src), self.config.max_decode_len, prefix, self.top_k
            ),
            input_signature=[tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.int32)],
        )

    def _traced(self, name: str, src):
        """Count one trace of search ``name`` (called only while TensorFlow traces it)."""
        self.trace_counts[name] += 1
        return src

    def warm_up(self, beam_widths: Sequence[int] = ()) -> None:
        """Trace the greedy search (and the beam search of each of ``beam_widths``) on a dummy sentence."""
        src = np.full((1, 2), UNK_ID, dtype="int32")
        self.greedy(src)
        for width in beam_widths:
            self.beam_raw(src, width)

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
        return greedy_eager(self.model, self._banned, src, self.config.max_decode_len)

    def beam_raw(self, src: np.ndarray, beam_width: int = 4, alpha: float = 0.6) -> dict:
        """Compiled beam search on padded ids (batch, src_len): the raw arrays of ``make_beam_search_fn``."""
        width = int(beam_width)
        with self._lock:
            fn = self._beam_fns.get(width)
            if fn is None:
                fn = make_beam_search_fn(self.model, width, self.config.max_decode_len, self._banned,
                                         on_trace=lambda: self._traced(f"beam-{width}", None))  # fmt: skip
                self._beam_fns[width] = fn
                while len(self._beam_fns) > BEAM_WIDTHS_KEPT:
                    self._beam_fns.popitem(last=False)
            self._beam_fns.move_to_end(width)
            out = fn(tf.constant(src, tf.int32), tf.constant(alpha, tf.float32))
            return tf.nest.map_structure(lambda x: x.numpy(), out)

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
        tokens = self.tokenizer.split(normalize(sentence)[: MAX_INPUT_CHARS * 4])
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
                n = output_length(result["ids"][row])
                attention = {name: v[row, :n] for name, v in result["attention"].items()}
                enc_self = result["encoder_self"][row] if "encoder_self" in result else None
                out.append((i, self._assemble(prepared[i], result["ids"][row, :n].tolist(), result["probs"][row, :n],
                                                    attention, enc_self, unk_probs=result["unk_probs"][row, :n])))  # fmt: skip
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
        return self._assemble(
            prepared,
            h.ids,
            h.probabilities,
            h.attention,
            encoder_self,
            h.log_prob,
            h.score,
        )

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
        total = output_length(ids)  # written tokens, end token excluded
        ended = total < len(ids) and ids[total] == END_ID
        n_steps = total + 1 if ended else total
        attention = {name: v[0, :n_steps] for name, v in raw["attention"].items()}
        enc_self = raw["encoder_self"][0] if "encoder_self" in raw else None
        every = self._assemble(
            prepared,
            ids[:n_steps].tolist(),
            raw["probs"][0, :n_steps],
            attention,
            enc_self,
        )
        translation = self._assemble(
            prepared,
            ids[:total].tolist(),
            raw["probs"][0, :total],
            {name: v[:total] for name, v in attention.items()},
            enc_self,
            unk_probs=raw["unk_probs"][0, :total],
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
                unk_probability=float(raw["unk_probs"][0, i]),
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
                results[i] = empty(
                    Translation(
                        tokens,
                        [],
                        np.zeros((0, 0), "float32"),
                        np.zeros(0, "float32"),
                        [],
                        tokenizer=self.tokenizer.kind,
                    )  # fmt: skip
                )
        return results
