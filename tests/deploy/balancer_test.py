"""A class through HAProxy: ``python -m deploy.serve --replicas 2`` on 127.0.0.1, driven by the bench's websocket client.

Sessions open the way a browser does (page, health, websocket, with the cookies each answer
set; ``bench/st_session.py``) and show:

- every session gets its own heatmap for its own sentence, all clicking at once;
- each session stays on one replica: the affinity cookie, and the replica that answered each of
  its requests (``X-Attention-Lab-Replica``), name the same one throughout;
- sessions spread over both replicas;
- an upload on the Training page works through the balancer, and only because of the
  affinity: the same PUT sent straight to the other replica is refused (400, unknown session);
- killing one replica mid-class leaves the other replica's sessions working on their open
  websockets, and the killed replica's users, reloading, get a fresh page from the other
  replica (HAProxy's redispatch): the default sentence's heatmap, as on any first visit, nothing
  of their earlier session, then their own at their click;
- Ctrl+C (SIGINT) stops HAProxy and the replica left, exit 0, no process left behind.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

import pytest

from bench.load import own_sentence
from bench.sentences import sentences
from bench.st_client import Click, TranslateUser
from bench.st_session import StreamlitSession
from bench.st_upload import TrainingUploader
from deploy.haproxy_config import COOKIE
from tests.browser.harness import MODEL_DIRS_ENV, ROOT
from tests.deploy.served import Served, exit_line, running, served
from ui.examples import DEFAULT_SENTENCE

MODEL = "assets/additive"
USERS = 6
CLICK_TIMEOUT_S = 240.0  # a replica's first click loads the model; the machine may be busy
HISTORY = ROOT / MODEL / "history.csv"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy)"),
    pytest.mark.skipif(not HISTORY.is_file(), reason=f"the shipped model {MODEL} is missing"),
]


def replica_of(user: StreamlitSession) -> str:
    """The replica a session is pinned to: its affinity cookie, which every answer so far must agree with."""
    name = user.cookies[COOKIE]
    assert user.replicas and set(user.replicas) == {name}, f"cookie {name}, answers from {user.replicas}"
    return name


async def click_all(users: list[TranslateUser], texts: list[str]) -> list[Click | BaseException]:
    return await asyncio.gather(
        *(asyncio.wait_for(u.click(t), CLICK_TIMEOUT_S) for u, t in zip(users, texts, strict=True)),
        return_exceptions=True,
    )


def assert_own_heatmaps(results: list[Click | BaseException], texts: list[str]) -> None:
    for result, text in zip(results, texts, strict=True):
        assert not isinstance(result, BaseException), f"{text!r}: {result!r}"
        assert not result.errors, f"{text!r}: {result.errors}"
        assert own_sentence(result, text) is None, f"{text!r}: {own_sentence(result, text)}"


async def open_class(url: str) -> list[TranslateUser]:
    users = []
    for _ in range(USERS):  # one after another, as students arrive
        user = TranslateUser(url, {"model": MODEL})
        opened = await asyncio.wait_for(user.open(page_load=True), CLICK_TIMEOUT_S)
        assert not opened.errors and own_sentence(opened, DEFAULT_SENTENCE) is None, (
            "a first visit: the default sentence"
        )
        users.append(user)
    return users


async def upload_through_the_balancer(run: Served) -> None:
    tab = TrainingUploader(run.url)
    await asyncio.wait_for(tab.open(page_load=True), CLICK_TIMEOUT_S)
    home = replica_of(tab)
    answer, page = await asyncio.wait_for(tab.upload("history.csv", HISTORY.read_bytes()), CLICK_TIMEOUT_S)
    assert answer.status == 204 and answer.replica == home
    assert page is not None and not page.errors
    assert "upload: history.csv" in page.runs_drawn, page.runs_drawn
    assert replica_of(tab) == home

    # without the affinity, the same PUT reaches a replica that does not hold the session
    other = next(url for name, (url, _) in run.replicas.items() if name != home)
    urls = await asyncio.wait_for(tab.upload_urls("again.csv"), CLICK_TIMEOUT_S)
    elsewhere = StreamlitSession(other)
    elsewhere.cookies = dict(tab.cookies)
    refused = await asyncio.to_thread(TrainingUploader.put, elsewhere, urls.upload_url, "again.csv", HISTORY.read_bytes())  # fmt: skip
    assert refused.status == 400 and b"session" in refused.body
    await tab.close()


async def kill_mid_round(run: Served, users: list[TranslateUser], victim: str, pool) -> None:
    """Kill ``victim`` while a round of clicks is in flight: the other replica's sessions go on, on their websockets."""
    survivors = [u for u in users if replica_of(u) != victim]
    sessions = [u.session_id for u in survivors]
    texts = [next(pool) for _ in users]
    round_trip = asyncio.ensure_future(click_all(users, texts))
    await asyncio.sleep(0.05)  # the clicks are sent; three on one replica take longer than this
    os.kill(run.replicas[victim][1], signal.SIGKILL)
    results = await round_trip
    for user, text, result in zip(users, texts, results, strict=True):
        if user in survivors:
            assert_own_heatmaps([result], [text])
        elif isinstance(result, Click) and result.source:  # finished before the kill: still its own
            assert own_sentence(result, text) is None
    cut = sum(isinstance(r, BaseException) for u, r in zip(users, results, strict=True) if u not in survivors)
    assert cut >= 1, f"no click on {victim} was in flight when it died"
    assert await asyncio.to_thread(run.read, 15, exit_line(victim)), "deploy.serve did not report the death"

    texts = [next(pool) for _ in survivors]
    assert_own_heatmaps(await click_all(survivors, texts), texts)
    assert [u.session_id for u in survivors] == sessions


async def reload_elsewhere(run: Served, old: TranslateUser, victim: str, text: str) -> None:
    """A user of the dead replica reloads: the old cookie names it, HAProxy sends the browser on to a fresh page."""
    user = TranslateUser(run.url, {"model": MODEL})
    user.cookies = dict(old.cookies)
    reopened = await asyncio.wait_for(user.open(page_load=True), CLICK_TIMEOUT_S)
    assert replica_of(user) != victim
    assert not reopened.errors and own_sentence(reopened, DEFAULT_SENTENCE) is None  # nothing from before
    assert user.session_id != old.session_id
    assert_own_heatmaps(await click_all([user], [text]), [text])
    await user.close()


async def lesson(run: Served) -> None:
    pool = iter(sentences(6 * USERS))
    users = await open_class(run.url)
    homes = [replica_of(u) for u in users]
    assert set(homes) == {"r1", "r2"}, f"every session on {set(homes)}"

    texts = [next(pool) for _ in users]
    assert_own_heatmaps(await click_all(users, texts), texts)
    for user, home in zip(users, homes, strict=True):  # later requests of the session: same replica
        for _ in range(3):
            assert (await asyncio.to_thread(user.http, "GET", "/_stcore/health")).status == 200
        assert replica_of(user) == home

    await upload_through_the_balancer(run)

    victim = "r1"
    await kill_mid_round(run, users, victim, pool)
    for old in [u for u in users if u.cookies[COOKIE] == victim]:
        await reload_elsewhere(run, old, victim, next(pool))
    for user in users:
        await user.close()


def test_a_class_through_the_balancer(tmp_path: Path):
    env = {MODEL_DIRS_ENV: str(ROOT / "assets"), "ATTENTION_LAB_WARM_UP": "0"}
    with served(2, tmp_path, env, timeout_s=300) as run:
        asyncio.run(asyncio.wait_for(lesson(run), 1200))
        pids = run.pids()
        assert run.stop(signal.SIGINT, grace_s=60) == 0
        assert not [p for p in pids if running(p)], "a process outlived deploy.serve"
    assert "stopped (exit 0)" in run.lines
