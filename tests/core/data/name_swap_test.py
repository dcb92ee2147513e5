"""Training copies with a made-up name: which pairs, how many, how the name is replaced, never an evaluated name."""

from __future__ import annotations

import random
import re

import pytest

from core.data.name_swap import EVALUATED, SWAPPABLE, made_up_name, swappable, swapped_names
from core.data.names import NAME_SENTENCES

PAIRS = [
    ("Tom is tired.", "Tom está cansado."),
    ("Tom and Mary live in Boston.", "Tom y Mary viven en Boston."),
    ("I love you.", "Te quiero."),
    ("John's car is red.", "El coche de John es rojo."),
    ("Tom saw Tom.", "Tom vio a Tom."),
    ("Tom is here.", "Está aquí."),  # the Spanish leaves the name out: nothing to copy
    ("Tomorrow is Monday.", "Mañana es lunes."),  # "Tom" only as part of a word
]


def test_only_pairs_with_the_name_on_both_sides_equally_often_are_swappable():
    assert [swappable(p) for p in PAIRS] == ["Tom", "Tom", None, "John", "Tom", None, None]


def _made_up(original: str, copy: str, name: str) -> str:
    """The name that took ``name``'s places in ``copy`` of ``original`` (one and the same at every place)."""
    pattern = re.escape(original).replace(re.escape(name), r"(\w+)")
    found = set(re.fullmatch(pattern, copy).groups())
    assert len(found) == 1, (original, copy)
    return found.pop()


def test_the_name_is_replaced_on_both_sides_everywhere_and_nothing_else_changes():
    originals = [PAIRS[0], PAIRS[1], PAIRS[3], PAIRS[4]]
    copies = swapped_names(PAIRS, 1.0, seed=3)
    assert len(copies) == len(originals)
    for (english, spanish), (old_en, old_es) in zip(copies, originals, strict=True):
        name = swappable((old_en, old_es))
        new = _made_up(old_en, english, name)
        assert new != name and _made_up(old_es, spanish, name) == new
    assert copies[1][0].endswith("live in Boston.") and copies[1][1].endswith("viven en Boston.")  # one name per pair


def test_the_share_and_the_seed_decide_the_copies():
    many = PAIRS[:2] * 500
    copies = swapped_names(many, 0.3, seed=0)
    assert 240 <= len(copies) <= 360
    assert copies == swapped_names(many, 0.3, seed=0)  # a resume rebuilds the same pairs
    assert copies != swapped_names(many, 0.3, seed=1)
    assert swapped_names(many, 0.0, seed=0) == []
    with pytest.raises(ValueError, match="share 1.5"):
        swapped_names(many, 1.5, seed=0)


def test_made_up_names_are_capitalised_varied_and_never_a_name_the_evaluation_checks():
    rng = random.Random(0)
    names = [made_up_name(rng) for _ in range(20_000)]
    assert all(n[0].isupper() and n[1:].islower() and len(n) >= 3 for n in names)
    assert not set(names) & (EVALUATED | set(SWAPPABLE))
    assert len(set(names)) > 10_000
    assert {name for _, name in NAME_SENTENCES} == EVALUATED
