"""Model configuration: one dataclass, saved as ``config.json`` beside the weights."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

RNN_ARCHITECTURES = ("additive", "dot", "general", "concat", "local-p")
ARCHITECTURES = (*RNN_ARCHITECTURES, "transformer")
ARCH_LABELS = {
    "additive": "Bi-GRU + additive (Bahdanau) attention",
    "dot": "Bi-GRU + Luong dot attention",
    "general": "Bi-GRU + Luong general attention",
    "concat": "Bi-GRU + Luong concat attention",
    "local-p": "Bi-GRU + Luong local-p attention",
    "transformer": "Transformer (multi-head attention)",
}
FEED_FORWARDS = ("relu", "glu", "geglu", "swiglu")
FFN_LABELS = {"relu": "ReLU", "glu": "GLU", "geglu": "GEGLU", "swiglu": "SwiGLU"}
NORMS = ("pre", "post")
LOCAL_SOFTMAX = ("window", "source")  # local-p: softmax over [p - D, p + D] (published) or the whole source
TOKENIZERS = ("word", "bpe")  # see core.text.tokenizer
CHOICES = {
    "arch": ARCHITECTURES,
    "ffn": FEED_FORWARDS,
    "norm": NORMS,
    "local_softmax": LOCAL_SOFTMAX,
    "tokenizer": TOKENIZERS,
}
_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
VOCAB_CAP = 100_000
LIMITS = {  # the largest sizes a model may have: a config.json asking for more is refused, not allocated
    "src_vocab_size": VOCAB_CAP,
    "tgt_vocab_size": VOCAB_CAP,
    "max_source_len": 512,
    "max_decode_len": 512,
    "embedding_dim": 1024,
    "encoder_units": 2048,
    "decoder_units": 4096,
    "attention_units": 2048,
    "window": 256,
    "num_layers": 12,
    "num_heads": 64,
    "d_model": 1024,
    "ff_dim": 8192,
}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture and sizes of a translation model.

    ``arch`` picks the model: recurrent encoder-decoders with ``additive`` (Bahdanau),
    Luong ``dot`` / ``general`` / ``concat`` or Luong ``local-p`` attention, or a
    ``transformer``. Fields that an architecture does not use are ignored by it.
    """

    arch: str = "additive"
    src_vocab_size: int = 8000
    tgt_vocab_size: int = 12000
    dropout: float = 0.1
    max_source_len: int = 40  # longest tokenised input the app translates
    max_decode_len: int = 40  # longest output the decoder writes
    # recurrent models
    embedding_dim: int = 128
    encoder_units: int = 128  # per direction of the bidirectional GRU
    decoder_units: int = 256
    attention_units: int = 128
    input_feeding: bool = False  # Luong: feed the attentional state into the next step's input
    window: int = 5  # local-p half-width D; the window is [p - D, p + D]
    local_softmax: str = "window"  # local-p: "window" as published, or "source" (earlier variant)
    # transformer
    num_layers: int = 2
    num_heads: int = 4
    d_model: int = 128
    ff_dim: int = 512
    ffn: str = "relu"  # feed-forward: relu, glu, geglu or swiglu
    norm: str = "post"  # layer norm after (post) or before (pre) each sub-layer
    # text: "word" (vocab_src.txt, vocab_tgt.txt) or "bpe" (tokenizer.model, joint, its sha256 here)
    tokenizer: str = "word"
    tokenizer_checksum: str = ""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in CHOICES:
                if v not in CHOICES[f.name]:
                    raise ValueError(f"{f.name} {v!r} is not one of {CHOICES[f.name]}")
            elif f.type in ("int", int) and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
                raise ValueError(f"{f.name} must be a positive integer, got {v!r}")
            elif f.type in ("bool", bool) and not isinstance(v, bool):
                raise ValueError(f"{f.name} must be true or false, got {v!r}")
        for name, cap in LIMITS.items():
            if getattr(self, name) > cap:
                raise ValueError(f"{name} {getattr(self, name)} is above the cap of {cap}")
        if not isinstance(self.dropout, int | float) or isinstance(self.dropout, bool):
            raise ValueError(f"dropout must be a number, got {self.dropout!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout {self.dropout} must be in [0, 1)")
        if not isinstance(self.tokenizer_checksum, str):
            raise ValueError(f"tokenizer_checksum must be a string, got {self.tokenizer_checksum!r}")
        if self.tokenizer == "bpe" and not _CHECKSUM.fullmatch(self.tokenizer_checksum):
            raise ValueError(
                f"a bpe tokenizer needs tokenizer_checksum sha256:<64 hex digits>, got {self.tokenizer_checksum[:80]!r}"
            )
        if self.tokenizer == "word" and self.tokenizer_checksum:
            raise ValueError("a word tokenizer has no tokenizer_checksum")
        if self.d_model % self.num_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by num_heads {self.num_heads}")

    @property
    def label(self) -> str:
        """Human-readable architecture, e.g. ``Transformer (multi-head attention), 2 layers × 4 heads, SwiGLU``."""
        if self.arch != "transformer":
            variant = (
                ", softmax over the whole source (earlier variant)"
                if self.arch == "local-p" and self.local_softmax == "source"
                else ""
            )
            window = f", window D = {self.window}" if self.arch == "local-p" else ""
            return ARCH_LABELS[self.arch] + window + variant + (", input feeding" if self.input_feeding else "")
        return (
            f"{ARCH_LABELS['transformer']}, {self.num_layers} layers × {self.num_heads} heads, "
            f"{FFN_LABELS[self.ffn]}, {self.norm}-norm"
        )

    @property
    def text_label(self) -> str:
        """How the model reads and writes text, e.g. ``subword (BPE, 8,000 pieces)`` or ``words (8,000 / 12,000)``."""
        if self.tokenizer == "bpe":
            return f"subword (BPE, {self.src_vocab_size:,} pieces)"
        return f"words ({self.src_vocab_size:,} / {self.tgt_vocab_size:,})"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(known)}")
        return cls(**d)

    def to_json(self) -> str:
        """The text of ``config.json`` (written by :func:`core.runs.folders.write_config`)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
