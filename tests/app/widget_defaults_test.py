"""Every keyed widget is drawn with its current value as its default.

A browser that redraws a widget (its label changed with the language) may send the widget's
default instead of the value it showed; with the current value as the default nothing is lost.
Each case changes widgets away from their defaults through session state, as a click or a link
does, runs the page and compares every keyed widget's default, as the browser receives it, with
the value the page computed with.
"""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app

TRANSFORMER = "assets/transformer-glu"


def _formatted_index(widget, value) -> int:
    return list(widget.options).index(widget.format_func(value))


def _default_and_value(widget) -> tuple[object, object] | None:
    """(default sent to the browser, current value) in the same form, or None for a widget not checked."""
    kind, proto = type(widget).__name__, widget.proto
    if kind in ("Radio", "Selectbox"):
        return proto.default, widget.index
    if kind in ("Toggle", "Checkbox", "TextInput", "TextArea"):
        return proto.default, widget.value
    if kind == "Slider":
        value = widget.value
        return [round(v, 6) for v in proto.default], [
            round(float(v), 6) for v in (value if isinstance(value, (list, tuple)) else [value])
        ]
    if kind == "SelectSlider":
        return list(proto.default), [_formatted_index(widget, widget.value)]
    if kind in ("Multiselect", "ButtonGroup"):
        return list(proto.default), list(widget.indices)
    return None


def keyed_widgets(at) -> list:
    kinds = ("radio", "selectbox", "toggle", "checkbox", "text_input", "text_area", "slider", "select_slider",
             "multiselect", "button_group")  # fmt: skip
    return [w for kind in kinds for w in getattr(at, kind) if w.key]


def mismatches(at) -> list[tuple[str, object, object]]:
    found = []
    for widget in keyed_widgets(at):
        pair = _default_and_value(widget)
        if pair is not None and pair[0] != pair[1]:
            found.append((widget.key, *pair))
    return found


# page, model (None: the default one), whether a result is needed first, widget values to set
CASES = {
    "translate": ("app_pages/translate.py", None, True, {"translate_decoding": "beam", "translate_width": 6,
                                                         "translate_hypothesis": 1, "app_present": True}),
    "training": ("app_pages/training.py", None, False, {"training_metric": "loss", "training_x": "step",
                                                        "training_smooth": 0.5, "training_log": True}),
    "models": ("app_pages/models.py", None, False, {"models_metric": "loss"}),
    "how_attention_works": ("app_pages/how_attention_works.py", None, False, {"how_causal": True,
                                                                              "how_positions": 20, "how_d_model": 32,
                                                                              "how_dimensions": [1, 3]}),
    "beam": ("app_pages/beam.py", None, True, {"beam_pruned": False, "beam_width": 6, "beam_alpha": 1.0,
                                               "beam_hypothesis": 2}),
    "attribution": ("app_pages/attribution.py", None, False, {"attribution_baseline": "pad",
                                                              "attribution_steps": 64}),
    "layers": ("app_pages/layers_heads.py", TRANSFORMER, True, {"layers_kind": "encoder_self", "layers_layer": 1,
                                                                "layers_head": 2}),
    "interventions": ("app_pages/interventions.py", TRANSFORMER, True, {"interventions_what": "source",
                                                                         "interventions_edit": "replace",
                                                                         "interventions_word": 1,
                                                                         "interventions_new_word": "cat"}),
    "step": ("app_pages/step_through.py", None, True, {"step_sentence": "I am cold.", "step_typed": "estoy"}),
    "compare": ("app_pages/compare.py", None, True, {"compare_scale": "unit"}),
    "attention_over_training": ("app_pages/attention_over_training.py", None, False,
                                {"attention_over_training_epoch": 3}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_keyed_widgets_get_their_current_value_as_default(case):
    page, model, press, state = CASES[case]
    at = open_app(page=page, **({"model": model} if model else {}))
    for key, value in state.items():
        at.session_state[key] = value
    if press:  # a result, so that the widgets drawn under it are checked too
        at.run().button[0].click().run()
        assert not at.exception, at.exception
        for key, value in state.items():  # a new result resets some choices, e.g. the hypothesis shown
            at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    present = {w.key for w in keyed_widgets(at)}
    assert set(state) <= present, f"not drawn on {page}: {sorted(set(state) - present)}"
    assert not mismatches(at), mismatches(at)
