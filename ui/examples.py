"""The default sentence and the "Try these" list: sentences chosen to show an attention phenomenon.

Each example carries the translations its note describes (``accepted``). ``ui/example_outputs.json``
pins every shipped model's greedy translation of every sentence; an example is *for* the models
whose pinned translation is accepted, and its note names them when the model in use is another.
``tests/ui/examples_test.py`` checks every shipped model against its pins and the default model
(the first in the model list) against every example. After the shipped models change, re-pin::

    python -m ui.examples

Notes are catalogue keys ``examples.<key>``.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

import streamlit as st

from ui.i18n import t
from ui.lazy import lazy_expander

DEFAULT_SENTENCE = "I have a red car."  # → "Tengo un coche rojo.": "rojo" looks back past "coche" to "red"
DEFAULT_ACCEPTED = ("Tengo un coche rojo.", "Tengo un auto rojo.", "Tengo un carro rojo.")

# (catalogue key of the note, English sentence, the translations the note describes)
EXAMPLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("adjective", "The red car is mine.", ("El auto rojo es mío.", "El coche rojo es mío.")),
    ("like", "I like dogs.", ("Me gustan los perros.",)),
    ("negation", "I don't like coffee.", ("No me gusta el café.",)),
    ("question", "Where is the station?", ("¿Dónde está la estación?",)),
    ("pronoun", "We live in a big house.", ("Vivimos en una casa grande.",)),
    ("agreement", "The girls are tall.", ("Las chicas son altas.", "Las niñas son altas.")),
    ("long", "My father bought a new car last year.", ("Mi padre compró un coche nuevo el año pasado.",
                                                       "Mi padre compró un auto nuevo el año pasado.")),
)  # fmt: skip
ACCEPTED = {DEFAULT_SENTENCE: DEFAULT_ACCEPTED, **{sentence: ok for _, sentence, ok in EXAMPLES}}
PINS = Path(__file__).with_name("example_outputs.json")  # model name -> sentence -> its greedy translation
SHIPPED = Path(__file__).resolve().parent.parent / "assets"  # the models the pins are for
RUN_SUFFIX = "example_run"  # session key suffix: a picked example is translated on the next run
OPEN_SUFFIX = "examples"  # session key suffix: whether the list is open


@functools.cache
def pinned() -> dict[str, dict[str, str]]:
    """The pins: each shipped model's translation of every sentence (empty when the file is missing)."""
    try:
        return json.loads(PINS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def models_for(sentence: str, pins: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The pinned models whose translation of ``sentence`` is one its note describes, in pin order."""
    pins = pinned() if pins is None else pins
    return [name for name, outputs in pins.items() if outputs.get(sentence) in ACCEPTED.get(sentence, ())]


def _pick(prefix: str, sentence: str) -> None:
    from ui.lesson import set_lesson  # ui.lesson reads DEFAULT_SENTENCE from here

    set_lesson(sentence)  # every page's box shows it; this one translates it now
    st.session_state[prefix + RUN_SUFFIX] = True


def example_clicked(prefix: str) -> bool:
    """True once after an example was clicked: the page translates it as if its button was pressed."""
    return bool(st.session_state.pop(prefix + RUN_SUFFIX, False))


def note_of(note: str, sentence: str, model: str | None) -> str:
    """The example's note; when ``model`` is pinned and writes another translation, the models it is for."""
    text = t(f"examples.{note}")
    pins = pinned()
    if model in pins and pins[model].get(sentence) not in ACCEPTED.get(sentence, ()):
        short = [name.rsplit("/", 1)[-1] for name in models_for(sentence, pins)]
        text += " " + (t("lesson.example_for", models=", ".join(short)) if short else t("lesson.example_for_none"))
    return text


def try_these(prefix: str) -> None:
    """An expander listing the examples; a click makes the sentence the lesson's (:mod:`ui.lesson`) and translates it.

    The list is built only while the expander is open (``<prefix>examples``).
    """
    box = lazy_expander(t("examples.title"), prefix + OPEN_SUFFIX, icon=":material/lightbulb:")
    if box is None:
        return
    from ui.models import MODEL_KEY

    model = st.session_state.get(MODEL_KEY)
    with box:
        st.caption(t("examples.caption"))
        for i, (note, sentence, _) in enumerate(EXAMPLES):
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.button(sentence, key=f"{prefix}example_{i}", on_click=_pick, args=(prefix, sentence), width="stretch")
            right.caption(note_of(note, sentence, model))


def pin(roots: tuple[Path, ...] = (SHIPPED,), out: Path = PINS) -> dict[str, dict[str, str]]:
    """Translate the default sentence and every example with every usable model under ``roots``; write the pins."""
    from core import runs
    from core.decoding import load_translator
    from core.runs.atomic import write_text

    sentences = [DEFAULT_SENTENCE, *(s for _, s, _ in EXAMPLES)]
    pins = {}
    for info in runs.find_runs(roots):
        if info.error is None:
            translator = load_translator(info.path)
            pins[info.name] = {s: translator.translate(s).text for s in sentences}
    write_text(out, json.dumps(pins, ensure_ascii=False, indent=2) + "\n")
    pinned.cache_clear()
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-pin every shipped model's translation of the examples.")
    parser.add_argument("--models", type=Path, default=SHIPPED, help="folder of the models to pin (assets/)")
    args = parser.parse_args(argv)
    pins = pin((args.models,))
    for sentence in [DEFAULT_SENTENCE, *(s for _, s, _ in EXAMPLES)]:
        names = [n.rsplit("/", 1)[-1] for n in models_for(sentence, pins)]
        print(f"{sentence!r}: right on {', '.join(names) or 'no model'}")
    print(f"wrote {PINS.name} ({len(pins)} models)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
