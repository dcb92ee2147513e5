"""Pieces or words: the level at which a subword model's attention is drawn.

A subword model computes attention between pieces (``▁Bar`` ``cel`` ``ona``); a class reads
words. Every heatmap of such a model offers both, one choice for the whole app (kept in the
session and the link as ``level``). The word view is an aggregation, always named on screen
with its rule (:data:`core.decoding.word_level.RULE`): attention *to* a word is the sum over its
pieces, attention *from* a word is the mean over its pieces. A word-level model has one level
and draws no switch.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.decoding.word_level import mean_rows, sum_columns
from core.text.pieces import LEVELS, word_labels
from ui.i18n import t
from ui.language import widget_index

KEY = "app_level"  # one choice for every page
DEFAULT = "words"


def is_subword(translation) -> bool:
    return getattr(translation, "tokenizer", "word") == "bpe"


def level_picker(translation, key: str = KEY) -> str:
    """The switch (only for a subword model) and its rule; returns ``"pieces"`` or ``"words"``."""
    if not is_subword(translation):
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


def cross(translation, matrix: np.ndarray, level: str) -> tuple[np.ndarray, list[str], list[str]]:
    """A (target, source) matrix of ``translation`` with its labels at ``level``."""
    if level != "words" or not is_subword(translation):
        return np.asarray(matrix), translation.source_labels, list(translation.target_tokens)
    src, tgt = groups(translation)
    return (
        mean_rows(sum_columns(matrix, src), tgt),
        word_labels(translation.source_tokens, src),
        word_labels(translation.target_tokens, tgt),
    )


def square(translation, matrix: np.ndarray, side: str, level: str) -> tuple[np.ndarray, list[str]]:
    """A self-attention matrix over one side (``"source"`` or ``"target"``) and its labels at ``level``."""
    tokens = translation.source_tokens if side == "source" else translation.target_tokens
    labels = translation.source_labels if side == "source" else list(tokens)
    if level != "words" or not is_subword(translation):
        return np.asarray(matrix), labels
    group = groups(translation)[0 if side == "source" else 1]
    return mean_rows(sum_columns(matrix, group), group), word_labels(tokens, group)


def scores(translation, matrix: np.ndarray, level: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Attribution scores (target, source): summed over a word's source pieces, averaged over its target pieces."""
    return cross(translation, matrix, level)


def centres(translation, positions, level: str):
    """Local-p window centres at ``level``: a centre on piece ``p`` lies on the word holding piece ``round(p)``."""
    if positions is None or level != "words" or not is_subword(translation):
        return positions
    src, tgt = groups(translation)
    word_of = {i: w for w, g in enumerate(src) for i in g}
    last = len(translation.source_tokens) - 1
    per_piece = np.asarray([word_of[min(max(round(float(p)), 0), last)] for p in positions], dtype="float32")
    return np.asarray([per_piece[g].mean() for g in tgt], dtype="float32")
