"""The names of a run folder's files and the error every reader of them raises.

The lowest module of :mod:`core.runs`: it imports nothing from the project.
"""

CONFIG = "config.json"
TRAINING = "training.json"
WEIGHTS = "model.weights.h5"
SRC_VOCAB = "vocab_src.txt"
TGT_VOCAB = "vocab_tgt.txt"
TOKENIZER = "tokenizer.model"  # subword models (config.json tokenizer "bpe"): the SentencePiece model
HISTORY = "history.csv"
STEPS = "steps.csv"
METRICS = "metrics.json"
PROBES = "probes"
TENSORBOARD = "tensorboard"
CHECKPOINT = "checkpoint"

HISTORY_COLUMNS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy", "learning_rate", "wall_time")
REQUIRED_FILES = (CONFIG, WEIGHTS, SRC_VOCAB, TGT_VOCAB)
MAX_HISTORY_FIELD = 1024  # characters in one history.csv cell; a longer one is a damaged file


class RunError(ValueError):
    """A run folder is missing files or holds malformed ones."""
