"""The README's screenshots of the main views, regenerated in one command.

    python bench/screenshots.py [--out docs/images] [--width 1280 --height 800] [--timeout 600]

Starts ``streamlit run streamlit_app.py`` headless on a free 127.0.0.1 port with the shipped
models only (``assets/``, no background warm-up), opens each view through a link that
translates on arrival in headless Chromium (Playwright, the system ``/usr/bin/chromium`` as the
browser tests use it), waits until the page has finished running and its charts are drawn,
scrolls the view's first chart into the window, saves a ``--width`` × ``--height`` PNG per view
to ``--out`` and stops the server. Exits 1, naming the view, when a page shows an exception or
draws no chart in time. Needs Chromium (``apt-get install chromium``) and ``playwright``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE_JS,
    MODEL_DIRS_ENV,
    ROOT,
    streamlit_server,
)

OUT = ROOT / "docs" / "images"
WIDTH = 1280  # the window of every shot
HEIGHT = 800
SENTENCE = "My father bought a new car last year."
COMPARED = "assets/additive,assets/luong-local-p,assets/transformer-glu"
VIEWS = {  # file name -> link that fills the view
    "translate": f"?text={quote(SENTENCE)}&model=assets/transformer-glu",
    "step-through": f"step_through?text={quote(SENTENCE)}&model=assets/additive",
    "compare": f"compare?text={quote(SENTENCE)}&models={quote(COMPARED)}",
    "layers-heads": f"layers_heads?text={quote(SENTENCE)}&model=assets/transformer-glu",
}
CHART = "[data-testid='stVegaLiteChart'] svg"
EXCEPTION = "[data-testid='stException']"
PRESSES = {"step-through": ("Next", 4)}  # buttons pressed before the shot: label, times
# the first chart in the window: whole and at the bottom when it fits (what leads to it stays in view), else at the top
SCROLL_JS = """e => { const fits = e.getBoundingClientRect().height < window.innerHeight - 40;
  e.scrollIntoView({block: fits ? 'end' : 'start'}); }"""


class ViewError(RuntimeError):
    """A view that showed an exception or no chart."""


def wait_idle(page, timeout_s: float, settle_s: float = 1.0) -> None:
    """Until the page's script has finished: idle (``IDLE_JS``) for ``settle_s`` in a row, within ``timeout_s``."""
    deadline, idle_since = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        if page.evaluate(IDLE_JS):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        page.wait_for_timeout(200)
    raise ViewError(f"{page.url} was still running after {timeout_s:.0f} s")


def shoot(page, url: str, path: Path, timeout_s: float, presses: tuple[str, int] | None = None) -> None:
    """Open ``url``, press ``presses`` (a button's label, how often), wait for its charts, put the first one in
    the window and save the window to ``path``."""
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page, timeout_s)
    label, times = presses or ("", 0)
    for _ in range(times):
        page.get_by_role("button", name=label, exact=True).click()
        wait_idle(page, timeout_s)
    if page.locator(EXCEPTION).count():
        raise ViewError(f"{url} shows an exception: {page.locator(EXCEPTION).first.inner_text()[:500]}")
    chart = page.locator(CHART).first
    chart.wait_for(timeout=timeout_s * 1000)
    wait_idle(page, timeout_s)  # a chart's first selection state can start one more run
    chart.evaluate(SCROLL_JS)
    page.wait_for_timeout(800)  # Vega finishes drawing
    page.screenshot(path=str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNGs (default docs/images)")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--height", type=int, default=HEIGHT)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per view (a busy machine loads slowly)")
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        print("error: no Chromium found: apt-get install chromium (or set $CHROMIUM)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    env = {MODEL_DIRS_ENV: str(ROOT / "assets"), "ATTENTION_LAB_WARM_UP": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with streamlit_server(log, env, timeout=180) as (url, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for name, link in VIEWS.items():
                    context = browser.new_context(viewport={"width": args.width, "height": args.height})
                    page = context.new_page()
                    start = time.monotonic()
                    try:
                        shoot(page, f"{url}/{link}", args.out / f"{name}.png", args.timeout, PRESSES.get(name))
                    except ViewError as e:
                        print(f"error: {name}: {e}", file=sys.stderr)
                        return 1
                    finally:
                        context.close()
                    path = (args.out / f"{name}.png").relative_to(ROOT) if args.out.is_relative_to(ROOT) else name
                    print(f"{path}: {args.width}×{args.height}, {time.monotonic() - start:.0f} s", flush=True)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
