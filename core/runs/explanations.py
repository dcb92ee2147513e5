"""The explanation files of a model folder, read through the validating reader and checked field by field.

- ``attribution.json`` (written by ``python -m core.attribution.summary``): the mean Spearman
  correlations between attention and attributions, over ``sentences`` test sentences;
- ``head_importance.json`` (``python -m core.interventions.importance``): per head, the BLEU
  drop and mean Δ log p when it alone is switched off, and the most important head.

Both are optional: absent → None. Otherwise each is a JSON object inside its folder and
within the size cap (:func:`core.runs.model_files.read_object`), and every field the app
shows is checked for type and range; a defect raises :class:`ModelFileError` naming the
file and the field, never quoting more than a few characters of it.
"""

from __future__ import annotations

import math
from pathlib import Path

from core.runs import model_files
from core.runs.model_files import MAX_COUNT, ModelFileError

ATTRIBUTION = "attribution.json"
HEAD_IMPORTANCE = "head_importance.json"
MAX_HEADS = 3 * 12 * 64  # kinds × layers × heads at the config caps


def _present(folder: Path, name: str) -> bool:
    return (folder / name).exists() or (folder / name).is_symlink()


def _number(v, low: float = -math.inf, high: float = math.inf) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and low <= v <= high


def _count(v, low: int = 0) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= MAX_COUNT


def _need(name: str, ok: bool, what: str, value) -> None:
    if not ok:
        shown = repr(value)
        raise ModelFileError(name, f"{what}, got {shown[:40]}{'…' if len(shown) > 40 else ''}")


def read_attribution(folder: Path, pairs) -> dict | None:
    """``attribution.json`` with ``spearman`` means in [-1, 1] over the known ``pairs`` and ``sentences`` ≥ 1."""
    if not _present(folder, ATTRIBUTION):
        return None
    data = model_files.read_object(folder, ATTRIBUTION)
    spearman = data.get("spearman")
    _need(ATTRIBUTION, isinstance(spearman, dict), "'spearman' must be an object", spearman)
    for key, value in spearman.items():
        _need(ATTRIBUTION, key in pairs, "'spearman' has an unknown comparison", key)
        _need(ATTRIBUTION, _number(value, -1.0, 1.0), f"'spearman.{key}' must be a number in [-1, 1]", value)
    _need(
        ATTRIBUTION, _count(data.get("sentences"), 1), "'sentences' must be a whole number ≥ 1", data.get("sentences")
    )
    return data


def _head(name: str, where: str, row, kinds) -> None:
    _need(name, isinstance(row, dict), f"'{where}' must be an object", row)
    _need(name, row.get("kind") in kinds, f"'{where}.kind' must be one of {', '.join(kinds)}", row.get("kind"))
    for key in ("layer", "head"):
        _need(name, _count(row.get(key), 1), f"'{where}.{key}' must be a whole number ≥ 1", row.get(key))
    for key in ("bleu_drop", "mean_delta_log_p"):
        _need(name, _number(row.get(key)), f"'{where}.{key}' must be a finite number", row.get(key))


def read_head_importance(folder: Path, kinds) -> dict | None:
    """``head_importance.json``: a non-empty ``heads`` list and ``most_important`` head, each of ``kinds``."""
    if not _present(folder, HEAD_IMPORTANCE):
        return None
    name = HEAD_IMPORTANCE
    data = model_files.read_object(folder, name)
    heads = data.get("heads")
    _need(
        name, isinstance(heads, list) and 0 < len(heads) <= MAX_HEADS, f"'heads' must be 1 to {MAX_HEADS} heads", heads
    )
    for i, row in enumerate(heads):
        _head(name, f"heads[{i}]", row, kinds)
    _head(name, "most_important", data.get("most_important"), kinds)
    for key in ("bleu", "sentences"):
        if data.get(key) is not None:
            _need(name, _number(data[key], 0), f"'{key}' must be a finite number ≥ 0", data[key])
    return data
