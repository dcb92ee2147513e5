"""The one validating reader of model-folder files.

Every file of a model folder that the app or the report reads goes through here. Each check
turns a defect into a :class:`ModelFileError` whose message names the file relative to the
model folder and the concrete problem, never an absolute server path and never the
content of a file it refused:

- a file (or a symlink) that resolves outside the model folder is refused;
- only regular files are read: a file is opened without waiting (a FIFO, socket or device is
  refused, never read) and read up to its size cap (:data:`MAX_BYTES`) from the open descriptor;
- text must be UTF-8 (a leading BOM is dropped);
- JSON must be an object with the expected field types, numbers finite, counts at most
  :data:`MAX_COUNT`; nulls are missing values where a field is optional;
- ``config.json`` must be a valid :class:`core.models.config.ModelConfig` within its size caps and
  within the cost budget of :mod:`core.runs.cost` (estimated before anything is built);
- vocabularies must match the config's sizes; a subword model's ``tokenizer.model`` must have
  the checksum its config records and the pieces of its vocabularies; weights must be an HDF5
  file of bounded size whose every value is finite (:mod:`core.runs.weights`).

The explanation files (``attribution.json``, ``head_importance.json``) are checked in
:mod:`core.runs.explanations`, TensorBoard events in :mod:`core.runs.history`, both through
:func:`read_bytes`.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path

from core.models.config import ModelConfig
from core.runs import names

MB = 1024 * 1024
MAX_BYTES = {
    names.CONFIG: 64 * 1024,
    names.TRAINING: 64 * 1024,
    names.METRICS: 1 * MB,
    names.SRC_VOCAB: 8 * MB,
    names.TGT_VOCAB: 8 * MB,
    names.TOKENIZER: 16 * MB,
    names.HISTORY: 8 * MB,
    names.STEPS: 64 * MB,
    "probe": 8 * MB,
    names.WEIGHTS: 2048 * MB,
}
METRIC_NUMBERS = ("bleu", "bleu_cased", "chrf", "seconds", "sentences_per_second")
METRIC_COUNTS = ("sentences", "limit")
_ABSOLUTE = re.compile(r"(?<![\w.~])/(?:[^\s/'\"(),:;]+/)+([^\s/'\"(),:;]*)")


class ModelFileError(names.RunError):
    """A model-folder file that cannot be used; ``file`` is relative to the model folder."""

    def __init__(self, file: str, problem: str) -> None:
        self.file, self.problem = file, problem
        super().__init__(f"{file}: {problem}")


def scrub(text: str) -> str:
    """``text`` with every absolute path cut to its last part (for messages shown on a page)."""
    return _ABSOLUTE.sub(lambda m: m.group(1) or "/", text)


def resolve(folder: Path, name: str) -> Path:
    """``folder/name`` after following links; refused when that lands outside ``folder``."""
    try:
        base = folder.resolve()
        path = (folder / name).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise ModelFileError(name, "is a link that leads nowhere (a loop)") from None
    if not path.is_relative_to(base):
        raise ModelFileError(name, "points outside the model folder; refused")
    return path


def read_bytes(folder: Path, name: str, limit: int | None = None) -> bytes:
    """The bytes of ``folder/name``: a regular file inside ``folder``, within its size cap.

    The file is opened without following a last link and without waiting (a FIFO or a device
    is refused, never read), checked on the open descriptor, and read up to the cap only.
    """
    path = resolve(folder, name)
    cap = limit or MAX_BYTES.get(Path(name).name, MAX_BYTES["probe"])
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ModelFileError(name, "is missing") from None
    except OSError as e:
        raise ModelFileError(name, f"cannot be opened ({e.strerror or type(e).__name__})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(name, "is not a regular file")
        if info.st_size > cap:
            raise ModelFileError(name, f"has {info.st_size:,} bytes; at most {cap:,} are allowed")
        chunks, left = [], cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise ModelFileError(name, f"cannot be read ({e.strerror or type(e).__name__})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:  # it grew while being read
        raise ModelFileError(name, f"has more than {cap:,} bytes; at most {cap:,} are allowed")
    return data


def read_text(folder: Path, name: str, limit: int | None = None) -> str:
    data = read_bytes(folder, name, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ModelFileError(name, f"is not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})") from None


def _no_constant(value: str):
    raise ValueError(f"{value} is not a number JSON allows")


def read_object(folder: Path, name: str) -> dict:
    """A JSON object; NaN and Infinity are refused."""
    text = read_text(folder, name)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise ModelFileError(name, f"is not valid JSON ({str(e)[:120]})") from None
    if not isinstance(data, dict):
        raise ModelFileError(name, f"holds a JSON {type(data).__name__}, not an object")
    return data


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


MAX_COUNT = 10**12  # the largest count a file may hold (parameters, sentences, epochs): a table can show it


def _is_count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_COUNT


def _need(name: str, ok: bool, what: str, value) -> None:
    if not ok:
        what = what.replace("must be a whole number", f"must be a whole number up to {MAX_COUNT:,}")
        shown = repr(value)
        raise ModelFileError(name, f"{what}, got {shown[:40]}{'…' if len(shown) > 40 else ''}")


def read_config(folder: Path) -> ModelConfig:
    data = read_object(folder, names.CONFIG)
    try:
        return ModelConfig.from_dict(data)
    except (TypeError, ValueError) as e:
        raise ModelFileError(names.CONFIG, str(e)[:300]) from None


def check_cost(config: ModelConfig) -> None:
    """Refuse a config whose model is over the budget of :mod:`core.runs.cost` (before anything is built)."""
    from core.runs.cost import over_budget

    problem = over_budget(config)
    if problem:
        raise ModelFileError(names.CONFIG, problem)


def read_vocab(folder: Path, name: str, size: int | None = None):
    from core.text.vocab import SPECIALS, Vocabulary

    lines = read_text(folder, name).split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if len(lines) > 100_000:
        raise ModelFileError(name, f"has {len(lines):,} tokens; at most 100,000 are allowed")
    try:
        vocab = Vocabulary(lines)
    except ValueError:  # its message quotes tokens: not shown, the file may not be ours
        problem = "repeats a token" if tuple(lines[:4]) == SPECIALS else "does not start with the special tokens"
        raise ModelFileError(name, problem) from None
    if size is not None and len(vocab) != size:
        raise ModelFileError(name, f"has {len(vocab)} tokens; {names.CONFIG} says {size}")
    return vocab


def read_tokenizer(folder: Path, config: ModelConfig, src_vocab=None, tgt_vocab=None):
    """The model's tokenizer: the word-level one, or its ``tokenizer.model`` checked against ``config.json``.

    A subword model's file must hash to ``tokenizer_checksum`` and hold exactly the pieces of
    both vocabulary files (one joint vocabulary), so a token id means the same everywhere.
    """
    from core.text.tokenizer import WORDS

    if config.tokenizer == "word":
        return WORDS
    from core.text.subword import SubwordTokenizer, checksum

    data = read_bytes(folder, names.TOKENIZER)
    if checksum(data) != config.tokenizer_checksum:
        raise ModelFileError(names.TOKENIZER, f"does not have the checksum {names.CONFIG} records")
    try:
        tokenizer = SubwordTokenizer(data)
    except Exception as e:  # sentencepiece raises RuntimeError/OSError on a damaged model
        raise ModelFileError(names.TOKENIZER, f"is not a SentencePiece model ({scrub(str(e))[:120]})") from None
    for name, vocab in ((names.SRC_VOCAB, src_vocab), (names.TGT_VOCAB, tgt_vocab)):
        if vocab is not None and vocab.tokens != tokenizer.vocabulary.tokens:
            raise ModelFileError(name, f"does not hold the pieces of {names.TOKENIZER}")
    return tokenizer


def check_weights(folder: Path) -> Path:
    """The weights file: a regular HDF5 file inside the folder, within its caps, every value finite."""
    from core.runs import weights

    path = resolve(folder, names.WEIGHTS)
    try:
        info = os.stat(path)
    except OSError:
        raise ModelFileError(names.WEIGHTS, "is missing") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(names.WEIGHTS, "is not a regular file")
    if info.st_size > MAX_BYTES[names.WEIGHTS]:
        raise ModelFileError(names.WEIGHTS, "is larger than 2 GiB")
    problem = weights.check(path)
    if problem:
        raise ModelFileError(names.WEIGHTS, scrub(problem))
    return path


def load_weights(model, folder: Path) -> None:
    """Load the folder's weights file, checked first, into ``model``; one that does not fit is a ModelFileError."""
    weights = check_weights(folder)
    try:
        model.load_weights(weights)
    except Exception as e:  # a damaged or foreign HDF5 file: several error kinds
        raise ModelFileError(names.WEIGHTS, f"does not fit the model ({scrub(str(e))[:200]})") from None


def read_metrics(folder: Path) -> dict | None:
    """``metrics.json`` checked field by field (None when there is none)."""
    if not (folder / names.METRICS).exists() and not (folder / names.METRICS).is_symlink():
        return None
    name = names.METRICS
    data = read_object(folder, name)
    for key in METRIC_NUMBERS:
        if key in data:
            _need(name, _is_number(data[key]), f"'{key}' must be a finite number", data[key])
    for key in METRIC_COUNTS:
        if data.get(key) is not None:
            _need(name, _is_count(data[key]), f"'{key}' must be a whole number", data[key])
    for part in ("beam", "check", "training", "model"):
        if part in data:
            _need(name, isinstance(data[part], dict), f"'{part}' must be an object", data[part])
    for key in METRIC_NUMBERS:
        if key in data.get("beam", {}):
            _need(name, _is_number(data["beam"][key]), f"'beam.{key}' must be a finite number", data["beam"][key])
    training = data.get("training", {})
    for key in ("epochs", "saved_epoch"):
        if training.get(key) is not None:
            _need(name, _is_count(training[key]), f"'training.{key}' must be a whole number", training[key])
    for key in ("wall_time_s", "best_val_loss"):
        if training.get(key) is not None:
            _need(name, _is_number(training[key]), f"'training.{key}' must be a finite number", training[key])
    if training.get("keep") is not None:
        _need(name, training["keep"] in ("best", "last"), "'training.keep' must be best or last", training["keep"])
    if training.get("hardware") is not None:
        _need(name, isinstance(training["hardware"], str), "'training.hardware' must be text", training["hardware"])
    if data.get("model", {}).get("params") is not None:
        params = data["model"]["params"]
        _need(name, _is_count(params), "'model.params' must be a whole number", params)
    return data


def read_training(folder: Path) -> dict | None:
    if not (folder / names.TRAINING).exists():
        return None
    data = read_object(folder, names.TRAINING)
    if data.get("hardware") is not None:
        _need(names.TRAINING, isinstance(data["hardware"], str), "'hardware' must be text", data["hardware"])
    return data


def check_probes(payload, name: str) -> list[dict]:
    """The probe list of a probe file, each with tokens and an attention matrix of matching shape."""
    _need(name, isinstance(payload, dict) and isinstance(payload.get("probes"), list), "needs a 'probes' list", payload)
    for i, p in enumerate(payload["probes"]):
        where = f"probe {i + 1}"
        _need(name, isinstance(p, dict), f"{where} must be an object", p)
        _need(name, isinstance(p.get("source"), str), f"{where}: 'source' must be text", p.get("source"))
        for key in ("source_tokens", "target_tokens"):
            v = p.get(key)
            ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
            _need(name, ok, f"{where}: '{key}' must be a list of text", v)
        unknown = p.get("unknown", [False] * len(p["source_tokens"]))
        ok = isinstance(unknown, list) and len(unknown) == len(p["source_tokens"])
        _need(name, ok and all(isinstance(x, bool) for x in unknown), f"{where}: 'unknown' must be flags", unknown)
        att = p.get("attention")
        rows, cols = len(p["target_tokens"]), len(p["source_tokens"])
        ok = isinstance(att, list) and len(att) == rows
        ok = ok and all(isinstance(r, list) and len(r) == cols and all(_is_number(x) for x in r) for r in att)
        _need(name, ok, f"{where}: 'attention' must be {rows}×{cols} finite numbers", att)
    return payload["probes"]


def check(folder: Path) -> str | None:
    """Why the model folder cannot be used (one line), or None when every file it needs is sound.

    The logs (``history.csv``, ``steps.csv``, probes) do not decide whether a model can
    translate: a page that reads one says what is wrong with it.
    """
    try:
        config = read_config(folder)
        check_cost(config)
        src_vocab = read_vocab(folder, names.SRC_VOCAB, config.src_vocab_size)
        tgt_vocab = read_vocab(folder, names.TGT_VOCAB, config.tgt_vocab_size)
        read_tokenizer(folder, config, src_vocab, tgt_vocab)
        check_weights(folder)
        read_metrics(folder)
        read_training(folder)
    except names.RunError as e:
        return scrub(str(e))
    except (OSError, ValueError, TypeError) as e:
        return scrub(f"{type(e).__name__}: {e}")[:300]
    return None
