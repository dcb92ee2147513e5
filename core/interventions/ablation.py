"""Head ablation of a Transformer translator: re-translate with heads switched off, and score the change.

:class:`HeadAblation` holds two compiled searches over :class:`~core.interventions.head_mask.HeadMasked`,
each traced once per model: greedy search (the ablated translation) and forced search (the
ablated model's probability of the *original* output, token by token). Per output token the
page shows ``Δ log p_i = log p_ablated(y_i | y_<i, x) - log p(y_i | y_<i, x)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core.decoding.assemble import assemble, output_length
from core.decoding.results import Translation
from core.decoding.search import greedy_search
from core.interventions.head_mask import KINDS, MODES, HeadMasked


@dataclass(frozen=True)
class AblationResult:
    """The original translation, the ablated one, and ``Δ log p`` of each original output token."""

    original: Translation
    ablated: Translation
    delta_log_p: np.ndarray  # (len(original.target_tokens),)
    keep: np.ndarray  # (3, layers, heads)
    mode: str

    @property
    def switched_off(self) -> list[tuple[str, int, int]]:
        """``(kind, layer, head)`` of every head switched off, 0-based."""
        return [(KINDS[k], int(layer), int(h)) for k, layer, h in zip(*np.nonzero(self.keep < 0.5), strict=True)]


class HeadAblation:
    """Ablated decoding for the Transformer of ``translator``; read-only after construction, shareable."""

    def __init__(self, translator):
        if translator.config.arch != "transformer":
            raise ValueError(f"head ablation needs a Transformer, not arch {translator.config.arch!r}")
        self.translator = translator
        self.model = translator.model
        c = translator.config
        self.shape = (len(KINDS), c.num_layers, c.num_heads)
        self._lock = translator._lock  # one TensorFlow call at a time per model, shared with its Translator
        banned, max_len = translator._banned, c.max_decode_len
        spec_src = tf.TensorSpec([None, None], tf.int32)
        spec_keep = tf.TensorSpec(self.shape, tf.float32)
        spec_mode = tf.TensorSpec([], tf.float32)
        self._greedy_fn = tf.function(
            lambda src, keep, uniform: greedy_search(HeadMasked(self.model, keep, uniform), banned, src, max_len),
            input_signature=[spec_src, spec_keep, spec_mode],
        )
        self._forced_fn = tf.function(
            lambda src, prefix, keep, uniform: greedy_search(
                HeadMasked(self.model, keep, uniform), banned, src, max_len, prefix
            ),
            input_signature=[spec_src, tf.TensorSpec([None, None], tf.int32), spec_keep, spec_mode],
        )

    def keep_all(self) -> np.ndarray:
        """A mask with every head on, (3, layers, heads) float32."""
        return np.ones(self.shape, "float32")

    def _check(self, keep, mode: str) -> tuple[tf.Tensor, tf.Tensor]:
        keep = np.asarray(keep, "float32")
        if keep.shape != self.shape:
            raise ValueError(f"head mask shape {keep.shape} != (kinds, layers, heads) {self.shape}")
        if mode not in MODES:
            raise ValueError(f"ablation mode {mode!r} is not one of {MODES}")
        return tf.constant(keep), tf.constant(float(mode == "uniform"))

    def translate_batch(
        self, sentences: Sequence[str], keep, mode: str = "zero", batch_size: int = 64
    ) -> list[Translation]:
        """Greedy translations of ``sentences`` with the heads of ``keep`` switched off."""
        keep_t, uniform = self._check(keep, mode)
        tr = self.translator
        out = []
        for prepared, src, group in tr._batches(sentences, batch_size):
            with self._lock:
                raw = tf.nest.map_structure(lambda x: x.numpy(), self._greedy_fn(tf.constant(src), keep_t, uniform))
            for row, i in enumerate(group):
                n = output_length(raw["ids"][row])
                attention = {name: v[row, :n] for name, v in raw["attention"].items()}
                out.append((i, assemble(tr.src_vocab, tr.tgt_vocab, prepared[i], raw["ids"][row, :n].tolist(),
                                        raw["probs"][row, :n], attention, raw["encoder_self"][row],
                                        tokenizer=tr.tokenizer.kind)))  # fmt: skip
        return tr._in_order(sentences, out)

    def translate(self, sentence: str, keep, mode: str = "zero") -> Translation:
        return self.translate_batch([sentence], keep, mode)[0]

    def forced_log_probs(self, translations: Sequence[Translation], keep, mode: str = "zero") -> list[np.ndarray]:
        """``log p`` under the ablation of each translation's own output tokens, one (T,) array each."""
        keep_t, uniform = self._check(keep, mode)
        tr = self.translator
        result: list[np.ndarray] = [np.zeros(0, "float32") for _ in translations]
        todo = [i for i, t in enumerate(translations) if t.source_tokens and t.target_tokens]
        for start in range(0, len(todo), 64):
            group = todo[start : start + 64]
            src = tr.encode_batch([translations[i].source_tokens for i in group])
            width = max(len(translations[i].target_tokens) for i in group)
            prefix = np.zeros((len(group), width), "int32")
            for row, i in enumerate(group):
                ids = tr.tgt_vocab.encode(translations[i].target_tokens)
                prefix[row, : len(ids)] = ids
            with self._lock:
                raw = self._forced_fn(tf.constant(src), tf.constant(prefix), keep_t, uniform)
            probs = raw["probs"].numpy()
            for row, i in enumerate(group):
                n = len(translations[i].target_tokens)
                result[i] = np.log(np.maximum(probs[row, :n], 1e-30)).astype("float32")
        return result

    def compare(self, sentence: str, keep, mode: str = "zero") -> AblationResult:
        """The original and the ablated translation of ``sentence`` and ``Δ log p`` of the original tokens."""
        original = self.translator.translate(sentence)
        ablated = self.translate(sentence, keep, mode)
        (after,) = self.forced_log_probs([original], keep, mode)
        before = np.log(np.maximum(original.probabilities, 1e-30))
        return AblationResult(original, ablated, (after - before).astype("float32"), np.asarray(keep, "float32"), mode)
