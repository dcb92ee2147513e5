"""Shared by the browser tests and ``bench/load.py``: start the app, and read what a page shows.

``streamlit_server`` runs ``streamlit run streamlit_app.py`` headless on a free local port;
``IDLE_JS`` tells whether a page has finished running; ``heatmap_tokens`` reads the tokens of
a drawn attention heatmap back from the chart's accessible labels. Nothing here needs pytest.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "streamlit_app.py"
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
MODEL_DIRS_ENV = "ATTENTION_LAB_MODEL_DIRS"  # the variable core.runs reads for its model folders
PAGE_TIMEOUT_MS = 180_000  # a busy machine loads the model and runs the first translation slowly

# True while nothing runs: no status widget, no spinner, no stale element, and the page has a title
IDLE_JS = """() => !document.querySelector(
    "[data-testid='stStatusWidget'], [data-testid='stSpinner'], [data-stale='true']")
  && !!document.querySelector("[data-testid='stMain'] h1")"""
# the accessible labels of the heatmap cells ("source_pos: 0; ...; source (English): the; ...")
HEATMAP_CELLS = "[data-testid='stVegaLiteChart'] [aria-label*='source_pos: ']"
HEATMAP_LABELS_JS = f'() => [...document.querySelectorAll("{HEATMAP_CELLS}")].map(e => e.getAttribute("aria-label"))'
SOURCE_TITLE, TARGET_TITLE = "source (English)", "output (Spanish)"  # the heatmap's English axis titles


class ServerError(RuntimeError):
    """Streamlit exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int, log: IO, env: dict[str, str] | None = None, app: Path = APP) -> subprocess.Popen:
    """``streamlit run streamlit_app.py`` (or ``app``) headless on ``127.0.0.1:port``, output to ``log``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(app),
            "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_until_up(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 90.0) -> None:
    """Poll the health endpoint of ``url`` until it answers 200; ServerError if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"streamlit exited with code {proc.returncode}:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise ServerError(f"streamlit did not answer on {url}/_stcore/health within {timeout:.0f} s:\n{log_tail(log_path)}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server, killing it if it has not exited after 15 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def streamlit_server(
    log_path: Path, env: dict[str, str] | None = None, timeout: float = 90.0, app: Path = APP
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app (or the script ``app``) for the duration of the block; yields its base URL and its process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = start_streamlit(port, log, env, app)
        try:
            wait_until_up(url, proc, log_path, timeout)
            yield url, proc
        finally:
            stop(proc)


def log_tail(path: Path, chars: int = 3000) -> str:
    """The last ``chars`` characters of a log file."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def shows_sentence(axis: list[str], sentence: str) -> bool:
    """Whether a heatmap's source axis is ``sentence``.

    A word-level model's axis holds the sentence's lower-cased word tokens (an unknown one marked
    ``[UNK]``); a subword model's holds its words or its pieces (``▁`` marking a word's start),
    which spell the sentence without its spaces.
    """
    from core.text import normalize, tokenize
    from core.text.pieces import WORD_START

    shown = [s.removesuffix(" [UNK]") for s in axis]
    if [s.lower() for s in shown] == tokenize(normalize(sentence)):
        return True
    return "".join(shown).replace(WORD_START, "") == "".join(normalize(sentence).split())


def heatmap_tokens(
    labels: list[str], source_title: str = SOURCE_TITLE, target_title: str = TARGET_TITLE
) -> tuple[list[str], list[str]]:
    """Source and target tokens of a heatmap, in axis order, from its cells' accessible labels.

    A label reads ``source_pos: 1; target_pos: 0; weight: 0.18; output (Spanish): los;
    source (English): children; attention: 0.187``; cells of other charts are ignored.
    """
    source: dict[int, str] = {}
    target: dict[int, str] = {}
    for label in labels:
        fields = dict(part.split(": ", 1) for part in label.split("; ") if ": " in part)
        if source_title not in fields or target_title not in fields:
            continue
        source[int(fields["source_pos"])] = fields[source_title]
        target[int(fields["target_pos"])] = fields[target_title]
    return [source[i] for i in sorted(source)], [target[i] for i in sorted(target)]
