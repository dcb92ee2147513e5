"""Loading a model folder into a :class:`~core.decoding.translator.Translator`.

Every file is read through :mod:`core.runs.model_files`, the validating reader.
"""

from __future__ import annotations

from pathlib import Path

from core.decoding.translator import Translator
from core.models import build_model
from core.runs import model_files, names


def load_translator(path: Path):
    """Build the model a run folder describes and load its weights (our own files only, each checked)."""

    missing = [f for f in names.REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise names.RunError(f"{path.name} is missing {', '.join(missing)}")
    config = model_files.read_config(path)
    model_files.check_cost(config)  # a model over the budget is never built
    src_vocab = model_files.read_vocab(path, names.SRC_VOCAB, config.src_vocab_size)
    tgt_vocab = model_files.read_vocab(path, names.TGT_VOCAB, config.tgt_vocab_size)
    tokenizer = model_files.read_tokenizer(path, config, src_vocab, tgt_vocab)
    model_files.check_weights(path)  # before the model is built: a damaged or NaN file costs nothing
    model = build_model(config)
    model_files.load_weights(model, path)
    return Translator(model, src_vocab, tgt_vocab, tokenizer)
