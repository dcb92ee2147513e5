"""The name sentences: no name occurs in the training split, and copying is counted as stated."""

from types import SimpleNamespace

import pytest

from core.data import DataNotFoundError, read_pairs, split_pairs
from core.data.names import NAME_SENTENCES, names_copied


def test_no_name_is_in_the_training_split():
    try:
        pairs = read_pairs(None)
    except DataNotFoundError as e:
        pytest.skip(f"no corpus: {e}")
    split = split_pairs(pairs, 0.05, 0.05, 1234)  # the shipped models' split (training.json)
    for _, name in NAME_SENTENCES:
        assert not any(name in en or name in es for en, es in split.train), name


def test_copied_names_are_counted_by_exact_spelling():
    outs = [SimpleNamespace(text=f"Algo {name} aquí.") for _, name in NAME_SENTENCES]
    outs[1] = SimpleNamespace(text="okonkwo es mi profesor.")  # lower-cased: not a copy
    assert names_copied(outs) == {"sentences": len(NAME_SENTENCES), "copied": len(NAME_SENTENCES) - 1,
                                  "missed": ["Okonkwo"]}  # fmt: skip
