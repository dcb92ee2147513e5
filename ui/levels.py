"""Pieces or words: the level at which a subword model's attention is drawn.

A subword model computes attention between pieces (``▁Bar`` ``cel`` ``ona``); a class reads
words. Every heatmap of such a model offers both, one choice for the whole app (kept in the
session under :data:`KEY`, so it follows the class from page to page). The word view is an
aggregation, always named on screen with its rule (:data:`core.decoding.word_level.RULE`):
attention *to* a word is the sum over its pieces, attention *from* a word is the mean over its
pieces. A word-level model has one level: it draws no switch, only a note saying so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.decoding.word_level import mean_rows, sum_columns
from core.text.pieces import LEVELS, word_groups, word_labels
from ui.i18n import t
from ui.language import widget_index

KEY = "app_level"  # one choice for every page
DEFAULT = "words"
BPE = "bpe"


def is_subword(translation) -> bool:
    """Whether ``translation`` (or a tokenizer kind such as ``"bpe"``) is made of subword pieces."""
    kind = translation if isinstance(translation, str) else getattr(translation, "tokenizer", "word")
    return kind == BPE


def keep() -> None:
    """Keep the choice on pages that draw no switch (Streamlit forgets a widget's value when it is not drawn)."""
    if KEY in st.session_state:
        st.session_state[KEY] = st.session_state[KEY]


def level_picker(translation, key: str = KEY, *, note: bool = True) -> str:
    """The switch (only for a subword model) and its rule; returns ``"pieces"`` or ``"words"``.

    ``translation`` may also be a tokenizer kind. A word-level model gets no switch, and with
    ``note`` a caption saying it has one level; its views are the same at either level.
    """
    if not is_subword(translation):
        if note:
            st.caption(t("levels.one_level"))
        return "pieces"
    level = st.segmented_control(
        t("levels.label"),
        LEVELS,
        format_func=lambda v: t(f"levels.{v}"),
        default=LEVELS[widget_index(key, LEVELS, LEVELS.index(DEFAULT))],
        key=key,
        help=t("levels.help"),
    )
    level = level or DEFAULT
    st.caption(t("levels.rule_words") if level == "words" else t("levels.rule_pieces"))
    return level


def groups(translation) -> tuple[list[list[int]], list[list[int]]]:
    return translation.word_groups()


def tokens_view(
    matrix: np.ndarray,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    level: str,
    *,
    subword: bool,
    source_labels: Sequence[str] | None = None,
    target_labels: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """A (..., target, source) matrix between token lists, with its labels, at ``level``.

    The labels at the pieces level are ``source_labels`` / ``target_labels`` when given, else the tokens.
    """
    if level != "words" or not subword or not len(source_tokens) or not len(target_tokens):
        source = list(source_tokens if source_labels is None else source_labels)
        target = list(target_tokens if target_labels is None else target_labels)
        return np.asarray(matrix), source, target
    src, tgt = word_groups(source_tokens), word_groups(target_tokens)
    return (
        mean_rows(sum_columns(matrix, src), tgt),
        word_labels(source_tokens, src),
        word_labels(target_tokens, tgt),
    )


def cross(translation, matrix: np.ndarray, level: str) -> tuple[np.ndarray, list[str], list[str]]:
    """A (..., target, source) matrix of ``translation`` with its labels at ``level``."""
    return tokens_view(
        matrix,
        translation.source_tokens,
        translation.target_tokens,
        level,
        subword=is_subword(translation),
        source_labels=translation.source_labels,
    )


def square(translation, matrix: np.ndarray, side: str, level: str) -> tuple[np.ndarray, list[str]]:
    """A self-attention matrix over one side (``"source"`` or ``"target"``) and its labels at ``level``."""
    tokens = translation.source_tokens if side == "source" else translation.target_tokens
    labels = translation.source_labels if side == "source" else list(tokens)
    if level != "words" or not is_subword(translation) or not tokens:
        return np.asarray(matrix), labels
    group = groups(translation)[0 if side == "source" else 1]
    return mean_rows(sum_columns(matrix, group), group), word_labels(tokens, group)


def decoder_self(translation, matrix: np.ndarray, start: str, level: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Decoder self-attention (..., target, decoder input) and its (column, row) labels at ``level``.

    The decoder read ``start`` then every output token but the last; ``start`` is a word of its own.
    """
    target = list(translation.target_tokens)
    inputs = [start, *target[:-1]]
    if level != "words" or not is_subword(translation) or not target:
        return np.asarray(matrix), inputs, target
    rows = word_groups(target)
    inner = word_groups(target[:-1])
    cols = [[0]] + [[i + 1 for i in g] for g in inner]
    labels = [start, *word_labels(target[:-1], inner)]
    return mean_rows(sum_columns(matrix, cols), rows), labels, word_labels(target, rows)


def scores(translation, matrix: np.ndarray, level: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Attribution scores (target, source): summed over a word's source pieces, averaged over its target pieces."""
    return cross(translation, matrix, level)


def source_row(translation, row: np.ndarray, level: str) -> tuple[np.ndarray, list[str]]:
    """One step's attention over the source, at ``level`` (a word gets the sum over its pieces)."""
    if level != "words" or not is_subword(translation):
        return np.asarray(row), translation.source_labels
    src = groups(translation)[0]
    return sum_columns(row, src), word_labels(translation.source_tokens, src)


def source_position(translation, position: float | None, level: str) -> float | None:
    """A local-p window centre on the source at ``level``: the word holding piece ``round(position)``."""
    if position is None or level != "words" or not is_subword(translation):
        return position
    src = groups(translation)[0]
    piece = min(max(round(float(position)), 0), len(translation.source_tokens) - 1)
    return float(next(w for w, g in enumerate(src) if piece in g))


def spread(translation, word_row: Sequence[float], level: str) -> np.ndarray:
    """A row over source words as a row over source pieces: each word's weight split evenly over its pieces.

    Summing the result over each word's pieces (the words view's rule) gives ``word_row`` back.
    """
    row = np.asarray(word_row, dtype="float32")
    if level != "words" or not is_subword(translation):
        return row
    src = groups(translation)[0]
    out = np.zeros(len(translation.source_tokens), dtype="float32")
    for weight, group in zip(row, src, strict=True):
        out[group] = weight / len(group)
    return out


def centres(translation, positions, level: str):
    """Local-p window centres at ``level``: a centre on piece ``p`` lies on the word holding piece ``round(p)``."""
    if positions is None or level != "words" or not is_subword(translation):
        return positions
    src, tgt = groups(translation)
    word_of = {i: w for w, g in enumerate(src) for i in g}
    last = len(translation.source_tokens) - 1
    per_piece = np.asarray([word_of[min(max(round(float(p)), 0), last)] for p in positions], dtype="float32")
    return np.asarray([per_piece[g].mean() for g in tgt], dtype="float32")
