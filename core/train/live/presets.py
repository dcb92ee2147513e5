"""Lesson-sized presets of a live run, and the ``python -m core.train`` command line of each.

A preset fixes the data (only short sentences, the first pairs of the training split, a small
word vocabulary), the model's size and the epochs; the mechanism picks the attention. Every
number shown to a class comes from these fields. ``measured_s`` is the wall time a whole run
took on the machine named in ``docs/live_training.md`` (``bench/live_presets.py`` measures it);
the page calls it an estimate and uses it only until the run's own first epoch is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MECHANISMS = ("additive", "general", "local-p", "transformer")
# the small model of every preset: recurrent models share one size, the Transformer has its own
RNN_SIZES = {"embedding_dim": 64, "encoder_units": 64, "decoder_units": 128, "attention_units": 64}
MODEL_FLAGS: Mapping[str, Mapping[str, object]] = {
    "additive": {"arch": "additive", **RNN_SIZES},
    "general": {"arch": "general", **RNN_SIZES},
    "local-p": {"arch": "local-p", "window": 2, **RNN_SIZES},
    "transformer": {"arch": "transformer", "num_layers": 1, "num_heads": 2, "d_model": 64, "ff_dim": 128},
}
STEPS_LOG_EVERY = 5  # batches between rows of steps.csv: the progress bar moves within an epoch


@dataclass(frozen=True)
class Preset:
    """What one live run trains on and for how long."""

    key: str
    max_tokens: int  # only pairs whose English and Spanish both have at most this many words
    max_pairs: int  # the first pairs of the training split that pass (the corpus lists short ones first)
    src_vocab: int  # most frequent English words kept; the rest read as <unk>
    tgt_vocab: int
    epochs: int
    batch_size: int
    learning_rate: float
    measured_s: Mapping[str, float] = field(default_factory=dict)  # mechanism -> seconds of a whole run
    # mechanism -> what its measured run showed instead of a diagonal ("collapse", "stuck"), said before Start
    cautions: Mapping[str, str] = field(default_factory=dict)

    def flags(self, mechanism: str) -> dict[str, object]:
        """The ``core.train`` options of this preset with ``mechanism``, by option name."""
        if mechanism not in MODEL_FLAGS:
            raise ValueError(f"mechanism {mechanism!r} is not one of {MECHANISMS}")
        return {
            **MODEL_FLAGS[mechanism],
            "max_tokens": self.max_tokens,
            "max_pairs": self.max_pairs,
            "src_vocab_size": self.src_vocab,
            "tgt_vocab_size": self.tgt_vocab,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "steps_log_every": STEPS_LOG_EVERY,
        }

    def argv(self, mechanism: str, out: Path) -> list[str]:
        """``core.train``'s arguments for a new run of this preset in ``out``."""
        args = ["--out", str(out)]
        for name, value in self.flags(mechanism).items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        return [*args, "--verbose", "2"]

    def estimate_s(self, mechanism: str) -> float | None:
        """The measured seconds of a whole run with ``mechanism`` (None when not measured)."""
        value = self.measured_s.get(mechanism)
        return float(value) if value else None


PRESETS: dict[str, Preset] = {
    "2min": Preset(
        key="2min",
        max_tokens=6,
        max_pairs=8000,
        src_vocab=1500,
        tgt_vocab=2000,
        epochs=6,
        batch_size=64,
        learning_rate=5e-3,
        measured_s={"additive": 212.5, "general": 191.5, "local-p": 269.9, "transformer": 212.4},
        cautions={"general": "collapse", "local-p": "stuck"},
    ),
    "10min": Preset(
        key="10min",
        max_tokens=8,
        max_pairs=16000,
        src_vocab=3000,
        tgt_vocab=4000,
        epochs=7,
        batch_size=64,
        learning_rate=3e-3,
        measured_s={"additive": 399.2, "general": 590.4},
        cautions={"general": "collapse"},
    ),
}
DEFAULT_PRESET = "2min"


def resume_argv(out: Path, epochs: int) -> list[str]:
    """``core.train``'s arguments to continue the run in ``out`` up to ``epochs``."""
    return ["--out", str(out), "--resume", "--epochs", str(epochs), "--verbose", "2"]
