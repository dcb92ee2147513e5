"""What a Translate click costs before any model runs: Streamlit's own rerun, and the heatmap.

    python bench/rerun_floor.py [--users 100] [--rounds 3] [--out bench/out/rerun_floor.json]

Serves ``bench/floor_app.py`` (the Translate form, same widget keys, no model) and lets a class
of ``--users`` sessions (``bench/st_client.py``, Streamlit's websocket protocol, no browser)
press Translate together, round after round, each click a sentence of its own. Two servers,
one after the other:

- ``echo``: the click's rerun of the form's fragment and one heading;
- ``heatmap``: the same plus the app's attention heatmap of the sentence (uniform weights).

For each it prints the server's CPU milliseconds per click (``/proc``, its threads and children),
the clients' own (they share the machine), p50/p95 from click to the end of the run, and the
time a burst of ``--users`` clicks takes at that cost on one core, the most that one process's
Python uses at a time (its interpreter lock; the floor app runs no TensorFlow op beside it). Compared
with ``bench/load.py``'s CPU per click, it splits a click into the framework's share, the
drawing's, and the rest (the model, the page's own widgets). Prints a table and, last, one JSON
line, which also goes to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sentences import sentences  # noqa: E402
from bench.server_stats import cpu_seconds, load_average, percentile  # noqa: E402
from bench.st_client import TranslateUser  # noqa: E402
from tests.browser.harness import ROOT, streamlit_server  # noqa: E402

OUT = ROOT / "bench" / "out"
APP = ROOT / "bench" / "floor_app.py"
DRAWS = ("echo", "heatmap")


async def measure(url: str, pid: int, users: int, rounds: int, pool: list[str]) -> dict:
    """One warm-up round, then ``rounds`` rounds of ``users`` simultaneous clicks."""
    sessions = [TranslateUser(url, {}) for _ in range(users)]
    await asyncio.gather(*(s.open() for s in sessions))
    await asyncio.gather(*(s.click(text) for s, text in zip(sessions, pool[:users], strict=True)))
    times, errors, heatmaps = [], 0, 0
    cpu0, client0, load = cpu_seconds(pid), time.process_time(), load_average()
    for r in range(1, rounds + 1):
        batch = pool[r * users : (r + 1) * users]
        done = await asyncio.gather(*(s.click(text) for s, text in zip(sessions, batch, strict=True)))
        errors += sum(bool(c.errors) or c.finished_s is None for c in done)
        times += [c.finished_s for c in done if c.finished_s is not None]
        heatmaps += sum(
            c.heatmap_s is not None and c.source == text.split() for c, text in zip(done, batch, strict=True)
        )
    clicks = rounds * users
    cpu, client = cpu_seconds(pid) - cpu0, time.process_time() - client0
    await asyncio.gather(*(s.close() for s in sessions))
    server_ms = 1000 * cpu / clicks
    return {
        "clicks": clicks,
        "errors": errors,
        "heatmaps": heatmaps,  # clicks whose heatmap showed their own sentence
        "server_cpu_ms_per_click": round(server_ms, 1),
        "client_cpu_ms_per_click": round(1000 * client / clicks, 1),
        "p50_s": round(percentile(times, 50), 3),
        "p95_s": round(percentile(times, 95), 3),
        "one_core_burst_s": round(users * server_ms / 1000, 2),
        "load_avg": [load, load_average()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="simultaneous sessions (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds after one warm-up round (default 3)")
    parser.add_argument("--out", type=Path, default=OUT / "rerun_floor.json", help="the JSON file to write")
    parser.add_argument("--note", default="", help="the conditions of the measurement, kept in the JSON file")
    args = parser.parse_args(argv)
    if args.users < 1 or args.rounds < 1:
        parser.error("need --users >= 1 and --rounds >= 1")
    OUT.mkdir(parents=True, exist_ok=True)
    pool = sentences((args.rounds + 1) * args.users)
    result = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "note": args.note,
        "users": args.users,
        "cpu_cores": os.cpu_count(),
    }
    print(f"{args.users} users at once, {args.rounds} rounds, {os.cpu_count()} cores")
    print(f"{'draws':8} {'server CPU-ms':>13} {'client CPU-ms':>13} {'p50 s':>6} {'p95 s':>6} {'1-core burst s':>14}")
    for draw in DRAWS:
        env = {"ATTENTION_LAB_FLOOR": draw}
        with streamlit_server(OUT / f"rerun-floor-{draw}.log", env, app=APP) as (url, proc):
            r = asyncio.run(measure(url, proc.pid, args.users, args.rounds, pool))
        result[draw] = r
        print(f"{draw:8} {r['server_cpu_ms_per_click']:13.1f} {r['client_cpu_ms_per_click']:13.1f}"
              f" {r['p50_s']:6.2f} {r['p95_s']:6.2f} {r['one_core_burst_s']:14.2f}")  # fmt: skip
    line = json.dumps(result)
    args.out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 1 if any(result[d]["errors"] for d in DRAWS) else 0


if __name__ == "__main__":
    sys.exit(main())
