"""What a model costs before it is built: parameters, memory and compute at the caps, from ``config.json``.

Every size of a config is capped (:data:`core.models.config.LIMITS`), but caps on each size
alone still allow a model of hundreds of millions of parameters whose every translation
allocates gigabytes. A page must not find that out by building it, so a model folder is
refused when its estimate is over the budget:

- :data:`MAX_PARAMS` parameters (float32: 4 bytes each);
- :data:`MAX_MEMORY_BYTES` of weights plus the arrays of one request at the caps: a
  ``max_source_len``-token source, ``max_decode_len`` output steps, a beam of
  :data:`BEAM_WIDTH`, and the attention of every layer and head that the pages show;
- :data:`MAX_FLOPS` floating-point operations for that request.

The parameter count follows the layers of :mod:`core.models` (tests compare it with built
models); memory and compute are leading-order estimates of the same request.

``python -m core.runs.report --cost FOLDER...`` prints each folder's estimate and the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models.config import ModelConfig

MAX_PARAMS = 50_000_000
MAX_MEMORY_BYTES = 1024**3
MAX_FLOPS = 500e9
BEAM_WIDTH = 8  # the widest beam a page asks for
FLOAT_BYTES = 4


@dataclass(frozen=True)
class Cost:
    """A model's estimated parameters, bytes and operations for one request at the caps."""

    params: int
    memory_bytes: int
    flops: float

    @property
    def within_budget(self) -> bool:
        return self.params <= MAX_PARAMS and self.memory_bytes <= MAX_MEMORY_BYTES and self.flops <= MAX_FLOPS

    def over_budget(self) -> str | None:
        """Why the model is over the budget (one line naming estimate and budget), or None."""
        if self.within_budget:
            return None
        return (
            f"asks for a model of about {self.params / 1e6:,.0f}M parameters, {self.memory_bytes / 1024**3:,.1f} GiB "
            f"and {self.flops / 1e9:,.0f} GFLOP per request at its length caps; the budget is "
            f"{MAX_PARAMS / 1e6:,.0f}M parameters, {MAX_MEMORY_BYTES / 1024**3:,.0f} GiB and {MAX_FLOPS / 1e9:,.0f} GFLOP"
        )


def _dense(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def _gru(n_in: int, units: int) -> int:
    return 3 * units * (n_in + units + 2)  # kernel, recurrent kernel, two biases (reset_after)


def _recurrent_params(c: ModelConfig) -> tuple[int, int]:
    """(all parameters, those used at every step: everything but the embeddings)."""
    enc, dec, units = 2 * c.encoder_units, c.decoder_units, c.attention_units
    attention = {
        "additive": units * (dec + enc + 1),
        "dot": 0,
        "general": dec * enc,
        "concat": (dec + enc) * units + units,
        "local-p": dec * enc + dec * units + units,
    }[c.arch]
    body = (
        2 * _gru(c.embedding_dim, c.encoder_units)
        + _dense(enc, dec)
        + _gru(c.embedding_dim + (dec if c.input_feeding else 0), dec)
        + attention
        + _dense(enc + dec, dec, bias=False)
        + _dense(dec, c.tgt_vocab_size)
    )
    return body + (c.src_vocab_size + c.tgt_vocab_size) * c.embedding_dim, body


def _transformer_params(c: ModelConfig) -> tuple[int, int]:
    d, f = c.d_model, c.ff_dim
    attention = 4 * _dense(d, d)
    ffn = _dense(d, f) + _dense(f, d) if c.ffn == "relu" else 3 * d * f
    body = c.num_layers * (attention + ffn + 4 * d) + c.num_layers * (2 * attention + ffn + 6 * d)
    body += (4 * d if c.norm == "pre" else 0) + _dense(d, c.tgt_vocab_size)
    return body + (c.src_vocab_size + c.tgt_vocab_size) * d, body


def estimate(config: ModelConfig) -> Cost:
    """Parameters, bytes and operations of one request at ``config``'s caps (see the module docstring)."""
    c, k = config, BEAM_WIDTH
    ts, tt = c.max_source_len, c.max_decode_len
    if c.arch == "transformer":
        params, body = _transformer_params(c)
        heads, layers, width = c.num_heads, c.num_layers, max(c.d_model, c.ff_dim)
        shown = layers * heads * (k * tt * (ts + tt) + ts * ts)  # cross, decoder and encoder self-attention
        states = layers * k * (ts + tt) * width * 2  # activations and the key/value caches
        attention_flops = 2 * layers * c.d_model * k * (ts * ts + tt * ts + tt * tt)
    else:
        params, body = _recurrent_params(c)
        width = max(2 * c.encoder_units, c.decoder_units, c.attention_units, c.embedding_dim)
        shown = k * tt * ts
        states = k * (ts + tt) * width * 4
        attention_flops = 2 * k * tt * ts * max(c.attention_units, 2 * c.encoder_units)
    logits = k * c.tgt_vocab_size * 2
    memory = FLOAT_BYTES * (params + shown + states + logits)
    flops = 2.0 * k * (ts + tt) * body + attention_flops
    return Cost(params=params, memory_bytes=memory, flops=flops)


def over_budget(config: ModelConfig) -> str | None:
    """Why a model of ``config`` is too costly to build (one line), or None."""
    return estimate(config).over_budget()
