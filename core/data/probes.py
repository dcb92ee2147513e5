"""Fixed probe sentences whose attention is recorded after every training epoch, and how to score it."""

import numpy as np

PROBE_SENTENCES: tuple[str, ...] = (
    "I am cold.",
    "Where is the train station?",
    "She has two cats and a dog.",
    "We will go to the beach tomorrow.",
    "Do you like fish?",
    "I don't know what he wants.",
)


def attention_entropy(matrix) -> dict[str, float]:
    """Mean entropy of an attention matrix's rows (target_len, source_len), in nats, beside that of uniform rows.

    ``entropy``: the mean over output tokens of ``-sum(w · ln w)`` of their (renormalised) row;
    ``uniform``: ``ln(source_len)``, the entropy of rows that spread evenly (the most a row can
    have). All-zero rows are left out; NaN for an empty matrix.
    """
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.size == 0:
        return {"entropy": float("nan"), "uniform": float("nan")}
    totals = m.sum(axis=1)
    rows = m[totals > 0] / totals[totals > 0, None]
    if not len(rows):
        return {"entropy": float("nan"), "uniform": float(np.log(m.shape[1]))}
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(rows > 0, rows * np.log(rows), 0.0).sum(axis=1)
    return {"entropy": float(entropy.mean()), "uniform": float(np.log(m.shape[1]))}


def attention_sharpness(matrix) -> dict[str, float]:
    """How focused an attention matrix (target_len, source_len) is, two numbers in [0, 1]:

    ``peak``: the mean over output tokens of their largest weight (1: every output token
    looks at a single source token; 1/source_len: it spreads evenly).
    ``focus``: one minus the mean row entropy divided by ``log(source_len)`` (1: one-hot
    rows; 0: uniform rows). Rows are renormalised first, so local-p rows that sum to less
    than 1 count by their shape; all-zero rows are left out. NaN for an empty matrix.
    """
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.size == 0:
        return {"peak": float("nan"), "focus": float("nan")}
    peak = float(m.max(axis=1).mean())
    totals = m.sum(axis=1)
    rows = m[totals > 0] / totals[totals > 0, None]
    if not len(rows):
        return {"peak": peak, "focus": float("nan")}
    if m.shape[1] == 1:
        return {"peak": peak, "focus": 1.0}
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(rows > 0, rows * np.log(rows), 0.0).sum(axis=1)
    return {"peak": peak, "focus": float(1.0 - entropy.mean() / np.log(m.shape[1]))}
