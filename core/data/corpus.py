"""The English–Spanish corpus: locating, reading, splitting and batching it.

Pairs come from the Tatoeba Project via manythings.org/anki (CC-BY 2.0 FR), as
``spa-eng.zip`` (holding ``spa-eng/spa.txt``) or a plain ``spa.txt`` of
``English<TAB>Spanish`` lines.
"""

from __future__ import annotations

import os
import random
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.text import normalize, tokenize

DATA_ENV = "ATTENTION_LAB_DATA"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_CANDIDATES = ("spa-eng.zip", "spa.txt", "spa-eng/spa.txt")
_SEARCH_DIRS = (PROJECT_ROOT.parent / "shared" / "data", PROJECT_ROOT / "data")


class DataNotFoundError(FileNotFoundError):
    """The corpus is not where it was asked for, nor in any usual place."""


def find_data(path: str | os.PathLike | None = None) -> Path:
    """Resolve the corpus file: ``path``, else ``$ATTENTION_LAB_DATA``, else the usual places."""
    if path is None:
        path = os.environ.get(DATA_ENV) or None
    if path is not None:
        p = Path(path).expanduser()
        if p.is_dir():
            for name in _CANDIDATES:
                if (p / name).is_file():
                    return p / name
        elif p.is_file():
            return p
        raise DataNotFoundError(
            f"no corpus at {str(p)!r}: give the path of spa-eng.zip or spa.txt "
            "(download https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip, "
            "the Tatoeba pairs from www.manythings.org/anki)"
        )
    tried = [d / name for d in _SEARCH_DIRS for name in _CANDIDATES]
    for p in tried:
        if p.is_file():
            return p
    raise DataNotFoundError(
        "the English-Spanish corpus was not found. Download "
        "https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip "
        "(Tatoeba pairs from www.manythings.org/anki, CC-BY 2.0 FR) and either put it at "
        f"{PROJECT_ROOT / 'data' / 'spa-eng.zip'}, pass --data PATH, or set {DATA_ENV}=PATH. "
        f"Looked in: {', '.join(str(p) for p in tried)}"
    )


def read_pairs(path: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """Read ``(english, spanish)`` pairs from a zip (``*/spa.txt`` inside) or a TSV file."""
    p = find_data(path)
    if p.suffix == ".zip":
        with zipfile.ZipFile(p) as zf:
            names = [n for n in zf.namelist() if n.endswith("spa.txt")]
            if not names:
                raise DataNotFoundError(f"{p} holds no spa.txt (found {zf.namelist()[:5]})")
            data = zf.read(names[0])
    else:
        data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is not part of the first English sentence
    except UnicodeDecodeError as e:
        raise ValueError(f"{p.name} is not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})") from None
    return parse_tsv(text.splitlines())


def parse_tsv(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``English<TAB>Spanish[<TAB>...]`` lines to normalised pairs; blank lines skipped."""
    pairs = []
    for n, line in enumerate(lines, 1):
        if n == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 2:
            raise ValueError(f"line {n} has no tab between English and Spanish: {line[:80]!r}")
        pairs.append((normalize(parts[0]), normalize(parts[1])))
    return pairs


@dataclass
class Split:
    """A seeded split by unique English sentence.

    ``test_refs`` maps each test English sentence to every Spanish reference, for
    multi-reference scoring.
    """

    train: list[tuple[str, str]]
    val: list[tuple[str, str]]
    test: list[tuple[str, str]]
    test_refs: dict[str, list[str]] = field(default_factory=dict)


def group_references(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """English sentence -> its Spanish references, in order of first appearance."""
    refs: dict[str, list[str]] = {}
    for en, es in pairs:
        refs.setdefault(en, []).append(es)
    return refs


def split_pairs(
    pairs: Sequence[tuple[str, str]],
    val_fraction: float = 0.05,
    test_fraction: float = 0.05,
    seed: int = 1234,
) -> Split:
    """Split by unique English sentence so no test source is ever seen in training."""
    if not 0 <= val_fraction < 1 or not 0 <= test_fraction < 1 or val_fraction + test_fraction >= 1:
        raise ValueError(f"fractions val={val_fraction} test={test_fraction} must be in [0, 1) and sum below 1")
    refs = group_references(pairs)
    english = sorted(refs)
    random.Random(seed).shuffle(english)
    n_test = int(round(len(english) * test_fraction))
    n_val = int(round(len(english) * val_fraction))
    test_en, val_en = english[:n_test], english[n_test : n_test + n_val]
    test_set, val_set = set(test_en), set(val_en)
    train, val, test = [], [], []
    for en, es in pairs:
        (test if en in test_set else val if en in val_set else train).append((en, es))
    return Split(train, val, test, {en: refs[en] for en in test_en})


def filter_length(pairs: Iterable[tuple[str, str]], max_tokens: int) -> list[tuple[str, str]]:
    """Keep pairs whose both sides have at most ``max_tokens`` tokens."""
    return [(en, es) for en, es in pairs if len(tokenize(en)) <= max_tokens and len(tokenize(es)) <= max_tokens]


def make_dataset(
    src_ids: Sequence[Sequence[int]],
    tgt_ids: Sequence[Sequence[int]],
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    bucket_boundaries: Sequence[int] = (6, 8, 10, 12, 15, 20, 30),
):
    """A ``tf.data`` pipeline of ``((src, tgt_in), tgt_out)`` batches bucketed by length.

    ``tgt_ids`` include the start and end tokens; ``tgt_in`` drops the last token and
    ``tgt_out`` the first (teacher forcing). Sequences of similar length share a
    batch, so padding stays small. The dataset knows its number of batches, so Keras
    ends each epoch on the last batch instead of probing past it (a probe that would
    count a phantom batch in scalar metrics such as ``masked_accuracy``).
    """
    import numpy as np
    import tensorflow as tf

    if len(src_ids) != len(tgt_ids):
        raise ValueError(f"{len(src_ids)} source sequences but {len(tgt_ids)} target sequences")

    def padded(seqs):
        lengths = np.fromiter((len(x) for x in seqs), dtype=np.int32, count=len(seqs))
        arr = np.zeros((len(seqs), max(1, int(lengths.max(initial=1)))), dtype=np.int32)
        for i, x in enumerate(seqs):
            arr[i, : len(x)] = x
        return arr, lengths

    (src, src_len), (tgt, tgt_len) = padded(src_ids), padded(tgt_ids)
    # bucket i holds lengths in [boundaries[i-1], boundaries[i]), as in bucket_by_sequence_length
    buckets = np.searchsorted(np.asarray(bucket_boundaries), np.maximum(src_len, tgt_len), side="right")
    n_batches = int(sum(-(-int(n) // batch_size) for n in np.bincount(buckets)))
    ds = tf.data.Dataset.from_tensor_slices((src, src_len, tgt, tgt_len))
    ds = ds.map(lambda s, sl, t, tl: (s[:sl], t[:tl]))  # back to each sequence's own length
    if shuffle:
        ds = ds.shuffle(len(src_ids), seed=seed, reshuffle_each_iteration=True)
    ds = ds.bucket_by_sequence_length(
        element_length_func=lambda s, t: tf.maximum(tf.shape(s)[0], tf.shape(t)[0]),
        bucket_boundaries=list(bucket_boundaries),
        bucket_batch_sizes=[batch_size] * (len(bucket_boundaries) + 1),
        pad_to_bucket_boundary=False,
    )
    ds = ds.map(lambda s, t: ((s, t[:, :-1]), t[:, 1:]), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.apply(tf.data.experimental.assert_cardinality(n_batches))
    return ds.prefetch(tf.data.AUTOTUNE)
