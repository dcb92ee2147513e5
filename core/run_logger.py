"""Keras callback that writes a run folder's history, step log, probe attention and kept weights."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import keras
import numpy as np

from core import provenance, runs
from core.decoding import Translator
from core.models import build_model
from core.probes import PROBE_SENTENCES
from core.vocab import Vocabulary


def save_weights(model, path: Path) -> None:
    """Save the model's own weights, without optimiser state, to ``path``."""
    fresh = build_model(model.config)
    fresh.set_weights(model.get_weights())
    fresh.save_weights(str(path), overwrite=True)


class RunLogger(keras.callbacks.Callback):
    """After every epoch: a ``history.csv`` row, probe attention, and the weights under rule ``keep``.

    ``keep="best"`` saves an epoch's weights when its validation loss is the lowest so far,
    ``keep="last"`` every epoch's; either way ``training.json`` records which epoch was saved and why.

    Every ``steps_log_every`` batches a row goes to ``steps.csv``. On resume the rows of
    epochs that will be trained again are dropped and wall time continues from the last row.
    """

    def __init__(
        self,
        out: Path,
        src_vocab: Vocabulary,
        tgt_vocab: Vocabulary,
        steps_log_every: int = 50,
        initial_epoch: int = 0,
        keep: str = "best",
    ):
        super().__init__()
        if keep not in provenance.KEEP_RULES:
            raise ValueError(f"keep {keep!r} is not one of {provenance.KEEP_RULES}")
        self.keep = keep
        self.initial_epoch = initial_epoch
        self.out = Path(out)
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.steps_log_every = steps_log_every

    def on_train_begin(self, logs=None):
        start = int(getattr(self.model, "_initial_epoch", 0) or self.initial_epoch)
        try:
            rows = runs.read_history(self.out)
        except runs.RunError:
            rows = []
        self.rows = [r for r in rows if r["epoch"] <= start]
        self.wall_offset = self.rows[-1]["wall_time"] if self.rows else 0.0
        val = [r["val_loss"] for r in self.rows if not math.isnan(r.get("val_loss", math.nan))]
        self.best = min(val) if val else math.inf
        self.epoch = start
        self.step = start * int(self.params.get("steps") or 0)
        self.t0 = time.time()
        self.translator = Translator(self.model, self.src_vocab, self.tgt_vocab)
        steps_file = self.out / runs.STEPS
        if not steps_file.exists() or start == 0:
            steps_file.write_text("step,epoch,loss,accuracy\n", encoding="utf-8")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.steps_log_every and self.step % self.steps_log_every == 0 and logs:
            loss = float(logs.get("loss", math.nan))
            acc = float(logs.get("masked_accuracy", math.nan))
            with (self.out / runs.STEPS).open("a", encoding="utf-8") as f:
                f.write(f"{self.step},{self.epoch + 1},{loss:.5f},{acc:.5f}\n")

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
        self.rows.append(row)
        runs.write_history(self.out, self.rows)
        self.keep_weights(row)
        self.write_probes(epoch + 1)

    def keep_weights(self, row: dict) -> None:
        """Save this epoch's weights if rule ``keep`` chooses them, and record the choice in ``training.json``."""
        have = (self.out / runs.WEIGHTS).exists()
        if provenance.should_save(self.keep, row["val_loss"], self.best, have):
            save_weights(self.model, self.out / runs.WEIGHTS)
            record = provenance.saved_record(self.keep, int(row["epoch"]), row["val_loss"], self.rows)
            provenance.update_training(self.out, **{provenance.SAVED: record})
        if not math.isnan(row["val_loss"]):
            self.best = min(self.best, row["val_loss"])

    def write_probes(self, epoch: int) -> None:
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
        runs.probe_file(self.out, epoch).write_text(json.dumps(payload, ensure_ascii=False) + "\n", encoding="utf-8")
