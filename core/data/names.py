"""Sentences with a name the training split never holds: does a model copy it into the Spanish?

A word-level model cannot (the name is ``[UNK]``); a subword model can, piece by piece.
``tests/core/data/names_test.py`` checks against the corpus that no name occurs in the
training split (in English or Spanish). "Barcelona" is not among them: it occurs once there.
"""

NAME_SENTENCES: tuple[tuple[str, str], ...] = (  # (sentence, the name it must keep)
    ("The train to Wellington leaves at eight o'clock.", "Wellington"),
    ("Okonkwo is my teacher.", "Okonkwo"),
    ("My sister lives in Nairobi.", "Nairobi"),
    ("Priya bought a new car.", "Priya"),
    ("We flew to Reykjavik last winter.", "Reykjavik"),
    ("Chidi plays the guitar.", "Chidi"),
    ("Oaxaca is a beautiful city.", "Oaxaca"),
)


def names_copied(translations) -> dict:
    """``{"sentences", "copied", "missed"}`` for the translations of :data:`NAME_SENTENCES`, in order.

    A name counts as copied when it appears, spelled and capitalised as in English, in the output.
    """
    missed = [name for (_, name), t in zip(NAME_SENTENCES, translations, strict=True) if name not in t.text]
    return {"sentences": len(NAME_SENTENCES), "copied": len(NAME_SENTENCES) - len(missed), "missed": missed}
