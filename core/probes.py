"""Fixed probe sentences whose attention is recorded after every training epoch."""

PROBE_SENTENCES: tuple[str, ...] = (
    "I am cold.",
    "Where is the train station?",
    "She has two cats and a dog.",
    "We will go to the beach tomorrow.",
    "Do you like fish?",
    "I don't know what he wants.",
)
