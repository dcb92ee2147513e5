"""The teacher's controls of live training: the key, the choices, Start, Stop, Continue and Delete.

Each action checks the teacher key again when it runs (:func:`ui.teacher.is_teacher`), so a
student's session has no way to start, stop or delete a run, whatever it sends. What an
action did is said once, at the top of the panel, after it.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from core.train.live import launcher
from core.train.live.presets import DEFAULT_PRESET, MECHANISMS, PRESETS
from core.train.live.progress import LiveView
from core.train.live.root import RootError
from ui.i18n import t
from ui.live_preset import mechanism_label, preset_caution, preset_label, preset_time, preset_words
from ui.models import error_text
from ui.teacher import KEY_ENV, MAX_KEY_CHARS, SECRET_NAME, TYPED_KEY, configured_key, is_teacher, normalise
from ui.text import escape_markdown

PREFIX = "live_"
KEY_BOX = PREFIX + "key_box"
MECHANISM_KEY = PREFIX + "mechanism"
PRESET_KEY = PREFIX + "preset"
FLASH_KEY = PREFIX + "flash"


def _flash(kind: str, text: str) -> None:
    st.session_state[FLASH_KEY] = (kind, text)


def _keep_key() -> None:
    st.session_state[TYPED_KEY] = normalise(st.session_state.get(KEY_BOX))


def key_box() -> bool:
    """The teacher-key field (or how to enable one); returns whether this session is the teacher's."""
    if configured_key() is None:
        st.info(t("live.view_only", env=KEY_ENV, secret=SECRET_NAME))
        return False
    st.session_state.setdefault(KEY_BOX, st.session_state.get(TYPED_KEY, ""))
    st.text_input(t("live.key_label"), type="password", max_chars=MAX_KEY_CHARS, key=KEY_BOX, on_change=_keep_key,
                  help=t("live.key_help"))  # fmt: skip
    teacher = is_teacher()
    if st.session_state.get(TYPED_KEY) and not teacher:
        st.warning(t("live.key_wrong"))
    elif teacher:
        st.caption(t("live.key_ok"))
    return teacher


def _act(action, *args) -> None:
    """Run a launcher action for the teacher only; its outcome becomes the panel's message."""
    if not is_teacher():
        _flash("error", t("live.not_allowed"))
        return
    try:
        _flash(*action(*args))
    except launcher.Busy:
        _flash("warning", t("live.busy"))
    except (launcher.LiveError, RootError, OSError) as e:
        _flash("error", t("live.cannot", error=escape_markdown(error_text(e))))
    from ui.live_view import forget_look

    forget_look()


def _start(root: Path) -> tuple[str, str]:
    state = launcher.start(root, st.session_state.get(PRESET_KEY, DEFAULT_PRESET), st.session_state[MECHANISM_KEY])
    return "success", t("live.started", name=escape_markdown(state.run))


def _stop(root: Path) -> tuple[str, str]:
    outcome = launcher.stop(root)
    return {"stopping": ("info", t("live.stopping")), "forced": ("warning", t("live.forced")),
            "idle": ("info", t("live.nothing_running"))}[outcome]  # fmt: skip


def _resume(root: Path, name: str) -> tuple[str, str]:
    state = launcher.resume(root, name)
    return "success", t("live.resumed", name=escape_markdown(state.run))


def _delete(root: Path, name: str) -> tuple[str, str]:
    launcher.delete(root, name)
    return "success", t("live.deleted", name=escape_markdown(name))


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH_KEY, (None, None))
    if kind is not None:
        getattr(st, kind)(text)


def controls(view: LiveView, root: Path) -> None:
    """Start (with its choices) when no run is going, Stop while one is; Continue/Delete after one ends."""
    if view.active:
        asked = view.state.stop_requested if view.state is not None else None
        force = asked is not None and time.time() - asked >= launcher.FORCE_AFTER_S  # the next press ends it at once
        st.button(t("live.stop_force" if force else "live.stop"), key=PREFIX + "stop", icon=":material/stop:",
                  on_click=_act, args=(_stop, root), help=t("live.stop_help"))  # fmt: skip
        return
    left, right = st.columns(2)
    st.session_state.setdefault(MECHANISM_KEY, MECHANISMS[0])
    st.session_state.setdefault(PRESET_KEY, DEFAULT_PRESET)
    mechanism = left.selectbox(t("live.mechanism"), MECHANISMS, key=MECHANISM_KEY, format_func=mechanism_label)
    preset = right.selectbox(t("live.preset"), list(PRESETS), key=PRESET_KEY, format_func=preset_label)
    st.markdown(preset_words(PRESETS[preset], mechanism))
    st.caption(preset_time(PRESETS[preset], mechanism))
    caution = preset_caution(PRESETS[preset], mechanism)
    if caution:
        st.warning(caution)
    buttons = st.columns(3)
    buttons[0].button(t("live.start"), key=PREFIX + "start", icon=":material/play_arrow:", type="primary",
                      on_click=_act, args=(_start, root))  # fmt: skip
    if view.state is not None and view.status in ("stopped", "failed") and view.epochs_done:
        buttons[1].button(t("live.resume"), key=PREFIX + "resume", icon=":material/resume:",
                          on_click=_act, args=(_resume, root, view.state.run), help=t("live.resume_help"))  # fmt: skip
    if view.state is not None and view.folder is not None and view.folder.is_dir():
        buttons[2].button(t("live.delete", name=view.state.run), key=PREFIX + "delete", icon=":material/delete:",
                          on_click=_act, args=(_delete, root, view.state.run))  # fmt: skip
