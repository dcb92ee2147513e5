"""Train live in a real Chromium: a student's page follows the run by itself; only the teacher gets Stop.

The server serves a live root holding a hand-written run whose "training process" is a sleeping
stand-in; the test writes the next epoch's files into the folder as a run would and waits for
the student's page, which nobody touches, to show them.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from core import runs
from core.train.live import process
from core.train.live.root import LIVE_DIR_ENV
from core.train.live.state import LiveState, write_state
from tests.browser.harness import MODEL_DIRS_ENV, ServerError, streamlit_server
from tests.conftest import _tiny_config
from tests.live_runs import DIAGONAL, sleeper, write_quick_run

pytestmark = pytest.mark.browser
NAME = "20250101-101500-additive-2min"
KEY = "chalk and board"
EXCEPTION = "[data-testid='stException']"
STOP, START = ".st-key-live_stop", ".st-key-live_start"  # the buttons' containers, by the buttons' keys


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("live") / "live"
    write_quick_run(root / NAME, _tiny_config)
    stand_in = sleeper(600)([], root / ".logs" / "x.log", ())
    write_state(root, LiveState(run=NAME, pid=stand_in.pid, pid_start=process.start_ticks(stand_in.pid),
                                started=time.time(), preset="2min", mechanism="additive", epochs=6))  # fmt: skip
    env = {LIVE_DIR_ENV: str(root), MODEL_DIRS_ENV: str(root), "ATTENTION_LAB_TEACHER_KEY": KEY}
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        with streamlit_server(log, env) as (url, _):
            yield url, root, stand_in
    except ServerError as e:
        pytest.fail(str(e))
    finally:
        process.send(stand_in.pid, signal.SIGKILL)
        stand_in.wait()


def _open(open_page, url):
    page = open_page()
    page.goto(f"{url}/train_live", wait_until="domcontentloaded")
    page.get_by_text("Train live", exact=True).first.wait_for()
    return page


def test_a_students_page_follows_the_run_without_a_click(live_server, open_page, errors):
    url, root, _ = live_server
    page = _open(open_page, url)
    page.get_by_text("is training: epoch 2 of 6 finished.").wait_for()
    assert page.locator(STOP).count() == 0 and page.locator(START).count() == 0
    # the run finishes epoch 3: its history row and probe file, as core.train writes them
    folder = root / NAME
    rows = runs.read_history(folder)
    runs.write_history(folder, [*rows, {**rows[-1], "epoch": 3, "loss": 1.5, "wall_time": 30.0}])
    probe = runs.read_probes(folder, 2)[0]
    runs.probe_file(folder, 3).write_text(json.dumps({"epoch": 3, "probes": [{**probe, "attention": DIAGONAL}]}))
    started = time.monotonic()
    page.get_by_text("is training: epoch 3 of 6 finished.").wait_for(timeout=30_000)
    assert time.monotonic() - started < 30
    page.get_by_text("Epoch 3:").first.wait_for()
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors


def test_only_the_teacher_gets_stop(live_server, open_page, errors):
    url, _, stand_in = live_server
    page = _open(open_page, url)
    box = page.get_by_label("Teacher key", exact=True).and_(page.locator("input"))
    box.fill("not the key")
    box.press("Enter")
    page.get_by_text("That is not the teacher key").wait_for()
    assert page.locator(STOP).count() == 0
    box.fill(KEY)
    box.press("Enter")
    page.get_by_text("Teacher: this session can start and stop live runs.").wait_for()
    page.locator(STOP).wait_for()
    page.wait_for_timeout(7000)  # two refreshes of the panel: still one Stop, nothing stopped
    assert page.locator(STOP).count() == 1
    assert stand_in.poll() is None  # nothing was stopped by looking
    assert page.locator(EXCEPTION).count() == 0
    assert not errors, errors
