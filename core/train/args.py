"""Checks of ``python -m core.train``'s arguments and of the run folder, made before any work or write.

Each problem is a :class:`UsageError` naming the argument and its value; the command exits
with code 2 and writes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import shutil
from pathlib import Path

from core import runs
from core.models.config import ModelConfig
from core.runs import atomic
from core.runs.lock import LOCK_FILE
from core.train import checkpoints

# files and folders a training run writes: a folder holding only these (and no finished
# epoch) is an unfinished start that a new run may clear
RUN_ENTRIES = {
    runs.CONFIG, runs.TRAINING, runs.WEIGHTS, runs.SRC_VOCAB, runs.TGT_VOCAB, runs.TOKENIZER, runs.HISTORY, runs.STEPS,
    runs.METRICS, runs.PROBES, runs.TENSORBOARD, runs.CHECKPOINT, LOCK_FILE,
}  # fmt: skip


class UsageError(ValueError):
    """An argument or run folder that the command refuses (exit code 2)."""


def _positive(name: str, value, allow_zero: bool = False) -> None:
    if value is None:
        return
    low = 0 if allow_zero else 1
    if value < low:
        raise UsageError(f"{name} {value} must be {'0 or more' if allow_zero else 'at least 1'}")


def _fraction(name: str, value: float) -> None:
    if not (math.isfinite(value) and 0 <= value < 1):
        raise UsageError(f"{name} {value} must be a fraction in [0, 1)")


MAX_SEED = 2**32 - 1  # Keras seeds NumPy, which takes 32-bit seeds
MIN_WORD_VOCAB = 5  # the four special tokens and one word


def _tf_config() -> None:
    """``$TF_CONFIG``, when set, must be a JSON object whose ``task`` (if any) has a text type and an index ≥ 0."""
    text = os.environ.get("TF_CONFIG")
    if text is None:
        return
    try:
        spec = json.loads(text)
    except ValueError as e:
        raise UsageError(f"$TF_CONFIG is not valid JSON ({str(e)[:80]})") from None
    if not isinstance(spec, dict):
        raise UsageError(f"$TF_CONFIG must be a JSON object, got a {type(spec).__name__}")
    task = spec.get("task")
    if task is not None:
        index = task.get("index", 0) if isinstance(task, dict) else None
        ok = isinstance(task, dict) and isinstance(task.get("type", "worker"), str)
        if not ok or isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise UsageError(
                f"$TF_CONFIG's task must be an object with a text 'type' and an 'index' ≥ 0, got {str(task)[:60]}"
            )
    if not isinstance(spec.get("cluster", {}), dict):
        raise UsageError("$TF_CONFIG's cluster must be an object")


def _flag_message(message: str) -> str:
    """A ModelConfig message (``d_model 65536 is above ...``) with its field named as the flag (``--d-model``)."""
    field = message.split(" ", 1)[0]
    if field in {f.name for f in dataclasses.fields(ModelConfig)}:
        return "--" + field.replace("_", "-") + message[len(field) :]
    return f"model: {message}"


def _init_from(value) -> None:
    """``--init-from`` must be a usable model folder (checked like any model the app lists)."""
    if not value:
        return
    from core.runs import model_files

    folder = Path(value)
    if not (folder / runs.CONFIG).is_file():
        raise UsageError(f"--init-from {value} is not a model folder (no {runs.CONFIG} there)")
    missing = [f for f in runs.REQUIRED_FILES if not (folder / f).is_file()]
    problem = f"missing {', '.join(missing)}" if missing else model_files.check(folder)
    if problem:
        raise UsageError(f"--init-from {value} cannot be used: {problem}")


def validate(args) -> None:
    """Check every argument on its own and against the others; raise :class:`UsageError`."""
    _tf_config()
    if args.seed is not None and args.seed > MAX_SEED:
        raise UsageError(f"--seed {args.seed} is above {MAX_SEED} (seeds are 32-bit)")
    for flag, value in (("--src-vocab-size", args.src_vocab_size), ("--tgt-vocab-size", args.tgt_vocab_size)):
        if value is not None and value < MIN_WORD_VOCAB and not args.resume:
            raise UsageError(f"{flag} {value} must be at least {MIN_WORD_VOCAB} (the four special tokens and a word)")
    _positive("--epochs", args.epochs)
    _positive("--batch-size", args.batch_size)
    _positive("--max-tokens", args.max_tokens)
    _positive("--max-pairs", args.max_pairs)
    _positive("--steps-log-every", args.steps_log_every, allow_zero=True)
    _positive("--seed", args.seed, allow_zero=True)
    _positive("--split-seed", args.split_seed, allow_zero=True)
    _positive("--cpu-devices", args.cpu_devices)
    if args.epochs > 100_000:
        raise UsageError(f"--epochs {args.epochs} is more than 100000")
    if args.learning_rate is not None and not (math.isfinite(args.learning_rate) and 0 < args.learning_rate <= 1):
        raise UsageError(f"--learning-rate {args.learning_rate} must be a number in (0, 1]")
    _fraction("--val-fraction", args.val_fraction)
    _fraction("--test-fraction", args.test_fraction)
    if args.val_fraction + args.test_fraction >= 1:
        raise UsageError(
            f"--val-fraction {args.val_fraction} and --test-fraction {args.test_fraction} leave no training pairs"
        )
    if getattr(args, "init_from", None) and args.resume:
        raise UsageError("--init-from starts a new run; --resume continues one from its own checkpoint")
    if args.verbose not in ("auto", "0", "1", "2"):
        raise UsageError(f"--verbose {args.verbose!r} is not one of auto, 0, 1, 2")
    sizes = model_sizes(args)
    vocab_size, smoothing = getattr(args, "vocab_size", None), getattr(args, "label_smoothing", None)
    if vocab_size is not None:
        from core.text.subword import MAX_VOCAB, MIN_VOCAB

        if sizes["tokenizer"] != "bpe" and not args.resume:
            raise UsageError(f"--vocab-size {vocab_size} sizes a subword vocabulary: add --tokenizer bpe")
        if args.resume:
            raise UsageError(f"--vocab-size {vocab_size}: a resumed run keeps its tokenizer")
        if not MIN_VOCAB < vocab_size <= MAX_VOCAB:
            raise UsageError(f"--vocab-size {vocab_size} must be in {MIN_VOCAB + 1}..{MAX_VOCAB}")
    if smoothing is not None and not (math.isfinite(smoothing) and 0 <= smoothing < 1):
        raise UsageError(f"--label-smoothing {smoothing} must be a fraction in [0, 1)")
    swaps = getattr(args, "name_swaps", 0.0)
    if not (math.isfinite(swaps) and 0 <= swaps <= 1):
        raise UsageError(f"--name-swaps {swaps} must be a fraction in [0, 1]")
    if swaps and args.resume:
        raise UsageError(f"--name-swaps {swaps}: a resumed run keeps its own training pairs")
    if sizes["tokenizer"] == "bpe":  # its checksum is that of the tokenizer the run will train
        sizes["tokenizer_checksum"] = "sha256:" + "0" * 64
    try:
        ModelConfig(**sizes)
    except (TypeError, ValueError) as e:
        raise UsageError(_flag_message(str(e))) from None
    if not args.resume:
        _init_from(getattr(args, "init_from", None))


def model_sizes(args) -> dict:
    """The model fields of the command line, defaults filled in for those not given."""
    d = ModelConfig()
    return {f.name: getattr(d, f.name) if getattr(args, f.name, None) is None else getattr(args, f.name)
            for f in dataclasses.fields(ModelConfig)}  # fmt: skip


def fingerprint(path: Path) -> str:
    """``<bytes>:<first 16 hex digits of SHA-256>`` of a data file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{path.stat().st_size}:{digest.hexdigest()[:16]}"


def finished_epoch(out: Path) -> int:
    """The last epoch the run folder committed: its newest checkpoint, else its history."""
    points = checkpoints.found(out)
    if points:
        return points[0].epoch
    try:
        rows = runs.read_history(out)
    except runs.RunError:
        rows = []
    return int(rows[-1]["epoch"]) if rows else 0


def has_progress(out: Path) -> bool:
    """Whether the folder holds a finished epoch: weights, a checkpoint or a history row."""
    return (out / runs.WEIGHTS).exists() or finished_epoch(out) > 0


def foreign_entries(out: Path) -> list[str]:
    """Names in ``out`` that a training run does not write (kept, and a reason not to clear it)."""
    return sorted(
        p.name for p in out.iterdir() if p.name not in RUN_ENTRIES and not p.name.startswith(atomic.TEMP_PREFIX)
    )


def clear_unstarted(out: Path) -> None:
    """Remove the files of a start that finished no epoch (only names a run writes)."""
    for p in out.iterdir():
        if p.name == LOCK_FILE:
            continue
        if p.name in RUN_ENTRIES or p.name.startswith(atomic.TEMP_PREFIX):
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink(missing_ok=True)


def check_folder(args) -> bool:
    """Check ``--out`` against ``--resume``; returns whether the run starts afresh (clearing an unfinished start)."""
    out: Path = args.out
    entries = [p for p in out.iterdir() if p.name != LOCK_FILE] if out.is_dir() else []
    if not entries:
        if args.resume:
            raise UsageError(f"--resume needs an existing run in {out} (no {runs.CONFIG} there)")
        return True
    if has_progress(out):
        if not args.resume:
            raise UsageError(f"{out} is not empty; pass --resume to continue it or choose another --out")
        return False
    foreign = foreign_entries(out)
    if foreign:
        raise UsageError(f"{out} holds files a run does not write ({', '.join(foreign[:5])}); choose another --out")
    return True


def check_resume(args, config: ModelConfig, training: dict, data: Path) -> None:
    """A resume must keep the architecture, sizes and data set, and ask for at least the epochs done."""
    for f in dataclasses.fields(ModelConfig):
        given = getattr(args, f.name, None)
        if given is None or f.name.endswith("vocab_size") or given == getattr(config, f.name):
            continue
        flag = "--" + f.name.replace("_", "-")
        raise UsageError(
            f"{flag} {given} differs from the run's {f.name} {getattr(config, f.name)} ({runs.CONFIG}); "
            "a run cannot change its model: train a new --out"
        )
    finished = finished_epoch(args.out)
    if args.epochs < finished:
        raise UsageError(
            f"--epochs {args.epochs} is below the {finished} epochs the run has finished; "
            f"ask for {finished} or more (e.g. --epochs {finished + 1})"
        )
    if args.force:
        return
    before = training.get("data")
    if args.data and before and Path(args.data).resolve() != Path(before).resolve():
        raise UsageError(
            f"--data {args.data} differs from the run's data {before} ({runs.TRAINING}); "
            "pass --force to continue on another data set"
        )
    stored = training.get("data_fingerprint")
    if stored and stored != fingerprint(data):
        raise UsageError(
            f"the data file {data.name} is not the one the run started on (size:sha256 {fingerprint(data)} "
            f"vs {stored} in {runs.TRAINING}); pass --force to continue on it"
        )
