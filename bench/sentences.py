"""English sentences for the load benchmarks: each user, and each click, a sentence of its own."""

from __future__ import annotations

import itertools

SENTENCES = [
    "The children are sleeping in the garden.",
    "My mother bought a new car last week.",
    "It is raining again in London.",
    "Can you help me with my homework?",
    "I have never seen such a beautiful sunset.",
    "They were playing football when it started to snow.",
    "Please close the window before you leave.",
    "Why did you come so late yesterday?",
    "I want to learn Spanish this year.",
    "The doctor told him to stop smoking.",
    "Tom forgot his umbrella at the station.",
    "We ate fish and rice for dinner.",
    "She sings in a choir every Sunday.",
    "The museum opens at nine o'clock.",
    "My brother plays the guitar very well.",
    "Where did you put the keys?",
    "The cat is hiding under the bed.",
    "He drinks coffee without sugar.",
    "The train to Madrid was cancelled.",
    "I lost my wallet on the bus.",
    "The teacher wrote the answer on the blackboard.",
    "Our neighbours have three dogs.",
    "The soup is too hot to eat.",
    "She painted the kitchen yellow.",
    "Mary is reading a letter from her grandmother.",
    "The bridge was built two hundred years ago.",
    "Do you know how to swim?",
    "The bakery sells fresh bread every morning.",
    "My sister lives near the airport.",
    "The mountain is covered with snow.",
    "He shaved his beard for the wedding.",
    "The library closes early on Fridays.",
    "I found a spider in the bathroom.",
    "The farmer feeds his horses at dawn.",
    "We need more chairs for the party.",
    "The prisoner escaped through the tunnel.",
    "Can I borrow your pencil?",
    "The baby is crying again.",
    "My grandfather repaired the old clock.",
    "The students are waiting for the bus.",
]

_SUBJECTS = ["My mother", "The teacher", "Tom", "Our neighbours", "The children", "My brother", "The doctor", "Mary",
             "The farmer", "The students", "My friend", "The old man"]  # fmt: skip
_PREDICATES = ["bought a new car", "lost the keys", "read a long book", "opened the window", "cooked dinner",
               "found a small cat", "painted the kitchen", "wrote a letter", "visited the museum",
               "missed the train", "sold the house", "cleaned the room"]  # fmt: skip
_WHEN = ["yesterday", "last week", "this morning", "on Sunday", "two days ago"]


def sentences(n: int) -> list[str]:
    """``n`` different English sentences: the hand-written ones first, then composed ones (up to 759)."""
    composed = (f"{s} {p} {w}." for w, s, p in itertools.product(_WHEN, _SUBJECTS, _PREDICATES))
    out = list(itertools.islice(dict.fromkeys(itertools.chain(SENTENCES, composed)), n))
    if len(out) < n:
        raise ValueError(f"only {len(out)} different sentences, {n} asked")
    return out
