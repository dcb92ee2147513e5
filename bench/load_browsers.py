"""The end-to-end check of ``bench/load.py --browsers N``: real Chromium pages on the Translate page.

Each page is a browser session typing a different sentence; all press Translate together. Per
user: any error shown, seconds from the click to the drawn heatmap and to the heatmap's spec
arriving over the websocket, and whether the heatmap's English axis is that user's sentence.
The browsers run on the same cores as the server, so keep N small (at most 5): the server's
own capacity is what ``bench/load.py``'s websocket clients measure.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench.sentences import sentences as all_sentences
from bench.server_stats import cpu_seconds
from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEATMAP_CELLS,
    HEATMAP_LABELS_JS,
    IDLE_JS,
    heatmap_tokens,
    shows_sentence,
)

WARMUP = "I am cold."
FAILURE = "[data-testid='stException'], [data-testid='stAlertContentError']"


@dataclass
class UserResult:
    user: int
    sentence: str
    seconds: float | None = None  # click -> first heatmap cell drawn
    delivered_s: float | None = None  # click -> the heatmap's spec reached the browser over the websocket
    error: str | None = None
    wrong_content: str | None = None  # what the user saw instead of their own sentence
    heading: str = ""


async def wait_idle(page, timeout_s: float, settle_s: float = 0.5) -> None:
    """Wait until the page's script has finished running (idle for ``settle_s`` in a row)."""
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        if await page.evaluate(IDLE_JS):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        await asyncio.sleep(0.15)
    raise TimeoutError(f"the page was still running after {timeout_s:.0f} s")


class Delivery:
    """When the first websocket frame carrying a heatmap spec arrives after :meth:`arm`."""

    def __init__(self) -> None:
        self.armed_at: float | None = None
        self.arrived_at: float | None = None

    def arm(self) -> None:
        self.armed_at, self.arrived_at = time.perf_counter(), None

    def frame(self, payload: bytes | str) -> None:
        if self.armed_at is None or self.arrived_at is not None:
            return
        if (b"source_pos" if isinstance(payload, bytes) else "source_pos") in payload:
            self.arrived_at = time.perf_counter()

    @property
    def seconds(self) -> float | None:
        return None if self.arrived_at is None or self.armed_at is None else self.arrived_at - self.armed_at


async def open_translate(browser, url: str, timeout_s: float, errors: list[str], delivery: Delivery):
    """A fresh browser session on the Translate page, loaded and idle; heatmap frames reported to ``delivery``."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    page = await context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", delivery.frame))
    page.set_default_timeout(timeout_s * 1000)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: errors.append(f"console error: {m.text}") if m.type == "error" else None)
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_role("textbox", name="English sentence").wait_for()
    await wait_idle(page, timeout_s)
    return page


async def type_sentence(page, sentence: str) -> None:
    await page.get_by_role("textbox", name="English sentence").fill(sentence)


async def submit(
    page, sentence: str, timeout_s: float, result: UserResult, errors: list[str], delivery: Delivery
) -> None:
    """Press Translate and wait for the heatmap of ``sentence``; fill ``result``."""
    try:
        button = page.get_by_role("button", name="Translate", exact=True)
        delivery.arm()
        t0 = delivery.armed_at
        await button.click()
        await page.wait_for_selector(f"{HEATMAP_CELLS}, {FAILURE}", state="attached")
        seconds = time.perf_counter() - t0
        result.delivered_s = delivery.seconds
        failure = page.locator(FAILURE)
        if await failure.count():
            result.error = (await failure.first.inner_text())[:300]
            return
        result.seconds = seconds
        await wait_idle(page, timeout_s)
        source, target = heatmap_tokens(await page.evaluate(HEATMAP_LABELS_JS))
        heading = page.locator("[data-testid='stMain'] h3").first
        result.heading = (await heading.inner_text()).strip() if await heading.count() else ""
        if not shows_sentence(source, sentence):
            result.wrong_content = f"heatmap source axis {source}"
        elif not all(w.lower() in result.heading.lower() for w in target if w.isalpha()):
            result.wrong_content = f"heading {result.heading!r} does not match the heatmap's output {target}"
        if errors:
            result.error = "; ".join(errors)[:300]
    except Exception as e:  # a timeout or a crashed page counts as that user's error
        result.error = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"


async def run_users(url: str, users: int, timeout_s: float, server_pid: int) -> tuple[float, float, list[UserResult]]:
    """Warm up with one translation, then ``users`` simultaneous ones.

    Returns the warm-up seconds, the server's CPU seconds spent on the simultaneous
    translations, and the per-user results.
    """
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            delivery = Delivery()
            page = await open_translate(browser, url, timeout_s, errors, delivery)
            warm = UserResult(-1, WARMUP)
            await type_sentence(page, WARMUP)
            await submit(page, WARMUP, timeout_s, warm, errors, delivery)
            if warm.error or warm.wrong_content:
                raise RuntimeError(f"warm-up translation failed: {warm.error or warm.wrong_content}")
            await page.context.close()
            print(f"warm-up: {warm.seconds:.2f} s (model load and first translation)", flush=True)

            sentences = all_sentences(users + 1)[1:]
            per_user_errors: list[list[str]] = [[] for _ in range(users)]
            deliveries = [Delivery() for _ in range(users)]
            t_open = time.perf_counter()
            pages = await asyncio.gather(
                *(open_translate(browser, url, timeout_s, per_user_errors[i], deliveries[i]) for i in range(users))
            )
            print(f"{users} sessions open and idle after {time.perf_counter() - t_open:.1f} s", flush=True)
            results = [UserResult(i, s) for i, s in enumerate(sentences)]
            cpu_before = cpu_seconds(server_pid)
            await asyncio.gather(*(type_sentence(pg, s) for pg, s in zip(pages, sentences, strict=True)))
            # every sentence typed: now all press Translate at the same moment
            await asyncio.gather(
                *(
                    submit(pg, s, timeout_s, r, e, d)
                    for pg, s, r, e, d in zip(pages, sentences, results, per_user_errors, deliveries, strict=True)
                )
            )
            return warm.seconds or 0.0, cpu_seconds(server_pid) - cpu_before, results
        finally:
            await browser.close()
