"""The explanation columns of the report card: attention–attribution agreement and the most important head.

    python -m core.attribution.card                    # Markdown table of the shipped models in assets/
    python -m core.attribution.card runs/my-model

Reads ``attribution.json`` (``python -m core.attribution.summary``) and ``head_importance.json``
(``python -m core.interventions.importance``) of each folder; a missing file gives "–".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import runs
from core.attribution.summary import SummaryError, read_summary
from core.interventions.importance import ImportanceError, read_importance

COLUMNS = ("model", "ρ attention/IG", "ρ attention/grad×input", "ρ rollout/IG", "IG gap (median, relative)",
           "most important head (BLEU drop, mean Δ log p)")  # fmt: skip


def row(path: Path) -> list[str]:
    """The cells of one model folder."""
    summary, importance = read_summary(path), read_importance(path)
    rho = (summary or {}).get("spearman", {})

    def num(key: str) -> str:
        return f"{rho[key]:.3f}" if key in rho else "–"

    gap = (summary or {}).get("completeness", {}).get("median_relative_gap")
    top = (importance or {}).get("most_important")
    head = "–" if not top else (f"{top['kind']} layer {top['layer']} head {top['head']} "
                                f"({top['bleu_drop']:+.2f}, {top['mean_delta_log_p']:.3f})")  # fmt: skip
    return [f"`{path.parent.name}/{path.name}`", num("attention_vs_integrated"), num("attention_vs_grad_input"),
            num("rollout_vs_integrated"), "–" if gap is None else f"{100 * gap:.2f} %", head]  # fmt: skip


def markdown_table(paths: list[Path]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(p)) + " |" for p in paths]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.attribution.card", description=__doc__.splitlines()[0])
    p.add_argument("folders", nargs="*", type=Path, help="model folders (default: every one in assets/)")
    args = p.parse_args(argv)
    folders = args.folders or [r.path for r in runs.find_runs([runs.PROJECT_ROOT / "assets"]) if r.error is None]
    try:
        print(markdown_table(folders))
    except (OSError, SummaryError, ImportanceError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
