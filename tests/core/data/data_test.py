"""Locating, reading, splitting and batching the corpus."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from core.data import (
    DATA_ENV,
    DataNotFoundError,
    corpus,
    filter_length,
    find_data,
    group_references,
    make_dataset,
    parse_tsv,
    read_pairs,
    split_pairs,
)

LINES = [
    "Go.\tVe.",
    "Go.\tVete.",
    "Hi.\tHola.\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123",
    "",
    "Cafe\u0301?\t¿Café?",
]
PAIRS = [("Go.", "Ve."), ("Go.", "Vete."), ("Hi.", "Hola."), ("Café?", "¿Café?")]


def test_parse_tsv():
    assert parse_tsv(LINES) == PAIRS


def test_parse_tsv_normalises_whitespace_and_quotes():
    assert parse_tsv(["  I  don’t   know. \tNo  sé.\n"]) == [("I don't know.", "No sé.")]


def test_parse_tsv_rejects_line_without_tab():
    with pytest.raises(ValueError, match="line 2"):
        parse_tsv(["Go.\tVe.", "no tab here"])


# -- find_data ---------------------------------------------------------------------------------


def test_find_data_explicit_file(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    f = tmp_path / "my.tsv"
    f.write_text("a\tb\n", encoding="utf-8")
    assert find_data(f) == f
    assert find_data(str(f)) == f


def test_find_data_explicit_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    (tmp_path / "spa.txt").write_text("a\tb\n", encoding="utf-8")
    assert find_data(tmp_path) == tmp_path / "spa.txt"


def test_find_data_env_var(tmp_path, monkeypatch):
    f = tmp_path / "corpus.txt"
    f.write_text("a\tb\n", encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(f))
    assert find_data() == f
    other = tmp_path / "other.txt"
    other.write_text("c\td\n", encoding="utf-8")
    assert find_data(other) == other  # an explicit path wins over the variable


def test_find_data_missing_path_says_how_to_get_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    missing = tmp_path / "nowhere" / "spa-eng.zip"
    with pytest.raises(DataNotFoundError) as info:
        find_data(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "https://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip" in message
    assert isinstance(info.value, FileNotFoundError)


def test_find_data_missing_env_path_raises(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "gone.zip"))
    with pytest.raises(DataNotFoundError, match="gone.zip"):
        find_data()


def test_find_data_nothing_in_usual_places(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setattr(corpus, "_SEARCH_DIRS", (tmp_path / "a", tmp_path / "b"))
    with pytest.raises(DataNotFoundError) as info:
        find_data()
    message = str(info.value)
    assert "spa-eng.zip" in message
    assert "--data" in message
    assert DATA_ENV in message
    assert str(tmp_path / "a" / "spa-eng.zip") in message


def test_find_data_usual_places(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "spa.txt").write_text("a\tb\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "_SEARCH_DIRS", (tmp_path / "a", tmp_path / "b"))
    assert find_data() == tmp_path / "b" / "spa.txt"


# -- read_pairs --------------------------------------------------------------------------------


def test_read_pairs_from_zip(tmp_path):
    path = tmp_path / "spa-eng.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("spa-eng/_about.txt", "about")
        zf.writestr("spa-eng/spa.txt", "\n".join(LINES) + "\n")
    assert read_pairs(path) == PAIRS


def test_read_pairs_from_zip_without_spa_txt(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(DataNotFoundError, match="spa.txt"):
        read_pairs(path)


def test_read_pairs_from_txt(tmp_path):
    path = tmp_path / "spa.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert read_pairs(path) == PAIRS


# -- split_pairs -------------------------------------------------------------------------------


def _corpus(n_english: int = 200) -> list[tuple[str, str]]:
    pairs = []
    for i in range(n_english):
        for k in range(1 + i % 3):  # 1 to 3 Spanish references each
            pairs.append((f"sentence {i}.", f"frase {i} versión {k}."))
    return pairs


def test_split_has_disjoint_english_and_keeps_every_pair():
    pairs = _corpus()
    split = split_pairs(pairs, val_fraction=0.1, test_fraction=0.2, seed=7)
    en = [{e for e, _ in part} for part in (split.train, split.val, split.test)]
    assert not en[0] & en[1]
    assert not en[0] & en[2]
    assert not en[1] & en[2]
    assert len(en[2]) == 40
    assert len(en[1]) == 20
    assert sorted(split.train + split.val + split.test) == sorted(pairs)


def test_split_is_seeded():
    pairs = _corpus()
    a = split_pairs(pairs, 0.1, 0.1, seed=1)
    b = split_pairs(pairs, 0.1, 0.1, seed=1)
    c = split_pairs(pairs, 0.1, 0.1, seed=2)
    assert a == b
    assert {e for e, _ in a.test} != {e for e, _ in c.test}


def test_split_does_not_depend_on_pair_order():
    pairs = _corpus()
    a = split_pairs(pairs, 0.1, 0.1, seed=3)
    b = split_pairs(list(reversed(pairs)), 0.1, 0.1, seed=3)
    assert {e for e, _ in a.test} == {e for e, _ in b.test}


def test_split_test_refs_hold_every_reference():
    pairs = _corpus()
    split = split_pairs(pairs, 0.1, 0.2, seed=5)
    assert set(split.test_refs) == {e for e, _ in split.test}
    everything = group_references(pairs)
    for en, refs in split.test_refs.items():
        assert refs == everything[en]
        assert len(refs) == 1 + int(en.split()[1].rstrip(".")) % 3


@pytest.mark.parametrize(("val", "test"), [(-0.1, 0.1), (0.1, 1.0), (0.5, 0.5), (0.7, 0.4)])
def test_split_rejects_bad_fractions(val, test):
    with pytest.raises(ValueError, match="fractions"):
        split_pairs(_corpus(10), val, test)


def test_group_references_keeps_order():
    assert group_references(PAIRS) == {"Go.": ["Ve.", "Vete."], "Hi.": ["Hola."], "Café?": ["¿Café?"]}


def test_filter_length():
    pairs = [("I am here.", "Estoy aquí."), ("One two three four five.", "Uno."), ("Hi.", "Uno dos tres cuatro.")]
    assert filter_length(pairs, 4) == [("I am here.", "Estoy aquí.")]
    assert filter_length(pairs, 5) == pairs[:1] + pairs[2:]
    assert filter_length(pairs, 6) == pairs


# -- make_dataset ------------------------------------------------------------------------------


def _sequences(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    src = [list(rng.integers(4, 50, size=rng.integers(1, 25))) for _ in range(n)]
    tgt = [[2, *rng.integers(4, 50, size=rng.integers(1, 25)), 3] for _ in range(n)]
    return src, tgt


def _unpad(row):
    row = list(np.asarray(row))
    while row and row[-1] == 0:
        row.pop()
    return row


def test_make_dataset_shifts_targets_and_pads_with_zero():
    src, tgt = _sequences()
    ds = make_dataset(src, tgt, batch_size=8, shuffle=False)
    seen = []
    widths = set()
    for (s, t_in), t_out in ds:
        s, t_in, t_out = np.asarray(s), np.asarray(t_in), np.asarray(t_out)
        assert s.dtype == np.int32
        assert t_in.shape == t_out.shape
        assert s.shape[0] == t_in.shape[0] <= 8
        widths.add(s.shape[1])
        for i in range(len(s)):
            full = [*t_in[i][:1], *t_out[i]]  # start token + everything after it
            assert t_in[i][0] == 2
            np.testing.assert_array_equal(t_in[i][1:], t_out[i][:-1])
            seen.append((tuple(_unpad(s[i])), tuple(_unpad(full))))
    assert sorted(seen) == sorted((tuple(a), tuple(b)) for a, b in zip(src, tgt, strict=True))
    assert len(widths) > 1  # bucketed: batches are not all padded to the longest sentence


def test_make_dataset_buckets_by_length():
    src, tgt = _sequences(200, seed=1)
    boundaries = (6, 12)
    ds = make_dataset(src, tgt, batch_size=16, shuffle=False, bucket_boundaries=boundaries)
    for (s, t_in), t_out in ds:
        s, t_in, t_out = np.asarray(s), np.asarray(t_in), np.asarray(t_out)
        full_targets = [_unpad([*a[:1], *b]) for a, b in zip(t_in, t_out, strict=True)]
        lengths = [max(len(_unpad(a)), len(b)) for a, b in zip(s, full_targets, strict=True)]
        buckets = {int(np.searchsorted(boundaries, n, side="right")) for n in lengths}
        assert len(buckets) == 1, lengths
        # padded only to the longest sequence of the batch
        assert s.shape[1] == max(len(_unpad(a)) for a in s)
        assert t_out.shape[1] == max(len(b) for b in full_targets) - 1


def test_make_dataset_knows_its_batch_count():
    src, tgt = _sequences(101, seed=2)
    for batch_size in (1, 7, 32, 500):
        ds = make_dataset(src, tgt, batch_size=batch_size, shuffle=True, seed=3)
        counted = sum(1 for _ in ds)
        assert int(ds.cardinality()) == counted
        assert sum(int(x[1].shape[0]) for x in ds) == 101


def _epoch_order(ds) -> list[tuple[int, ...]]:
    """The source sequences of one pass over ``ds``, in the order its batches give them."""
    return [tuple(_unpad(row)) for (s, _), _ in ds for row in np.asarray(s)]


def test_make_dataset_shuffle_is_seeded():
    src, tgt = _sequences(60, seed=4)

    def order(seed, shuffle=True):
        return _epoch_order(make_dataset(src, tgt, batch_size=4, shuffle=shuffle, seed=seed))

    first = order(1)
    assert sorted(first) == sorted(tuple(x) for x in src)  # every pair once per epoch
    assert order(1) == first  # one seed, one order: a rerun batches the same way
    assert order(2) != first and order(3) != first and order(2) != order(3)  # the seed is used
    assert order(1, shuffle=False) != first  # and the shuffle happens
    assert order(1, shuffle=False) == order(2, shuffle=False)  # without it the seed changes nothing


def test_make_dataset_reshuffles_every_epoch():
    src, tgt = _sequences(60, seed=4)
    ds = make_dataset(src, tgt, batch_size=4, shuffle=True, seed=1)
    epoch_1, epoch_2 = _epoch_order(ds), _epoch_order(ds)
    assert sorted(epoch_1) == sorted(epoch_2) and epoch_1 != epoch_2


def test_make_dataset_rejects_length_mismatch():
    with pytest.raises(ValueError, match="3 source sequences but 2 target"):
        make_dataset([[4], [5], [6]], [[2, 4, 3], [2, 5, 3]], batch_size=2)
