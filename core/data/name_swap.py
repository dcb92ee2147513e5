"""Training pairs with a name swapped for a made-up one, so that a subword model learns to copy names.

The corpus's names are few and frequent: "Tom" is in about 17,500 training pairs, "Mary" in
3,600, "Boston" in 600. Each is a single piece of the subword vocabulary, so a model learns to
copy those pieces and nothing else: a name it has never seen ("Okonkwo" → ``▁O k on k w o``)
comes out as some Spanish word. Measured on :data:`core.data.names.NAME_SENTENCES`, models
trained on the corpus alone copy none of the seven names.

:func:`swapped_names` adds, for a share of the training pairs whose English and Spanish both hold
one of :data:`SWAPPABLE` the same number of times, a copy in which that name is replaced on both
sides by a made-up one (syllables drawn with a seeded generator). The model then sees names it
must write piece by piece, as in the English. Only the training split is given these copies; the
tokenizer is trained before them, and no made-up name is one of the names the evaluation checks.

May import the standard library and :mod:`core.data.names`.
"""

from __future__ import annotations

import random
import re

from core.data.names import NAME_SENTENCES

# names spelled alike in both languages, frequent in the corpus; people and places
SWAPPABLE = ("Tom", "Mary", "John", "Boston", "Australia", "Osaka", "Chicago", "Hokkaido", "Yokohama", "Nara")
ONSETS = ("", "b", "ch", "d", "f", "g", "h", "j", "k", "kw", "l", "m", "n", "p", "pr", "r", "s", "sh", "t",
          "tr", "v", "w", "y", "z", "x", "br", "dr", "kr", "gn", "th")  # fmt: skip
VOWELS = ("a", "e", "i", "o", "u", "a", "o", "ai", "ia", "ou", "ei")
CODAS = ("", "", "", "", "n", "k", "r", "s", "l", "m")
EVALUATED = frozenset(name for _, name in NAME_SENTENCES)
_PATTERNS = {name: re.compile(rf"\b{name}\b") for name in SWAPPABLE}


def made_up_name(rng: random.Random) -> str:
    """A capitalised name of 2 to 4 syllables that is none of the names the evaluation checks."""
    while True:
        syllables = rng.randint(2, 4)
        name = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        name = name.capitalize()
        if name not in EVALUATED and name not in SWAPPABLE and len(name) >= 3:
            return name


def swappable(pair: tuple[str, str]) -> str | None:
    """The first name of :data:`SWAPPABLE` that both sides of ``pair`` hold equally often, else None."""
    english, spanish = pair
    for name, pattern in _PATTERNS.items():
        count = len(pattern.findall(english))
        if count and count == len(pattern.findall(spanish)):
            return name
    return None


def swapped_names(pairs: list[tuple[str, str]], share: float, seed: int) -> list[tuple[str, str]]:
    """Copies of a ``share`` of the swappable ``pairs``, each with its name replaced by a made-up one.

    Deterministic for a given ``seed``: a resumed run rebuilds the same copies.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share {share} must be in [0, 1]")
    rng = random.Random(seed)
    copies = []
    for pair in pairs:
        name = swappable(pair)
        if name is None or rng.random() >= share:
            continue
        new = made_up_name(rng)
        english, spanish = (_PATTERNS[name].sub(new, side) for side in pair)
        copies.append((english, spanish))
    return copies
