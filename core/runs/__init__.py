"""Run folders: what a training run writes, and the one validating reader of it.

- :mod:`~core.runs.names` — the folder's file names and :class:`RunError` (imports nothing);
- :mod:`~core.runs.atomic` — every write: a temporary file, fsync, rename; fault points for tests;
- :mod:`~core.runs.lock` — one writer per folder;
- :mod:`~core.runs.model_files` — the validating reader of every file a page or a CLI reads;
- :mod:`~core.runs.cost` — a model's parameters, memory and compute from its config, and the budget;
- :mod:`~core.runs.weights` — the weights file checked: HDF5, bounded, every value finite;
- :mod:`~core.runs.explanations` — ``attribution.json`` and ``head_importance.json``, checked;
- :mod:`~core.runs.folders` — finding model folders, reading and writing logs and metrics;
- :mod:`~core.runs.provenance` — the command lines that made a folder and the epoch it keeps;
- :mod:`~core.runs.history` — training curves from ``history.csv`` and TensorBoard events;
- :mod:`~core.runs.report` — ``python -m core.runs.report``: the report card of the models.

May import :mod:`core.text` and :mod:`core.models` (a folder's config); never decoding, training
or anything above them. ``from core import runs`` gives the folder API below.
"""

from core.runs.folders import (
    LIVE_DIR_ENV,
    MODEL_DIRS_ENV,
    MODEL_ROOTS,
    PROJECT_ROOT,
    RunInfo,
    describe_hardware,
    find_runs,
    is_run,
    model_roots,
    probe_epochs,
    probe_file,
    read_history,
    read_json,
    read_metrics,
    read_probes,
    weights_load,
    write_config,
    write_history,
    write_json_atomic,
    write_metrics,
    write_vocab,
)
from core.runs.names import (
    CHECKPOINT,
    CONFIG,
    HISTORY,
    HISTORY_COLUMNS,
    MAX_HISTORY_FIELD,
    METRICS,
    PROBES,
    REQUIRED_FILES,
    SRC_VOCAB,
    STEPS,
    TENSORBOARD,
    TGT_VOCAB,
    TOKENIZER,
    TRAINING,
    WEIGHTS,
    RunError,
)

__all__ = [
    "CHECKPOINT", "CONFIG", "LIVE_DIR_ENV", "HISTORY", "HISTORY_COLUMNS", "MAX_HISTORY_FIELD", "METRICS", "MODEL_DIRS_ENV",
    "MODEL_ROOTS", "PROBES", "PROJECT_ROOT", "REQUIRED_FILES", "SRC_VOCAB", "STEPS", "TENSORBOARD", "TGT_VOCAB",
    "TOKENIZER", "TRAINING", "WEIGHTS", "RunError", "RunInfo", "describe_hardware", "find_runs", "is_run",
    "model_roots", "probe_epochs", "probe_file", "read_history", "read_json", "read_metrics", "read_probes",
    "weights_load", "write_config", "write_history", "write_json_atomic", "write_metrics", "write_vocab",
]  # fmt: skip
