"""Decoding: greedy search inside ``tf.function``, and the ``Translation`` it returns."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from core.text import MAX_INPUT_CHARS, detokenize, normalize, tokenize
from core.vocab import END_ID, PAD_ID, START_ID, UNK_ID, Vocabulary

_BANNED = (PAD_ID, UNK_ID, START_ID)  # never emitted by the decoder


@dataclass(frozen=True)
class Translation:
    """One translated sentence with the attention that produced it.

    ``attention[i, j]`` is the weight target token ``i`` gave source token ``j``.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    attention: np.ndarray  # (target_len, source_len)
    probabilities: np.ndarray  # (target_len,)
    unknown: list[bool] = field(default_factory=list)  # per source token: outside the vocabulary
    truncated_from: int | None = None  # token count of the input when it was cut to the cap

    @property
    def text(self) -> str:
        return detokenize(self.target_tokens)

    @property
    def source_labels(self) -> list[str]:
        """Source tokens for display; unknown words are marked, not dropped."""
        return [f"{t} [UNK]" if unk else t for t, unk in zip(self.source_tokens, self.unknown, strict=True)]


class Translator:
    """Turns English text into a :class:`Translation` with a model and its vocabularies.

    Read-only after construction, so one instance can serve many users; calls into
    TensorFlow are serialised by a lock.
    """

    def __init__(self, model, src_vocab: Vocabulary, tgt_vocab: Vocabulary):
        self.model = model
        self.config = model.config
        self.src_vocab = src_vocab
        self.tgt_vocab = tgt_vocab
        self._lock = threading.Lock()
        max_len = self.config.max_decode_len
        banned = np.zeros(len(tgt_vocab), dtype="float32")
        banned[list(_BANNED)] = -1e9
        self._banned = tf.constant(banned)

        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
        def greedy(src):
            return self._greedy(src, max_len)

        self._greedy_fn = greedy

    # -- decoding --------------------------------------------------------------------------
    def _greedy(self, src, max_len: int):
        """Greedy search. ``src`` (batch, src_len) -> ids (batch, max_len), attention (batch, max_len, src_len), probs."""
        model = self.model
        enc, state, src_mask = model.encode(src)
        keys = model.attention.project_keys(enc)  # (batch, src_len, units)
        batch = tf.shape(src)[0]
        token = tf.fill([batch], START_ID)
        done = tf.zeros([batch], tf.bool)
        ids = tf.TensorArray(tf.int32, size=max_len, element_shape=[None])
        attn = tf.TensorArray(tf.float32, size=max_len, element_shape=[None, None])
        probs = tf.TensorArray(tf.float32, size=max_len, element_shape=[None])
        for t in tf.range(max_len):
            logits, state, weights = model.decode_step(token, state, enc, keys, src_mask)
            p = tf.nn.softmax(logits + self._banned)  # (batch, vocab)
            nxt = tf.argmax(p, axis=-1, output_type=tf.int32)
            nxt = tf.where(done, PAD_ID, nxt)
            ids = ids.write(t, nxt)
            attn = attn.write(t, weights)
            probs = probs.write(t, tf.reduce_max(p, axis=-1))
            done = done | tf.equal(nxt, END_ID)
            token = nxt
            if tf.reduce_all(done):
                break
        ids = tf.transpose(ids.stack(), [1, 0])  # (batch, steps)
        attn = tf.transpose(attn.stack(), [1, 0, 2])  # (batch, steps, src_len)
        probs = tf.transpose(probs.stack(), [1, 0])  # (batch, steps)
        return ids, attn, probs

    def greedy(self, src: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Compiled greedy search on padded ids (batch, src_len): ids, attention, probabilities as arrays."""
        with self._lock:  # one TensorFlow call at a time per model
            return tuple(x.numpy() for x in self._greedy_fn(tf.constant(src, tf.int32)))

    def greedy_eager(self, src: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same search as a plain Python loop of eager steps (reference and benchmark)."""
        model = self.model
        src = tf.constant(src, tf.int32)
        enc, state, src_mask = model.encode(src)
        keys = model.attention.project_keys(enc)
        token = tf.fill([src.shape[0]], START_ID)
        done = np.zeros(src.shape[0], bool)
        ids, attn, probs = [], [], []
        for _ in range(self.config.max_decode_len):
            logits, state, weights = model.decode_step(token, state, enc, keys, src_mask)
            p = tf.nn.softmax(logits + self._banned).numpy()
            nxt = np.where(done, PAD_ID, p.argmax(-1)).astype("int32")
            ids.append(nxt)
            attn.append(weights.numpy())
            probs.append(p.max(-1))
            done |= nxt == END_ID
            token = tf.constant(nxt)
            if done.all():
                break
        return np.stack(ids, 1), np.stack(attn, 1), np.stack(probs, 1)

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

    def translate_batch(self, sentences: Sequence[str], batch_size: int = 64) -> list[Translation]:
        """Translate many sentences; sentences of similar length are decoded together."""
        prepared = [self.prepare(s) for s in sentences]
        results: list[Translation | None] = [None] * len(prepared)
        for i, (tokens, _) in enumerate(prepared):
            if not tokens:  # nothing to translate: no model call
                results[i] = Translation([], [], np.zeros((0, 0), "float32"), np.zeros(0, "float32"), [])
        order = sorted((i for i in range(len(prepared)) if results[i] is None), key=lambda i: len(prepared[i][0]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            token_lists = [prepared[i][0] for i in chunk]
            src = self.encode_batch(token_lists)
            ids, attn, probs = self.greedy(src)
            for row, i in enumerate(chunk):
                results[i] = self._to_translation(prepared[i], ids[row], attn[row], probs[row])
        return results  # type: ignore[return-value]

    def _to_translation(self, prepared, ids, attn, probs) -> Translation:
        tokens, truncated_from = prepared
        n = len(ids)
        for k, i in enumerate(ids):
            if i in (END_ID, PAD_ID):
                n = k
                break
        return Translation(
            source_tokens=list(tokens),
            target_tokens=self.tgt_vocab.decode(ids[:n].tolist()),
            attention=np.asarray(attn[:n, : len(tokens)], dtype="float32"),
            probabilities=np.asarray(probs[:n], dtype="float32"),
            unknown=[not self.src_vocab.is_known(t) for t in tokens],
            truncated_from=truncated_from,
        )
