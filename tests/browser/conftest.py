"""Browser fixtures: the app served by ``streamlit run`` and one headless system Chromium.

The tests skip with a reason when Chromium, Playwright or a usable model is missing. The
server sees only ``assets/`` (the shipped models) unless ``ATTENTION_LAB_MODEL_DIRS`` is set,
so runs still being trained under ``runs/`` never change what the tests see.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MODEL_DIRS_ENV,
    PAGE_TIMEOUT_MS,
    ROOT,
    ServerError,
    streamlit_server,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app, served for the module's tests."""
    if CHROMIUM is None:
        pytest.skip("no system Chromium: install it with `apt-get install chromium` (.ci/run does)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)")
    env = {MODEL_DIRS_ENV: os.environ.get(MODEL_DIRS_ENV) or str(ROOT / "assets")}
    from core.runs import find_runs

    roots = [Path(p) for p in env[MODEL_DIRS_ENV].split(os.pathsep) if p]
    if not any(r.error is None for r in find_runs(roots)):
        pytest.skip(f"no usable model under {env[MODEL_DIRS_ENV]}")
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        with streamlit_server(log_path, env) as (url, _):
            yield url
    except ServerError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def browser():
    """One headless system Chromium; every test opens its own page (its own browser session)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _failed(response) -> bool:
    """An HTTP error, except Streamlit's own probe for a server under a page's path.

    Opened at ``/<page>``, the frontend first asks ``/<page>/_stcore/health`` (and ``host-config``)
    in case the app is served below that path, gets 404, and then uses the root.
    """
    if response.status < 400:
        return False
    return not (response.status == 404 and STCORE_PROBE.fullmatch(urlparse(response.url).path))


def _console_error(message) -> bool:
    """A console error; the browser's echo of a 404 is left to :func:`_failed`, which sees the address."""
    if message.type != "error":
        return False
    return not message.text.startswith("Failed to load resource: the server responded with a status of 404")


STCORE_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)")


@pytest.fixture()
def errors() -> list[str]:
    """Console errors, page errors, failed requests and HTTP errors seen by :func:`open_page`."""
    return []


@pytest.fixture()
def open_page(browser, errors):
    """``open_page()``: a fresh page (new context) that records its errors into ``errors``."""
    pages = []

    def make():
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if _failed(r) else None)
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if _console_error(m) else None)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()
