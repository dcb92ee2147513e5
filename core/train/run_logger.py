"""Keras callback that writes a run folder's checkpoint, probe attention, history, step log and kept weights."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import keras
import numpy as np

from core import runs
from core.data.probes import PROBE_SENTENCES
from core.decoding import Translator
from core.models import build_model
from core.runs import atomic, provenance
from core.text.tokenizer import WORDS
from core.text.vocab import Vocabulary
from core.train import checkpoints


def save_weights(model, path: Path) -> None:
    """Save the model's own weights, without optimiser state, to ``path`` (atomically)."""
    fresh = build_model(model.config)
    fresh.set_weights(model.get_weights())
    checkpoints.write_weights(fresh, path, "weights", atomic.hdf5_bytes(fresh.weights, like=path))


class RunLogger(keras.callbacks.Callback):
    """Before a new run's first epoch, the probes of the untrained model (epoch 0); after every
    epoch, in this order: the checkpoint, probe attention, a ``history.csv`` row, and the weights
    if rule ``keep`` chooses them.

    ``keep="best"`` saves an epoch's weights when its validation loss is the lowest so far,
    ``keep="last"`` every epoch's; either way ``training.json`` records which epoch was saved and why.

    The checkpoint commits the epoch: a run killed after it resumes from it and the rest is
    brought in line (:meth:`repair`); a run killed before it trains the epoch again. Every
    ``steps_log_every`` batches a row goes to ``steps.csv``. On resume the rows of epochs that
    will be trained again are dropped and wall time continues from the last row.
    """

    def __init__(
        self,
        out: Path,
        src_vocab: Vocabulary,
        tgt_vocab: Vocabulary,
        steps_log_every: int = 50,
        initial_epoch: int = 0,
        resumed: checkpoints.Checkpoint | None = None,
        keep: str = "best",
        tokenizer=None,
    ):
        super().__init__()
        if keep not in provenance.KEEP_RULES:
            raise ValueError(f"keep {keep!r} is not one of {provenance.KEEP_RULES}")
        self.keep = keep
        self.initial_epoch = initial_epoch
        self.resumed = resumed
        self.out = Path(out)
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.tokenizer = tokenizer  # None: the word-level tokenizer
        self.steps_log_every = steps_log_every

    def on_train_begin(self, logs=None):
        start = int(self.initial_epoch)
        try:
            rows = runs.read_history(self.out)
        except runs.RunError:
            rows = []
        self.rows = [r for r in rows if r["epoch"] <= start]
        self.wall_offset = self.rows[-1]["wall_time"] if self.rows else 0.0
        self._recount_best()
        self.epoch = start
        self.step = start * int(self.params.get("steps") or 0)
        self.t0 = time.time()
        self.translator = Translator(self.model, self.src_vocab, self.tgt_vocab, self.tokenizer or WORDS)
        self.steps_rows = self._kept_steps(start)
        atomic.write_text(self.out / runs.STEPS, "".join(self.steps_rows), "steps")
        if self.resumed is not None:
            self.repair(self.resumed, rows)
        elif start == 0:  # epoch 0: the untrained model, what the first epoch's attention is compared with
            self.write_probes(0, point="")
            self.t0 = time.time()  # wall time counts training only

    def _kept_steps(self, start: int) -> list[str]:
        """Lines of ``steps.csv`` (header first) of the epochs up to ``start``."""
        header = "step,epoch,loss,accuracy\n"
        try:
            lines = (self.out / runs.STEPS).read_text(encoding="utf-8").splitlines(keepends=True)
        except (OSError, UnicodeDecodeError):
            return [header]
        kept = [header]
        for line in lines[1:]:
            fields = line.split(",")
            whole = line.endswith("\n") and len(fields) == 4 and fields[1].isascii() and fields[1].isdigit()
            if whole and int(fields[1]) <= start:
                kept.append(line)
        return kept if start else [header]

    def repair(self, point: checkpoints.Checkpoint, rows: list[dict]) -> None:
        """Bring history, probes and best weights in line with the checkpoint resumed from."""
        if point.row and not any(int(r["epoch"]) == point.epoch for r in self.rows):
            self.rows.append(point.row)  # killed between the checkpoint and its history row
            self.wall_offset = point.row.get("wall_time", self.wall_offset)
        if len(rows) != len(self.rows) or [r["epoch"] for r in rows] != [r["epoch"] for r in self.rows]:
            runs.write_history(self.out, self.rows)
        for epoch in runs.probe_epochs(self.out):
            if epoch > point.epoch:
                runs.probe_file(self.out, epoch).unlink(missing_ok=True)
        if not self._probe_ok(point.epoch):
            self.write_probes(point.epoch)
        self._recount_best()
        if point.best_epoch == point.epoch or not runs.weights_load(self.out):
            self.keep_weights(point.epoch, float(point.row.get("val_loss", math.nan)) if point.row else math.nan)

    def _recount_best(self) -> None:
        """The lowest validation loss so far, and the epoch whose weights the folder holds, from the history."""
        val = [(r["val_loss"], int(r["epoch"])) for r in self.rows if math.isfinite(r.get("val_loss", math.nan))]
        self.best, best_epoch = min(val) if val else (math.inf, None)
        last = int(self.rows[-1]["epoch"]) if self.rows else None
        self.saved_epoch = last if self.keep == "last" else best_epoch

    def choose(self, row: dict) -> bool:
        """Whether rule ``keep`` takes the weights of the epoch that logged ``row``; counts its validation loss."""
        have = (self.out / runs.WEIGHTS).exists()
        chosen = provenance.should_save(self.keep, row["val_loss"], self.best, have)
        if not math.isnan(row["val_loss"]):
            self.best = min(self.best, row["val_loss"])
        if chosen:
            self.saved_epoch = int(row["epoch"])
        return chosen

    def keep_weights(self, epoch: int, val_loss: float) -> None:
        """Save the weights as those of ``epoch`` and record in ``training.json`` which epoch was saved and why."""
        save_weights(self.model, self.out / runs.WEIGHTS)
        record = provenance.saved_record(self.keep, epoch, val_loss, self.rows)
        provenance.update_training(self.out, **{provenance.SAVED: record})

    def _probe_ok(self, epoch: int) -> bool:
        try:
            runs.read_probes(self.out, epoch)
        except (runs.RunError, OSError):
            return False
        return True

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.steps_log_every and self.step % self.steps_log_every == 0 and logs:
            loss = float(logs.get("loss", math.nan))
            acc = float(logs.get("masked_accuracy", math.nan))
            self.steps_rows.append(f"{self.step},{self.epoch + 1},{loss:.5f},{acc:.5f}\n")
            atomic.write_text(self.out / runs.STEPS, "".join(self.steps_rows), "steps")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        row = {
            "epoch": epoch + 1,
            "loss": float(logs.get("loss", math.nan)),
            "val_loss": float(logs.get("val_loss", math.nan)),
            "accuracy": float(logs.get("masked_accuracy", math.nan)),
            "val_accuracy": float(logs.get("val_masked_accuracy", math.nan)),
            "learning_rate": float(np.asarray(self.model.optimizer.learning_rate)),
            "wall_time": round(self.wall_offset + time.time() - self.t0, 1),
        }
        chosen = self.choose(row)
        checkpoints.save(self.model, self.out, epoch + 1, row, self.saved_epoch)
        self.write_probes(epoch + 1)
        self.rows.append(row)
        runs.write_history(self.out, self.rows)
        if chosen:
            self.keep_weights(epoch + 1, row["val_loss"])

    def write_probes(self, epoch: int, point: str = "probes") -> None:
        """Probe translations and attention after ``epoch`` (0: before training).

        ``point`` names the write for the fault hooks (see :mod:`core.runs.atomic`).
        """
        folder = self.out / runs.PROBES
        folder.mkdir(exist_ok=True)
        translations = self.translator.translate_batch(PROBE_SENTENCES)
        probes = [
            {
                "source": sentence,
                "source_tokens": t.source_tokens,
                "target_tokens": t.target_tokens,
                "unknown": t.unknown,
                "attention": np.round(t.attention.astype(float), 4).tolist(),
            }
            for sentence, t in zip(PROBE_SENTENCES, translations, strict=True)
        ]
        payload = {"epoch": epoch, "probes": probes}
        atomic.write_text(runs.probe_file(self.out, epoch), json.dumps(payload, ensure_ascii=False) + "\n", point)
