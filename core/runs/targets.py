"""The quality targets a shipped model is held to, checked against its own ``metrics.json``.

- greedy BLEU on the test split: a Transformer at least 48.0, a recurrent model at least 43.0;
- beam search (width 4) scores above greedy search;
- ``[UNK]`` never touches an output: no source token outside the vocabulary and no output step
  at which the model preferred ``[UNK]`` to what it wrote (``metrics.json``'s ``unknown``);
- every name the training split never holds is copied into the Spanish (``names``).

Every model reads subword pieces (``config.json`` tokenizer ``bpe``) except the one word-level
baseline, the folder named :data:`WORD_BASELINE`, held to no target: it is shipped to show what
``[UNK]`` costs. ``python -m core.runs.report --targets``
prints one line per model and target.
"""

from __future__ import annotations

from pathlib import Path

from core.runs import folders, model_files

BLEU_TARGET = {"transformer": 48.0, "recurrent": 43.0}
WORD_BASELINE = "additive-words"


def check_targets(path: Path) -> list[tuple[str, bool | None, str]]:
    """``(target, met, measured)`` for the model at ``path``; ``met`` is None where nothing was measured."""
    config = model_files.read_config(path)
    metrics = folders.read_metrics(path) or {}
    if config.tokenizer == "word":
        if path.name == WORD_BASELINE:
            return [("word-level baseline: no targets", None, "")]
        return [("reads subword pieces", False, "words")]
    family = "transformer" if config.arch == "transformer" else "recurrent"
    bleu, beam = metrics.get("bleu"), metrics.get("beam", {}).get("bleu")
    unknown, names = metrics.get("unknown"), metrics.get("names")
    rows: list[tuple[str, bool | None, str]] = [
        (f"greedy BLEU ≥ {BLEU_TARGET[family]}", None if bleu is None else bleu >= BLEU_TARGET[family], f"{bleu}"),
        ("beam 4 above greedy", None if bleu is None or beam is None else beam > bleu, f"{beam} vs {bleu}"),
    ]
    if unknown is None:
        rows.append(("no [UNK] on the test split", None, "not measured"))
    else:
        count = unknown.get("source_tokens", 0) + unknown.get("output_steps", 0)
        rows.append(("no [UNK] on the test split", count == 0, f"{count}"))
    if names is None:
        rows.append(("unseen names copied", None, "not measured"))
    else:
        rows.append(("unseen names copied", not names["missed"], f"{names['copied']}/{names['sentences']}"))
    return rows


def targets_report(paths: list[Path]) -> tuple[str, bool]:
    """Lines ``model  target  measured  met``, and whether every target with a measurement is met."""
    lines, ok = [], True
    for path in paths:
        for target, met, measured in check_targets(path):
            mark = {True: "met", False: "MISSED", None: "–"}[met]
            ok = ok and met is not False
            lines.append(f"{path.name}\t{target}\t{measured}\t{mark}")
    return "\n".join(lines), ok
