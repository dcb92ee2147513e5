"""The real English-Spanish corpus, when this machine has it (``../shared/data/spa-eng.zip`` or $ATTENTION_LAB_DATA)."""

from __future__ import annotations

import pytest

from core import data
from core.data import DataNotFoundError, find_data, read_pairs, split_pairs


@pytest.fixture(scope="module")
def pairs():
    try:
        path = find_data()
    except DataNotFoundError as e:
        expected = ", ".join(str(d / "spa-eng.zip") for d in data._SEARCH_DIRS)
        pytest.skip(f"the real corpus is not here: expected at {expected} or ${data.DATA_ENV} ({e})")
    return read_pairs(path)


def test_corpus_is_complete(pairs):
    assert len(pairs) > 100_000
    assert all(en and es for en, es in pairs)
    assert ("Go.", "Ve.") in pairs


def test_split_by_english_sentence_is_disjoint(pairs):
    split = split_pairs(pairs)
    train, val, test = ({en for en, _ in part} for part in (split.train, split.val, split.test))
    assert not train & val and not train & test and not val & test
    assert len(split.train) + len(split.val) + len(split.test) == len(pairs)
    assert set(split.test_refs) == test
    assert sum(len(r) for r in split.test_refs.values()) == len(split.test)
    assert len(test) == round(0.05 * len(train | val | test))
    assert any(len(r) > 1 for r in split.test_refs.values())  # some sentences have several references
