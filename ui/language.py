"""Keep every choice a user made when the interface language changes.

Streamlit remembers a radio's or a select box's choice as the *label* the browser shows, and
labels are translated: after a switch English → 中文 the remembered label "average of heads"
matches no option any more, so the widget shows nothing selected and returns the stale label
itself (a ``str`` where the page expects a number). The language switch's ``on_change`` runs
before the page, while the old labels still decode: it reads the value of every choice widget
(the option itself, e.g. ``None`` or ``"beam"``) and stores it back, so the page draws each
widget with the same option under its new label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import streamlit as st

from ui.i18n import t

# the widgets whose browser value is a formatted label: radio, select box, multiselect,
# segmented control / pills, select slider (named by the class that decodes their value)
CHOICE_DECODERS = {
    "RadioSerde",
    "SelectboxSerde",
    "MultiSelectSerde",
    "_SingleSelectButtonGroupSerde",
    "_MultiSelectButtonGroupSerde",
    "SelectSliderSerde",
}


def choice_keys() -> set[str]:
    """User keys of the choice widgets drawn in the last run (read from Streamlit's widget registry)."""
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        inner = get_session_state()._state  # SafeSessionState -> SessionState
        names = inner._key_id_mapper.id_key_mapping
        metadata = inner._new_widget_state.widget_metadata
    except (AttributeError, ImportError):  # another Streamlit layout: nothing is kept, nothing breaks
        return set()
    return {
        key
        for wid, key in names.items()
        if wid in metadata and type(getattr(metadata[wid].deserializer, "__self__", None)).__name__ in CHOICE_DECODERS
    }


def keep_choices(
    skip: tuple[str, ...] = (), state: MutableMapping | None = None, keys: set[str] | None = None
) -> list[str]:
    """Store the value of every choice widget back under its key (``on_change`` of the language switch).

    Returns the keys stored back, in order.
    """
    state = st.session_state if state is None else state
    keys = choice_keys() if keys is None else keys
    kept = []
    for key in sorted(keys):
        if key in skip or key not in state:
            continue
        state[key] = state[key]
        kept.append(key)
    return kept


def widget_value(key: str, fallback: Any = None, state: Mapping | None = None) -> Any:
    """The value the widget under ``key`` holds now, else ``fallback``: to pass as the widget's default.

    A browser that redraws a widget (its label changed with the language) may send the widget's
    default instead of the value it showed; a default equal to the current value keeps that value.
    Streamlit's warning about a default beside a Session State value is switched off in
    ``.streamlit/config.toml`` for this reason.
    """
    state = st.session_state if state is None else state
    return state.get(key, fallback)


def widget_index(key: str, options: Iterable, fallback: int = 0, state: Mapping | None = None) -> int:
    """Position of the current value of ``key`` among ``options`` (a radio's or select box's ``index``)."""
    state = st.session_state if state is None else state
    options = list(options)
    if key in state and state[key] in options:
        return options.index(state[key])
    return fallback


def uploader_css(types: list[str]) -> str:
    """A style sheet that writes the upload box's own words ("Upload", "5MB per file • CSV") from the catalogue.

    Streamlit draws them in English whatever the page's language; the sheet hides them and shows
    the catalogue's instead. Static text from the catalogue only, never user text.
    """
    limit = t("upload.limit", mb=st.get_option("server.maxUploadSize"), types=", ".join(x.upper() for x in types))
    button, limit = json.dumps(t("upload.button"), ensure_ascii=False), json.dumps(limit, ensure_ascii=False)
    zone = '[data-testid="stFileUploaderDropzone"]'
    return f"""<style>
{zone} button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{zone} button [data-testid="stMarkdownContainer"] p::after {{ content: {button}; font-size: 1rem; }}
{zone} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{zone} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {limit}; font-size: 0.875rem; }}
</style>"""
