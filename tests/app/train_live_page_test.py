"""The Train live page: watching a prepared run, who may start and stop, languages, the finished run elsewhere.

A "quick run" here is a run folder written by hand (a tiny model's config, vocabularies and
weights; a history, a step log and probe files with made-up attention) and a state file naming a
stand-in process (a sleeping Python) as the run's training process. The slow test at the end
starts a real two-epoch run from the page and waits for its folder.
"""

from __future__ import annotations

import json
import signal

import pytest

from core import runs
from core.train.live import launcher, process
from core.train.live.presets import PRESETS, Preset
from core.train.live.progress import look
from core.train.live.root import LIVE_DIR_ENV
from core.train.live.state import LiveState, read_state, write_state
from tests.app.conftest import APP, charts
from tests.chart_text import english_only, shown_strings
from tests.live_runs import sleeper, wait_until, write_quick_run
from ui.live_view import forget_look
from ui.text import escape_markdown

PAGE = "app_pages/train_live.py"
NAME = "20250101-101500-additive-2min"
KEY = "open sesame"
COLD = "I am cold."


@pytest.fixture
def live(tmp_path, monkeypatch, tiny_config, tiny_tsv):
    """A live root holding one quick run; the app pointed at it, no teacher key set."""
    import streamlit as st

    root = tmp_path / "live"
    write_quick_run(root / NAME, tiny_config)
    monkeypatch.setenv(LIVE_DIR_ENV, str(root))
    monkeypatch.setenv(runs.MODEL_DIRS_ENV, str(root))
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(tiny_tsv))
    monkeypatch.delenv("ATTENTION_LAB_TEACHER_KEY", raising=False)
    st.cache_data.clear()
    procs = []

    def state(alive: bool = True, epochs: int = 6, **extra) -> LiveState:
        proc = sleeper(60 if alive else 0)([], root / ".logs" / "x.log", ())
        procs.append(proc)
        if not alive:
            proc.wait()
        s = LiveState(run=NAME, pid=proc.pid, pid_start=process.start_ticks(proc.pid) if alive else 1, started=1.7e9,
                      preset="2min", mechanism="additive", epochs=epochs, command=["python", "-m", "core.train"], **extra)  # fmt: skip
        write_state(root, s)
        return s

    yield root, state
    for proc in procs:
        proc.kill()
        proc.wait()
    current = launcher.running(root)
    if current is not None:
        process.send(current.pid, signal.SIGKILL)
    st.cache_data.clear()


def _open(**session):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["sidebar_model"] = f"live/{NAME}"
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _buttons(at) -> set[str]:
    return {b.key for b in at.button}


def _texts(at) -> str:
    return "\n".join(
        e.value for kind in ("info", "warning", "error", "success", "markdown", "caption") for e in at.get(kind)
    )


def test_students_watch_a_run_in_progress(live):
    root, state = live
    state(alive=True)
    at = _open()
    assert [t.value for t in at.title] == ["Train live"]
    text = _texts(at)
    assert "View-only: no teacher key" in text and "ATTENTION_LAB_TEACHER_KEY" in text
    assert f"{escape_markdown(NAME)} is training: epoch 2 of 6 finished." in text
    assert "8,000 sentence pairs" in text  # the preset in plain words
    assert not {"live_start", "live_stop", "live_delete", "live_resume"} & _buttons(at)
    bars = at.get("progress")
    assert len(bars) == 1 and "Epoch 2 of 6" in bars[0].proto.text
    specs = [c.proto.spec for c in charts(at)]
    assert sum("Loss (cross-entropy)" in s for s in specs) == 1 and sum("output (Spanish)" in s for s in specs) == 2
    assert "Epoch 0 (untrained):" in text and "Epoch 2:" in text and "rows start uniform" in text
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert row["sentence"] == COLD and row["translation, epoch 2"] == "Tengo frío."
    assert row["attention entropy, epoch 0"] == pytest.approx(1.386, abs=1e-3)  # ln 4: even rows
    assert row["attention entropy, epoch 2"] < 0.7


def test_a_student_cannot_start_or_stop(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    running = state(alive=True)
    at = _open()
    assert "live_key_box" in {w.key for w in at.text_input}
    assert not {"live_start", "live_stop"} & _buttons(at)
    at.text_input(key="live_key_box").input("open sesame!").run()
    assert "That is not the teacher key" in _texts(at)
    assert not {"live_start", "live_stop"} & _buttons(at)
    assert process.alive(running.pid, running.pid_start) and read_state(root).stop_requested is None


def test_the_teacher_stops_the_run(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    running = state(alive=True)
    at = _open()
    at.text_input(key="live_key_box").input(f"  {KEY} ").run()  # spaces around it do not matter
    assert "live_stop" in _buttons(at) and "live_start" not in _buttons(at)
    at.button(key="live_stop").click().run()
    assert not at.exception, at.exception
    assert "Asked the run to stop" in _texts(at)
    wait_until(lambda: not process.alive(running.pid, running.pid_start), 20, "the stand-in to get SIGTERM")
    assert read_state(root).stop_requested is not None


def test_a_key_changed_on_the_server_refuses_the_next_click(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    running = state(alive=True)
    at = _open()
    at.text_input(key="live_key_box").input(KEY).run()
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", "another key")
    at.button(key="live_stop").click().run()
    assert "Only the teacher can do that" in _texts(at)
    assert process.alive(running.pid, running.pid_start)


def test_the_teacher_starts_a_run_and_a_second_start_is_refused(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    state(alive=False, epochs=2)  # the quick run has finished
    monkeypatch.setattr(process, "spawn", sleeper())
    at = _open()
    at.text_input(key="live_key_box").input(KEY).run()
    assert {"live_start", "live_delete"} <= _buttons(at)
    at.selectbox(key="live_mechanism").set_value("transformer")
    at.button(key="live_start").click().run()
    assert not at.exception, at.exception
    started = read_state(root)
    assert started.run != NAME and started.mechanism == "transformer" and launcher.running(root) == started
    assert f"Started {escape_markdown(started.run)}" in _texts(at)
    other = _open(live_teacher_key=KEY)  # another teacher screen
    assert "live_stop" in _buttons(other) and "live_start" not in _buttons(other)
    with pytest.raises(launcher.Busy):
        launcher.start(root, "2min", "additive", spawn=sleeper())


def test_a_finished_run_is_an_ordinary_model_on_the_other_pages(live, monkeypatch):
    root, state = live
    state(alive=False, epochs=2)
    at = _open()
    assert "finished all 2 epochs" in _texts(at) and escape_markdown(f"live/{NAME}") in _texts(at)
    assert len(at.get("progress")) == 0  # no progress bar once it has ended
    assert f"live/{NAME}" in at.selectbox(key="sidebar_model").options
    for page in ("app_pages/training.py", "app_pages/compare.py", "app_pages/attention_over_training.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    slider = at.select_slider(key="attention_over_training_epoch")
    assert [int(o) for o in slider.options] == [0, 2]  # the untrained epoch is there too


def test_stopped_and_failed_runs_say_so(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    state(alive=False, epochs=6)
    at = _open(live_teacher_key=KEY)
    assert "ended after epoch 2 of 6 without finishing" in _texts(at)
    assert {"live_resume", "live_delete"} <= _buttons(at)
    training = root / NAME / runs.TRAINING
    training.write_text(json.dumps({"stopped": {"epoch": 2, "signal": "SIGTERM"}}), encoding="utf-8")
    forget_look()  # the shared look is kept a second
    at = _open(live_teacher_key=KEY)
    assert "was stopped after epoch 2 of 6" in _texts(at)
    at.button(key="live_delete").click().run()
    assert not (root / NAME).exists() and f"Deleted {escape_markdown(NAME)}" in _texts(at)


@pytest.mark.parametrize("lang, title", [("zh", "现场训练"), ("en", "Train live")])
def test_languages_and_presentation_mode(live, lang, title):
    root, state = live
    state(alive=True)
    at = _open(app_lang=lang, app_present=True)
    assert [t.value for t in at.title] == [title]
    assert len(charts(at)) >= 3
    if lang == "zh":
        assert "正在训练" in _texts(at) and "看点" in _texts(at)
        english = english_only()
        leaks = {s for c in charts(at) for s in shown_strings(c.proto.spec) if s in english}
        assert not leaks, f"English catalogue strings in a 中文 chart: {sorted(leaks)}"


def test_a_damaged_state_file_is_a_message(live):
    root, _ = live
    (root / "live.json").write_text('{"run": "../../etc"}', encoding="utf-8")
    at = _open()
    assert "state file cannot be read" in _texts(at) and "'run'" in _texts(at)


@pytest.mark.slow
def test_a_real_tiny_run_started_from_the_page_reaches_its_folder(live, monkeypatch):
    root, _ = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    monkeypatch.setitem(PRESETS, "tiny", Preset("tiny", 20, 100, 30, 40, 2, 4, 1e-2))
    at = _open(live_teacher_key=KEY)
    at.selectbox(key="live_preset").set_value("tiny")
    at.button(key="live_start").click().run()
    assert not at.exception, at.exception
    state = read_state(root)
    assert state.preset == "tiny" and state.epochs == 2
    assert "nice" in state.command[0] or state.command[0].endswith("python") or "python" in state.command[0]
    wait_until(lambda: not look(root).active, 600, "the tiny run to end", every=1.0)
    view = look(root)
    assert view.status == "finished", (view, (root / ".logs" / f"{state.run}.log").read_text())
    folder = root / state.run
    assert [int(r["epoch"]) for r in runs.read_history(folder)] == [1, 2]
    assert runs.probe_epochs(folder) == [0, 1, 2]
    assert f"live/{state.run}" in {r.name for r in runs.find_runs() if r.error is None}
    at.run()
    assert "finished all 2 epochs" in _texts(at)


def test_the_teacher_is_told_what_a_measured_preset_showed(live, monkeypatch):
    root, state = live
    monkeypatch.setenv("ATTENTION_LAB_TEACHER_KEY", KEY)
    state(alive=False, epochs=2)
    at = _open(live_teacher_key=KEY)
    assert not [w for w in at.warning if "collapses" in w.value]  # additive: no caution
    assert "about 3.5 min" in _texts(at)  # its measured time, from the preset
    at.selectbox(key="live_mechanism").set_value("general").run()
    assert any("Luong general attention collapses" in w.value for w in at.warning)
    at.selectbox(key="live_mechanism").set_value("local-p").run()
    assert any("hardly moves" in w.value for w in at.warning)
