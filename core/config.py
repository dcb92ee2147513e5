"""Model configuration: one dataclass, saved as ``config.json`` beside the weights."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

ARCHITECTURES = ("additive",)


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and sizes of a translation model."""

    arch: str = "additive"
    src_vocab_size: int = 8000
    tgt_vocab_size: int = 12000
    embedding_dim: int = 128
    encoder_units: int = 128  # per direction of the bidirectional GRU
    decoder_units: int = 256
    attention_units: int = 128
    dropout: float = 0.1
    max_source_len: int = 40  # longest tokenised input the app translates
    max_decode_len: int = 40  # longest output the decoder writes

    def __post_init__(self):
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"arch {self.arch!r} is not one of {ARCHITECTURES}")
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name != "arch" and f.name != "dropout" and (not isinstance(v, int) or v <= 0):
                raise ValueError(f"{f.name} must be a positive integer, got {v!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout {self.dropout} must be in [0, 1)")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(known)}")
        return cls(**d)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
