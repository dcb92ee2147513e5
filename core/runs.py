"""Run folders: the files a training run writes and everything that reads them.

A run folder holds::

    config.json          ModelConfig of the model
    training.json        how it was trained (data, split, epochs, batch size, seed, ...)
    model.weights.h5     weights (best validation loss, or the last epoch: training.json's "saved")
    vocab_src.txt        source vocabulary, one token a line
    vocab_tgt.txt        target vocabulary
    history.csv          one row per epoch
    steps.csv            optional per-step loss log
    tensorboard/         TensorBoard event files
    probes/epoch_NNN.json  attention of the probe sentences after each epoch
    checkpoint/          latest epoch's weights and optimiser state (for --resume)
    metrics.json         test-set scores written by ``python -m core.evaluate``
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.config import ModelConfig

CONFIG = "config.json"
TRAINING = "training.json"
WEIGHTS = "model.weights.h5"
SRC_VOCAB = "vocab_src.txt"
TGT_VOCAB = "vocab_tgt.txt"
HISTORY = "history.csv"
STEPS = "steps.csv"
METRICS = "metrics.json"
PROBES = "probes"
TENSORBOARD = "tensorboard"
CHECKPOINT = "checkpoint"

HISTORY_COLUMNS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy", "learning_rate", "wall_time")
REQUIRED_FILES = (CONFIG, WEIGHTS, SRC_VOCAB, TGT_VOCAB)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL_ROOTS = (PROJECT_ROOT / "assets", PROJECT_ROOT / "runs")
MODEL_DIRS_ENV = "ATTENTION_LAB_MODEL_DIRS"  # os.pathsep-separated folders to search instead


def model_roots() -> tuple[Path, ...]:
    """Folders whose sub-folders are models: ``$ATTENTION_LAB_MODEL_DIRS``, else ``assets/`` and ``runs/``."""
    value = os.environ.get(MODEL_DIRS_ENV)
    return tuple(Path(p) for p in value.split(os.pathsep) if p) if value else MODEL_ROOTS


class RunError(ValueError):
    """A run folder is missing files or holds malformed ones."""


@dataclass(frozen=True)
class RunInfo:
    """A model found on disk: its folder, display name, and any error found reading it."""

    name: str
    path: Path
    error: str | None = None


def is_run(path: Path) -> bool:
    return (path / CONFIG).is_file()


def find_runs(roots: tuple[Path, ...] | list[Path] | None = None) -> list[RunInfo]:
    """Run folders directly under each root (``assets/<name>``, ``runs/<name>``), checked for completeness."""
    found = []
    for root in model_roots() if roots is None else roots:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.iterdir() if p.is_dir() and is_run(p)):
            missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
            error = f"missing {', '.join(missing)}" if missing else None
            if error is None:
                try:
                    ModelConfig.load(path / CONFIG)
                except (ValueError, TypeError, json.JSONDecodeError) as e:
                    error = f"bad {CONFIG}: {e}"
            found.append(RunInfo(name=f"{root.name}/{path.name}", path=path, error=error))
    return found


def read_history(path: Path) -> list[dict[str, float]]:
    """Rows of ``history.csv`` as floats; raises :class:`RunError` on malformed files."""
    file = path / HISTORY if path.is_dir() else path
    if not file.is_file():
        raise RunError(f"no {HISTORY} in {path}")
    with file.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        missing = [c for c in ("epoch", "loss") if c not in columns]
        if missing:
            raise RunError(f"{file.name} lacks columns {missing}; it has {columns}")
        rows = []
        for n, row in enumerate(reader, 2):
            try:
                rows.append({k: float(v) if v not in ("", None) else math.nan for k, v in row.items() if k})
            except ValueError as e:
                raise RunError(f"{file.name} line {n}: {e}") from None
    return rows


def write_history(path: Path, rows: list[dict[str, float]]) -> None:
    with (path / HISTORY).open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=HISTORY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in HISTORY_COLUMNS} | {"epoch": int(row["epoch"])})


def read_json(path: Path, name: str) -> dict | None:
    file = path / name
    if not file.is_file():
        return None
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise RunError(f"{file} is not valid JSON: {e}") from None


def read_metrics(path: Path) -> dict | None:
    return read_json(path, METRICS)


def write_metrics(path: Path, metrics: dict) -> None:
    """Write ``metrics.json`` of the run folder at ``path`` (readable JSON, accents kept)."""
    write_json_atomic(path / METRICS, metrics)


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` as JSON at ``path`` through a temporary file, fsync and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # readable like the other files of a model folder
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def probe_epochs(path: Path) -> list[int]:
    """Epochs for which probe-sentence attention was saved."""
    folder = path / PROBES
    if not folder.is_dir():
        return []
    return sorted(int(p.stem.split("_")[1]) for p in folder.glob("epoch_*.json"))


def probe_file(path: Path, epoch: int) -> Path:
    return path / PROBES / f"epoch_{epoch:03d}.json"


def read_probes(path: Path, epoch: int) -> list[dict]:
    """Probe translations of one epoch: source/target tokens and attention lists."""
    data = read_json(path / PROBES, f"epoch_{epoch:03d}.json")
    if data is None:
        raise RunError(f"no probes for epoch {epoch} in {path}")
    return data["probes"]


def describe_hardware() -> str:
    """This machine in a few words: CPU cores and any GPUs TensorFlow sees."""
    import platform

    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    cpu = f"{os.cpu_count()} CPU cores ({platform.machine()})"
    return f"{cpu}, {len(gpus)} GPU(s)" if gpus else f"{cpu}, no GPU"


def load_translator(path: Path):
    """Build the model a run folder describes and load its weights (our own files only)."""
    from core.decoding import Translator
    from core.models import build_model
    from core.vocab import Vocabulary

    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise RunError(f"{path} is missing {', '.join(missing)}")
    config = ModelConfig.load(path / CONFIG)
    src_vocab = Vocabulary.load(path / SRC_VOCAB)
    tgt_vocab = Vocabulary.load(path / TGT_VOCAB)
    if len(src_vocab) != config.src_vocab_size or len(tgt_vocab) != config.tgt_vocab_size:
        raise RunError(
            f"vocabulary sizes {len(src_vocab)}/{len(tgt_vocab)} != config "
            f"{config.src_vocab_size}/{config.tgt_vocab_size} in {path}"
        )
    model = build_model(config)
    model.load_weights(path / WEIGHTS)
    return Translator(model, src_vocab, tgt_vocab)
