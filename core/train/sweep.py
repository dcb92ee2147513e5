"""A vocabulary sweep: one model and one budget at several subword vocabulary sizes, scored on validation.

    python -m core.train.sweep --root runs/sweep --sizes 4000,8000,16000 --epochs 3 -- \\
        --arch additive --batch-size 64 --lr-schedule cosine

For each size, ``ROOT/bpe<size>`` is trained with ``python -m core.train --out ROOT/bpe<size>
--tokenizer bpe --vocab-size <size> --epochs <epochs>`` and the training flags after ``--``
(the same for every size, so only the vocabulary differs); a folder that already holds some
epochs resumes (``--resume``), one that holds them all is not trained again. Each run is then
scored greedily on its own **validation** split (``python -m core.evaluate --split
validation``): the test split stays unseen while the size is chosen. The sweep's record,
``ROOT/sweep.json`` (written atomically after every size), holds per size the epochs done, the
validation loss of the saved weights (not comparable across sizes: a loss per piece), the
validation BLEU and chrF (comparable: scored on the detokenised text) and the size it picks,
the highest validation BLEU; a size already scored at the epoch its run stands at keeps its
score, so the command run again costs nothing new. ``--out FILE`` writes the same record there too (the documents read
``docs/data/vocab_sweep.json``). Killed at any moment, the same command goes on where it stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from core import runs
from core.runs import atomic

RECORD = "sweep.json"


def run_name(size: int) -> str:
    return f"bpe{size}"


def epochs_done(folder: Path) -> int:
    """The last epoch in ``folder``'s training log; 0 when there is none yet."""
    try:
        rows = runs.read_history(folder / runs.HISTORY)
    except (OSError, ValueError):
        return 0
    return int(max((r["epoch"] for r in rows), default=0))


def train_command(folder: Path, size: int, epochs: int, train_args: list[str]) -> list[str]:
    """``core.train`` for one size: a new run with the shared flags, or a resume of the folder's run."""
    if (folder / runs.TRAINING).is_file():
        return [sys.executable, "-m", "core.train", "--out", str(folder), "--epochs", str(epochs), "--resume"]
    return [sys.executable, "-m", "core.train", "--out", str(folder), "--tokenizer", "bpe", "--vocab-size", str(size),
            "--epochs", str(epochs), *train_args]  # fmt: skip


def validation_score(folder: Path, limit: int | None) -> dict:
    """``core.evaluate --split validation`` on ``folder``: its JSON result (BLEU, chrF, sentences, ...)."""
    command = [sys.executable, "-m", "core.evaluate", "--run", str(folder), "--split", "validation"]
    command += ["--limit", str(limit)] if limit else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"core.evaluate on {folder.name} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def entry(folder: Path, size: int, score: dict) -> dict:
    training = runs.read_json(folder, runs.TRAINING) or {}
    saved = training.get("saved") or {}
    return {
        "size": size,
        "run": folder.name,
        "epochs": epochs_done(folder),
        "saved_epoch": saved.get("epoch"),
        "val_loss_per_piece": saved.get("val_loss"),
        "validation_bleu": score.get("bleu"),
        "validation_chrf": score.get("chrf"),
        "sentences": score.get("sentences"),
    }


def pick(entries: list[dict]) -> int | None:
    """The size with the highest validation BLEU (the smaller size on a tie: cheaper to run)."""
    scored = [e for e in entries if e.get("validation_bleu") is not None]
    return max(scored, key=lambda e: (e["validation_bleu"], -e["size"]))["size"] if scored else None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _scored_before(root: Path, limit: int | None) -> dict[tuple[str, int], dict]:
    """The entries ``root/sweep.json`` already holds, by (run folder name, epochs it was scored at).

    None of them when they were scored on another slice of the validation split (another ``limit``).
    """
    try:
        before = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(before, dict) or before.get("limit") != limit:
        return {}
    entries = before.get("runs", [])
    return (
        {(e.get("run"), e.get("epochs")): e for e in entries if isinstance(e, dict)}
        if isinstance(entries, list)
        else {}
    )


def sweep(
    root: Path, sizes: list[int], epochs: int, train_args: list[str], limit: int | None = None, out: Path | None = None
) -> dict:
    """Train (or resume) and score every size; the record, written to ``root/sweep.json`` (and ``out``).

    A size whose run was already scored at the epoch it stands at keeps its score: a sweep
    killed while training its third size scores only that one when it is run again.
    """
    root.mkdir(parents=True, exist_ok=True)
    scored = _scored_before(root, limit)
    record = {"sizes": sizes, "epochs": epochs, "train_args": train_args, "limit": limit, "runs": [],
              "cpu_cores": os.cpu_count()}  # fmt: skip
    for size in sizes:
        folder = root / run_name(size)
        if epochs_done(folder) < epochs:
            command = train_command(folder, size, epochs, train_args)
            print("$ " + " ".join(command[1:]), flush=True)
            if subprocess.run(command, check=False).returncode != 0:
                raise RuntimeError(f"core.train for {folder.name} failed; rerun the sweep to resume it")
        known = scored.get((folder.name, epochs_done(folder)))
        if known is None:
            known = {**entry(folder, size, validation_score(folder, limit)), "scored": _now()}
        record["runs"].append(known)
        record["pick"] = pick(record["runs"])
        record["measured"] = max(e.get("scored") or _now() for e in record["runs"])  # the latest score's time
        for path in (root / RECORD, out):
            if path is not None:
                atomic.write_text(path, json.dumps(record, indent=1) + "\n")
        print(json.dumps(record["runs"][-1]), flush=True)
    return record


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes must be comma-separated numbers, got {text!r}") from None
    if not sizes or len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"--sizes must name distinct sizes, got {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, train_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    p = argparse.ArgumentParser(prog="python -m core.train.sweep", description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, required=True, help="folder of the sweep's runs and its sweep.json")
    p.add_argument("--sizes", type=parse_sizes, default=[4000, 8000, 16000], help="vocabulary sizes (default 4000,8000,16000)")  # fmt: skip
    p.add_argument("--epochs", type=int, default=3, help="epochs per size, the same budget for each (default 3)")
    p.add_argument("--limit", type=int, help="score only the first N validation sentences")
    p.add_argument("--out", type=Path, help="also write the record here (e.g. docs/data/vocab_sweep.json)")
    args = p.parse_args(own)
    if args.epochs < 1:
        p.error(f"--epochs must be at least 1, got {args.epochs}")
    refused = {"--out", "--tokenizer", "--vocab-size", "--epochs", "--resume"} & set(train_args)
    if refused:
        p.error(f"the sweep sets {', '.join(sorted(refused))} itself; leave them out after --")
    try:
        record = sweep(args.root, args.sizes, args.epochs, train_args, args.limit, args.out)
    except (RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"picked: {record['pick']} (highest validation BLEU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
