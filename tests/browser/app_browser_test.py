"""End to end: ``streamlit run`` headless on a free local port, driven by Playwright in real Chromium.

Chromium comes from the system (``apt-get install chromium``); Playwright never downloads a browser
here. Screenshots go to ``tests/browser/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no system Chromium: install it with `apt-get install chromium` (.ci/run does)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)")
    from core.runs import find_runs

    if not any(r.error is None for r in find_runs()):
        pytest.skip("no usable model under assets/ or runs/")
    port = _free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log_path, "w") as log:
        yield from _serve(port, env, log, log_path)


def _serve(port, env, log, log_path):
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
            "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not answer on its health endpoint within 90 s:\n{log_path.read_text()[-3000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser, errors: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    return page


def test_translate_shows_spanish_and_heatmap(server, browser):
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(server, wait_until="domcontentloaded")
    box = page.get_by_role("textbox", name="English sentence")
    box.wait_for(timeout=60_000)
    box.fill("I am cold.")
    page.get_by_role("button", name="Translate").click()
    # the heatmap is a Vega-Lite chart drawn on a canvas/svg inside the chart container
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=90_000)
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for(
        timeout=30_000
    )
    page.wait_for_timeout(1500)  # let Vega finish drawing before the screenshot
    heading = page.locator("h3").first.inner_text()
    assert heading.strip(), "no translation shown"
    assert page.get_by_text("Where the model looked").is_visible()
    page.screenshot(path=str(SHOTS / "translate.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()


def test_training_page_shows_curves(server, browser):
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_role("textbox", name="English sentence").wait_for(timeout=60_000)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Training curves").click()
    page.get_by_role("heading", name="Training curves").wait_for(timeout=60_000)
    page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "training.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()
