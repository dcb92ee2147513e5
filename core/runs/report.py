"""The report card of trained models: one row per model, as the app's Models page and the README show it.

python -m core.runs.report                 # Markdown table of the shipped models in assets/
python -m core.runs.report assets/additive runs/my-model
python -m core.runs.report --commands      # the recorded command lines that trained each model
python -m core.runs.report --cost          # each model's estimated cost against the budget (core.runs.cost)
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import stat
import sys
from pathlib import Path

from core.models.config import ModelConfig
from core.runs import folders, names, provenance


def card(
    config: ModelConfig,
    metrics: dict | None,
    history: list[dict[str, float]],
    saved: dict | None = None,
    started_from: tuple[str, int | None] | None = None,
) -> dict:
    """Architecture, size, training and test scores of one model, from its config, metrics and history.

    ``saved`` (:func:`core.runs.provenance.saved`) names the epoch whose weights the folder holds
    when ``metrics.json`` does not; ``started_from`` (:func:`core.runs.provenance.started_from`)
    the model whose weights its training began with, so a comparison can say the budgets differ.
    """
    metrics = metrics or {}
    training = metrics.get("training") or {}
    saved = saved or {}

    def given(value, fallback):  # a null in metrics.json is a missing value
        return fallback if value is None else value

    wall = given(training.get("wall_time_s"), history[-1]["wall_time"] if history else math.nan)
    return {
        "architecture": config.label,
        "text": config.text_label,
        "parameters": (metrics.get("model") or {}).get("params"),
        "epochs": given(training.get("epochs"), int(history[-1]["epoch"]) if history else 0),
        "saved epoch": given(training.get("saved_epoch"), saved.get("epoch")),
        "kept": given(training.get("keep"), saved.get("keep")),
        "training time (min)": round(wall / 60, 1),
        "hardware": given(training.get("hardware"), ""),
        "BLEU": metrics.get("bleu"),
        "chrF": metrics.get("chrf"),
        "BLEU (cased)": metrics.get("bleu_cased"),
        "BLEU (beam)": (metrics.get("beam") or {}).get("bleu"),
        "test sentences": metrics.get("sentences"),
        "started from": None if started_from is None else _parent(*started_from),
    }


def _parent(name: str, epoch: int | None) -> str:
    """``luong-general (its epoch 10)``: the model a run started from and the epoch of its weights."""
    return name if epoch is None else f"{name} (its epoch {epoch})"


def read_card(path: Path) -> dict:
    """``card`` of the run folder at ``path`` (raises ``RunError`` when its files cannot be read)."""
    from core.runs import model_files

    try:
        config = model_files.read_config(path)
        history = folders.read_history(path) if (path / names.HISTORY).exists() else []
        return card(config, folders.read_metrics(path), history, provenance.saved(path), provenance.started_from(path))
    except names.RunError as e:
        raise names.RunError(f"{path}: {e}") from None


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def markdown_table(paths: list[Path]) -> str:
    """A Markdown table with one row per model folder, named by its path."""
    columns = [
        "model",
        "architecture",
        "text",
        "parameters",
        "epochs",
        "started from",
        "saved epoch",
        "training time (min)",
        "hardware",
    ]
    columns += ["BLEU", "chrF", "BLEU (cased)", "BLEU (beam)", "MB"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for path in paths:
        row = read_card(path)
        size = _bytes(path) / 1e6
        row = {"model": f"`{_name(path)}`", **row, "MB": round(size, 1)}
        if row["saved epoch"] is not None:
            row["saved epoch"] = f"{row['saved epoch']} ({row['kept']})"
        lines.append("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    return "\n".join(lines)


def _bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder``, links not followed."""
    total = 0
    for top, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                info = os.lstat(os.path.join(top, name))
                total += info.st_size if stat.S_ISREG(info.st_mode) else 0
    return total


def command_lines(paths: list[Path]) -> str:
    """Markdown: per model folder, the ``core.train`` command lines recorded in its ``training.json``."""
    blocks = []
    for path in paths:
        recorded = provenance.commands(path)
        saved = provenance.saved(path)
        note = f"weights of epoch {saved['epoch']}, --keep {saved['keep']}" if saved else "saved epoch not recorded"
        body = "\n".join(recorded) if recorded else "# no command lines recorded"
        blocks.append(f"`{_name(path)}` ({note}):\n\n```bash\n{body}\n```")
    return "\n\n".join(blocks)


def cost_lines(paths: list[Path]) -> tuple[str, bool]:
    """Each folder's estimated parameters, memory and compute per request at its caps; and whether all are within budget."""
    from core.runs import cost, model_files

    lines = [
        f"budget: {cost.MAX_PARAMS:,} parameters, {cost.MAX_MEMORY_BYTES / 1024**3:.0f} GiB, "
        f"{cost.MAX_FLOPS / 1e9:,.0f} GFLOP per request"
    ]
    ok = True
    for path in paths:
        c = cost.estimate(model_files.read_config(path))
        verdict = "within the budget" if c.within_budget else "OVER the budget"
        lines.append(
            f"`{_name(path)}`: {c.params:,} parameters, {c.memory_bytes / 1024**2:,.0f} MiB, "
            f"{c.flops / 1e9:,.1f} GFLOP: {verdict}"
        )
        ok = ok and c.within_budget
    return "\n".join(lines), ok


def _name(path: Path) -> str:
    resolved = path.resolve()
    return (
        resolved.relative_to(folders.PROJECT_ROOT) if resolved.is_relative_to(folders.PROJECT_ROOT) else path
    ).as_posix()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.runs.report", description=__doc__.splitlines()[0])
    p.add_argument("folders", nargs="*", type=Path, help="model folders (default: every one in assets/)")
    p.add_argument("--commands", action="store_true", help="print the command lines that trained each model")
    p.add_argument("--targets", action="store_true", help="print each quality target and whether it is met")
    p.add_argument("--cost", action="store_true", help="print each model's estimated cost against the budget")
    args = p.parse_args(argv)
    paths = args.folders or [r.path for r in folders.find_runs([folders.PROJECT_ROOT / "assets"]) if r.error is None]
    if not paths:
        print("error: no model folders given and none found in assets/", file=sys.stderr)
        return 2
    not_runs = [p for p in paths if not folders.is_run(p)]
    if not_runs:
        print(f"error: {not_runs[0]} is not a model folder (no {names.CONFIG} there)", file=sys.stderr)
        return 2
    try:
        if args.targets:
            from core.runs.targets import targets_report

            text, ok = targets_report(paths)
            print(text)
            return 0 if ok else 1
        if args.cost:
            text, ok = cost_lines(paths)
            print(text)
            return 0 if ok else 1
        print(command_lines(paths) if args.commands else markdown_table(paths))
    except (OSError, ValueError, names.RunError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
