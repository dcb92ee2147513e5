"""Start a new run from another trained model's weights: every weight whose role and shape match.

    python -m core.train --out runs/luong-local-p --arch local-p --window 10 --init-from assets/luong-general

The *role* of a weight is its path inside the model without the model's own name, without the
numbers Keras appends to repeated layer names (``forward_gru_1`` → ``forward_gru``) and without
the local-p layer's inner ``scorer/`` (local-p scores with the Luong score of the global layer).
Weights with no counterpart of the same shape — local-p's position predictor ``W_p``, ``v_p`` —
keep their fresh initialisation, and the report names them. Both models must use the same
vocabularies token for token (a token id is a row of the embedding and output matrices).
The source is read through its folder's own checked files, as any model folder is.
"""

from __future__ import annotations

import re
from pathlib import Path

from core import runs
from core.runs import model_files

_NUMBERED = re.compile(r"_\d+$")


def weight_role(path: str) -> str:
    """``"seq2_seq_attention_1/encoder/forward_gru_1/gru_cell/kernel"`` → ``"encoder/forward_gru/gru_cell/kernel"``."""
    parts = path.split("/")[1:]  # the model's own name first
    parts = [_NUMBERED.sub("", p) for p in parts if p != "scorer"]
    return "/".join(parts)


def copy_matching(model, source) -> dict[str, list[str]]:
    """Assign ``source``'s weights to ``model``'s weights of the same role and shape.

    Returns the roles ``copied``, those of ``model`` left ``fresh`` and those of ``source`` ``unused``.
    """
    by_role = {weight_role(w.path): w for w in source.weights}
    if len(by_role) != len(source.weights):
        raise ValueError(
            f"two weights of {source.name} share a role: {sorted(weight_role(w.path) for w in source.weights)}"
        )
    copied, fresh = [], []
    for w in model.weights:
        role = weight_role(w.path)
        match = by_role.get(role)
        if match is not None and tuple(match.shape) == tuple(w.shape):
            w.assign(match.value)
            copied.append(role)
        else:
            fresh.append(role)
    unused = sorted(set(by_role) - set(copied))
    return {"copied": copied, "fresh": fresh, "unused": unused}


def check_vocabularies(folder: Path, src_tokens, tgt_tokens) -> None:
    """Refuse a source whose vocabularies differ from the new run's (the new run's split and sizes)."""
    config = model_files.read_config(folder)
    for name, size, tokens in (
        (runs.SRC_VOCAB, config.src_vocab_size, tuple(src_tokens)),
        (runs.TGT_VOCAB, config.tgt_vocab_size, tuple(tgt_tokens)),
    ):
        theirs = model_files.read_vocab(folder, name, size).tokens
        if theirs != tokens:
            where = next((i for i, (a, b) in enumerate(zip(theirs, tokens, strict=False)) if a != b), None)
            detail = f"token {where}: {theirs[where]!r} there, {tokens[where]!r} here" if where is not None else ""
            raise runs.RunError(
                f"--init-from {folder.name}: its {name} has {len(theirs)} tokens, this run's {len(tokens)}"
                + (f" ({detail})" if detail else "")
                + "; train with the same data, split and vocabulary sizes"
            )


def init_from(model, folder: Path) -> dict[str, list[str]]:
    """Load the model in ``folder`` and copy its matching weights into ``model``.

    The caller has checked the vocabularies (:func:`check_vocabularies`) before writing anything.
    """
    from core.models import build_model

    source = build_model(model_files.read_config(folder))
    try:
        model_files.load_weights(source, folder)
    except runs.RunError as e:
        raise runs.RunError(f"--init-from {folder.name}: {e}") from None
    report = copy_matching(model, source)
    if not report["copied"]:
        raise runs.RunError(f"--init-from {folder.name}: no weight matches this model's in role and shape")
    return report
