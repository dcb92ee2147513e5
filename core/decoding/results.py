"""What decoding returns: a :class:`Translation`, the steps of a step-through and a beam's tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np

from core.decoding.beam_search import BeamNode
from core.decoding.figure import Heatmap, heatmap
from core.decoding.word_level import word_attention
from core.text import detokenize
from core.text.pieces import LEVELS, join_pieces, word_groups, word_labels
from core.text.vocab import END

UNK_NOTABLE = 0.05  # p([UNK]) from which pages show it beside the written tokens


@dataclass(frozen=True)
class Translation:
    """One translated sentence with the attention that produced it.

    ``attention[i, j]`` is the weight output token ``i`` gave source token ``j`` — for the
    Transformer, the mean over the heads of the last layer's cross-attention; ``layers``
    then holds every layer and head: ``"cross"`` (L, H, tgt, src), ``"decoder_self"``
    (L, H, tgt, tgt) and ``"encoder_self"`` (L, H, src, src). ``positions[i]`` is the
    window centre a local-p model predicted for output token ``i``.

    ``probabilities`` are the model's own, before ``[UNK]`` is banned (it is never written);
    ``unk_probabilities[i]`` is the probability the model gave ``[UNK]`` at step ``i``.
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
    unk_probabilities: np.ndarray | None = None  # (target_len,) p([UNK]) at each step (greedy search)
    tokenizer: str = "word"  # "word": tokens are words; "bpe": SentencePiece pieces (core.text.tokenizer)

    @property
    def text(self) -> str:
        if self.tokenizer == "bpe":
            return join_pieces(self.target_tokens)
        return detokenize(self.target_tokens)

    @property
    def unk_notable(self) -> bool:
        """Whether p([UNK]) reached :data:`UNK_NOTABLE` at some step (pages then show it)."""
        unk = self.unk_probabilities
        return unk is not None and len(unk) > 0 and float(np.max(unk)) >= UNK_NOTABLE

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

    def word_groups(self) -> tuple[list[list[int]], list[list[int]]]:
        """Which source and which target tokens form one word (every word-level token is one)."""
        if self.tokenizer != "bpe":
            return [[i] for i in range(len(self.source_tokens))], [[i] for i in range(len(self.target_tokens))]
        return word_groups(self.source_tokens), word_groups(self.target_tokens)

    def view(self, level: str = "pieces", layer: int | None = None, head: int | None = None):
        """``(matrix, source labels, target labels)`` of the cross-attention at ``level``.

        ``"pieces"`` is what the model computed; ``"words"`` aggregates it by
        :data:`core.decoding.word_level.RULE` (a word-level model's two views are the same).
        """
        if level not in LEVELS:
            raise ValueError(f"level {level!r} is not one of {LEVELS}")
        matrix = self.cross_attention(layer, head)
        if level == "pieces" or self.tokenizer != "bpe":
            return matrix, self.source_labels, list(self.target_tokens)
        src, tgt = self.word_groups()
        return (
            word_attention(matrix, src, tgt),
            word_labels(self.source_tokens, src),
            word_labels(self.target_tokens, tgt),
        )

    def heatmap(self, layer: int | None = None, head: int | None = None, level: str = "pieces") -> Heatmap:
        """The attention as a :class:`~core.decoding.figure.Heatmap` (shows itself in a notebook)."""
        matrix, source, target = self.view(level, layer, head)
        return heatmap(matrix, source, target, self.text)

    def _repr_html_(self) -> str:
        return f"<p>{escape(self.text)}</p>" + self.heatmap()._repr_html_()

    def _repr_png_(self) -> bytes:
        return self.heatmap()._repr_png_()


@dataclass(frozen=True)
class Step:
    """One decoder step of a step-through: the token written and what the model thought of it.

    ``probability`` is the model's probability of ``token`` at this step, also when the token
    was forced; ``top_k`` lists the model's own best next tokens it may write, most probable
    first, with their probabilities before the ban on ``[UNK]``; ``unk_probability`` is the
    model's probability of ``[UNK]``, which is never written.
    ``attention_row`` (source_len,) is the step's cross-attention (for the Transformer, the
    last layer's mean of heads); ``position`` is local-p's predicted window centre.
    """

    token: str
    probability: float
    top_k: list[tuple[str, float]]
    attention_row: np.ndarray  # (source_len,)
    forced: bool
    position: float | None = None
    unk_probability: float = 0.0

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
