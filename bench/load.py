"""A class at once: many browsers translate different sentences on the same server at the same moment.

    python bench/load.py [--users 30] [--models assets] [--target-p95 2.0]

Starts ``streamlit run streamlit_app.py`` headless on a free port, warms the model up with one
translation, then opens ``--users`` pages in headless Chromium (one browser context, hence one
browser session, each). Every user types a different English sentence on the Translate page;
all press Translate together. Per user it records whether an error showed, the seconds from
the click to the drawn heatmap, and whether the heatmap's English axis is exactly that user's
sentence (and the Spanish heading matches the heatmap's output tokens). To tell the server's
share from the browsers', it also records when the heatmap's spec reached each browser over
the websocket ("sent") and the server's CPU seconds per user; meanwhile it samples the
server's resident memory. Prints a summary and, last, one JSON line; exits 0 when the target
is met (no errors, every user sees their own sentence, p95 of click to drawn heatmap within
``--target-p95``). All browsers run on this machine, so their drawing shares its CPU cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text import tokenize  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    HEATMAP_CELLS,
    HEATMAP_LABELS_JS,
    IDLE_JS,
    MODEL_DIRS_ENV,
    ROOT,
    ServerError,
    heatmap_tokens,
    streamlit_server,
)

OUT = ROOT / "bench" / "out"
SENTENCES = [
    "The children are sleeping in the garden.",
    "My mother bought a new car last week.",
    "It is raining again in London.",
    "Can you help me with my homework?",
    "I have never seen such a beautiful sunset.",
    "They were playing football when it started to snow.",
    "Please close the window before you leave.",
    "Why did you come so late yesterday?",
    "I want to learn Spanish this year.",
    "The doctor told him to stop smoking.",
    "Tom forgot his umbrella at the station.",
    "We ate fish and rice for dinner.",
    "She sings in a choir every Sunday.",
    "The museum opens at nine o'clock.",
    "My brother plays the guitar very well.",
    "Where did you put the keys?",
    "The cat is hiding under the bed.",
    "He drinks coffee without sugar.",
    "The train to Madrid was cancelled.",
    "I lost my wallet on the bus.",
    "The teacher wrote the answer on the blackboard.",
    "Our neighbours have three dogs.",
    "The soup is too hot to eat.",
    "She painted the kitchen yellow.",
    "Mary is reading a letter from her grandmother.",
    "The bridge was built two hundred years ago.",
    "Do you know how to swim?",
    "The bakery sells fresh bread every morning.",
    "My sister lives near the airport.",
    "The mountain is covered with snow.",
    "He shaved his beard for the wedding.",
    "The library closes early on Fridays.",
    "I found a spider in the bathroom.",
    "The farmer feeds his horses at dawn.",
    "We need more chairs for the party.",
    "The prisoner escaped through the tunnel.",
    "Can I borrow your pencil?",
    "The baby is crying again.",
    "My grandfather repaired the old clock.",
    "The students are waiting for the bus.",
]
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


class MemorySampler(threading.Thread):
    """Samples the resident memory of a process and its children every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss(self.pid))
            self._halt.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; the peak seen, or the kernel's high-water mark if that is higher."""
        self._halt.set()
        self.join()
        return max(self.peak_bytes, tree_rss(self.pid, field="VmHWM"))


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process may have exited meanwhile
                todo.extend(int(c) for c in task.read_text().split())
    return out


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by ``pid`` and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _descendants(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def tree_rss(pid: int, field: str = "VmRSS") -> int:
    """Sum of ``field`` (VmRSS now, or VmHWM the peak) over ``pid`` and its descendants, in bytes."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None and field == "VmRSS":
        try:
            proc = psutil.Process(pid)
            return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
        except psutil.Error:
            return 0
    total = 0
    for p in _descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024  # kB
        except OSError:
            pass
    return total


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
        want = tokenize(sentence)
        if [s.removesuffix(" [UNK]") for s in source] != want:
            result.wrong_content = f"heatmap source axis {source}"
        elif not all(w in result.heading.lower() for w in target if w.isalpha()):
            result.wrong_content = f"heading {result.heading!r} does not match the heatmap's output {target}"
        if errors:
            result.error = "; ".join(errors)[:300]
    except Exception as e:  # a timeout or a crashed page counts as that user's error
        result.error = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linear between closest ranks; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


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

            sentences = [SENTENCES[i % len(SENTENCES)] for i in range(users)]
            if users > len(SENTENCES):
                sentences = [
                    f"{s[:-1]} number {i}{s[-1]}" if i >= len(SENTENCES) else s for i, s in enumerate(sentences)
                ]
            per_user_errors: list[list[str]] = [[] for _ in range(users)]
            deliveries = [Delivery() for _ in range(users)]
            t_open = time.perf_counter()
            pages = await asyncio.gather(
                *(open_translate(browser, url, timeout_s, per_user_errors[i], deliveries[i]) for i in range(users))
            )
            print(f"{users} sessions open and idle after {time.perf_counter() - t_open:.1f} s", flush=True)
            results = [UserResult(i, s) for i, s in enumerate(sentences)]
            cpu_before = tree_cpu_seconds(server_pid)
            await asyncio.gather(*(type_sentence(pg, s) for pg, s in zip(pages, sentences, strict=True)))
            # every sentence typed: now all press Translate at the same moment
            await asyncio.gather(
                *(
                    submit(pg, s, timeout_s, r, e, d)
                    for pg, s, r, e, d in zip(pages, sentences, results, per_user_errors, deliveries, strict=True)
                )
            )
            return warm.seconds or 0.0, tree_cpu_seconds(server_pid) - cpu_before, results
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30, help="simultaneous browser sessions (default 30)")
    parser.add_argument("--models", type=Path, action="append",
                        help="folder whose sub-folders are models (repeatable; default: assets/ and runs/)")  # fmt: skip
    parser.add_argument("--target-p95", type=float, default=2.0, help="seconds (default 2.0)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one user may wait (default 300)")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error(f"--users must be at least 1, got {args.users}")
    if CHROMIUM is None:
        print("no system Chromium: install it with `apt-get install chromium`", file=sys.stderr)
        return 2
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        print("playwright is not installed: pip install -r requirements.txt", file=sys.stderr)
        return 2

    env = {MODEL_DIRS_ENV: os.pathsep.join(str(p.resolve()) for p in args.models)} if args.models else {}
    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / "load-server.log"
    load_before = os.getloadavg()
    try:
        with streamlit_server(log_path, env) as (url, proc):
            sampler = MemorySampler(proc.pid)
            sampler.start()
            try:
                warmup_s, cpu_s, results = asyncio.run(run_users(url, args.users, args.timeout, proc.pid))
            finally:
                peak = sampler.stop()
    except (ServerError, RuntimeError) as e:
        print(f"benchmark failed: {e}\n(server log: {log_path})", file=sys.stderr)
        return 2
    load_after = os.getloadavg()

    times = sorted(r.seconds for r in results if r.seconds is not None and r.error is None)
    errors = [r for r in results if r.error]
    wrong = [r for r in results if r.wrong_content and not r.error]
    p50, p95 = percentile(times, 50), percentile(times, 95)
    delivered = sorted(r.delivered_s for r in results if r.delivered_s is not None and r.error is None)
    d50, d95 = percentile(delivered, 50), percentile(delivered, 95)
    passed = not errors and not wrong and p95 is not None and p95 <= args.target_p95
    print(
        f"\n{args.users} users, each a different sentence, all pressing Translate at once on {os.cpu_count()} CPU cores"
    )
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (other work on the machine counts)")
    print("  user     sent    drawn  status  sentence  ->  translation shown")
    for r in results:
        status = "ERROR" if r.error else ("WRONG" if r.wrong_content else "ok")
        seconds = float("nan") if r.seconds is None else r.seconds
        sent = float("nan") if r.delivered_s is None else r.delivered_s
        print(f"  user {r.user:2d}  {sent:6.2f} s  {seconds:6.2f} s  {status:<5}  {r.sentence}  ->  {r.heading}")
    for r in errors:
        print(f"  user {r.user}: {r.error}")
    for r in wrong:
        print(f"  user {r.user} saw {r.wrong_content}")
    if times:
        print(f"click to heatmap: p50 {p50:.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s (warm-up {warmup_s:.2f} s)")
    if delivered:
        print(
            f"click to heatmap spec received over the websocket: p50 {d50:.2f} s, p95 {d95:.2f} s, max {delivered[-1]:.2f} s"
        )
    print(f"server CPU time for the {args.users} translations: {cpu_s:.1f} s ({cpu_s / args.users:.2f} s per user)")
    print(f"server peak resident memory: {peak / 2**20:.0f} MB")
    print(
        f"target: 0 errors, every user their own sentence, p95 <= {args.target_p95} s -> {'PASS' if passed else 'FAIL'}"
    )
    summary = {
        "users": args.users,
        "errors": len(errors),
        "wrong_content": len(wrong),
        "p50_s": None if p50 is None else round(p50, 3),
        "p95_s": None if p95 is None else round(p95, 3),
        "max_s": round(times[-1], 3) if times else None,
        "sent_p50_s": None if d50 is None else round(d50, 3),
        "sent_p95_s": None if d95 is None else round(d95, 3),
        "warmup_s": round(warmup_s, 3),
        "server_cpu_s_per_user": round(cpu_s / args.users, 3),
        "server_peak_rss_mb": round(peak / 2**20, 1),
        "cpu_cores": os.cpu_count(),
        "load_avg_before": round(load_before[0], 2),
        "target_p95_s": args.target_p95,
        "pass": passed,
    }
    (OUT / "load.json").write_text(json.dumps({**summary, "per_user": [asdict(r) for r in results]}, indent=1))
    print(json.dumps(summary))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
