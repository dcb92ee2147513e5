"""The default sentence and every "Try these" example, on every shipped model: outputs pinned, notes honest.

``ui/example_outputs.json`` pins each shipped model's greedy translation of every sentence
(re-pin with ``python -m ui.examples`` after the shipped models change). Every shipped model must
give exactly its pins (the default model in the fast tier, the others in the slow one); the
default model (the first in the model list, the one a class sees first) must write a translation
each example's note describes; every example is right on some shipped model; and an example's
note names the models it is for when the model in use writes another translation.
"""

from __future__ import annotations

import json

import pytest

from core import runs
from core.decoding import load_translator
from ui.examples import (
    ACCEPTED,
    DEFAULT_SENTENCE,
    EXAMPLES,
    PINS,
    SHIPPED,
    models_for,
    note_of,
    pin,
    pinned,
)

DEFAULT_MODEL = "assets/additive"
SENTENCES = [DEFAULT_SENTENCE, *(s for _, s, _ in EXAMPLES)]
SHIPPED_NAMES = [r.name for r in runs.find_runs((SHIPPED,)) if r.error is None]
REPIN = "re-pin with `python -m ui.examples`"


def _translations(name: str) -> dict[str, str]:
    usable = {r.name: r for r in runs.find_runs((SHIPPED,)) if r.error is None}
    if name not in usable:
        pytest.skip(f"the shipped model {name} is missing or incomplete")
    translator = load_translator(usable[name].path)
    return {s: translator.translate(s).text for s in SENTENCES}


def test_default_model_is_first_in_the_model_list():
    if DEFAULT_MODEL not in SHIPPED_NAMES:
        pytest.skip(f"the shipped model {DEFAULT_MODEL} is missing")
    assert SHIPPED_NAMES[0] == DEFAULT_MODEL


def test_pins_cover_every_sentence_and_every_shipped_model():
    pins = pinned()
    assert len(set(SENTENCES)) == len(SENTENCES) and set(ACCEPTED) == set(SENTENCES)
    assert sorted(pins) == sorted(SHIPPED_NAMES), f"pins are for {sorted(pins)}: {REPIN}"
    for name, outputs in pins.items():
        assert set(outputs) == set(SENTENCES), f"{name}: {REPIN}"


def test_the_default_model_writes_what_every_note_describes():
    outputs = pinned()[DEFAULT_MODEL]
    wrong = {s: outputs[s] for s in SENTENCES if outputs[s] not in ACCEPTED[s]}
    assert not wrong, f"the default model's translations the notes do not describe: {wrong}"


def test_every_example_is_right_on_some_shipped_model():
    assert all(models_for(s) for s in SENTENCES), {s: models_for(s) for s in SENTENCES}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=() if n == DEFAULT_MODEL else pytest.mark.slow) for n in sorted(pinned())]
)
def test_every_shipped_model_gives_its_pinned_translations(name):
    assert _translations(name) == pinned()[name], REPIN


def test_a_note_names_the_models_it_is_for_when_the_model_in_use_writes_another(monkeypatch):
    from ui import examples

    pins = {
        "assets/right": {s: ACCEPTED[s][0] for s in SENTENCES},
        "assets/wrong": {s: "No es esto." for s in SENTENCES},
    }
    monkeypatch.setattr(examples, "pinned", lambda: pins)
    note, sentence, _ = EXAMPLES[0]
    plain = note_of(note, sentence, "assets/right")
    assert "right" not in plain  # the model in use writes what the note says: nothing added
    named = note_of(note, sentence, "assets/wrong")
    assert named.startswith(plain) and "right" in named and "wrong" not in named[len(plain) :]
    assert note_of(note, sentence, "runs/not-pinned") == plain  # a model of one's own: no claim either way


def test_pinning_writes_what_the_models_say(tmp_path, trained_run):
    """``python -m ui.examples`` on a folder of models: one entry per model, every sentence translated."""
    root = tmp_path / "lab"
    root.mkdir()
    (root / "tiny").symlink_to(trained_run, target_is_directory=True)
    out = tmp_path / "pins.json"
    pins = pin((root,), out)
    assert list(pins) == ["lab/tiny"] and set(pins["lab/tiny"]) == set(SENTENCES)
    assert json.loads(out.read_text(encoding="utf-8")) == pins
    assert PINS.name == "example_outputs.json"
