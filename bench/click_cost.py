"""What one Translate click costs the server, in CPU seconds, per model and decoding.

    python bench/click_cost.py [--clicks 30] [--models assets] [--url http://... --pid N] [--out FILE] [--note TEXT]

Starts ``streamlit run streamlit_app.py`` (or uses a running one given ``--url`` and its
``--pid``), and for every model, greedy and beam 4, one websocket client (Streamlit's own
protocol, see ``bench/st_client.py``) presses Translate ``--clicks`` times, each time on a new
sentence (so the shared result cache never answers), once the server's background warm-up
has finished (it goes idle) and ``--warm-clicks`` unmeasured clicks (a fresh process's first
clicks cost more: the first row measured without them was 80–90 CPU-ms on either GRU model,
50–60 once warm, whichever model came first; so every row is measured ``--passes`` times
and the last pass is reported). A click's cost is the server's CPU
seconds (/proc/<pid>/stat, all threads) from one click to the next. Prints the median and
mean per model and decoding, and the clicks per second one core sustains at that median cost
(1000 / median CPU-ms); writes them with the machine's load and core count to ``--out``
(``bench/out/click_cost.json``; ``bench/capacity.py`` plans a class from such a file, with
``--note`` saying under what conditions it was measured) and prints them as one JSON line last;
exits 1 when a median misses its target (greedy GRU ≤ 60 CPU-ms, Transformer ≤ 80, beam 4 ≤ 120).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import wait_idle  # noqa: E402
from bench.sentences import sentences  # noqa: E402
from bench.server_stats import cpu_seconds, load_average  # noqa: E402
from bench.st_client import TranslateUser  # noqa: E402
from core.models.config import ModelConfig  # noqa: E402
from core.runs import CONFIG, find_runs  # noqa: E402
from tests.browser.harness import MODEL_DIRS_ENV, ROOT, streamlit_server  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_MS = {"greedy": 60.0, "greedy-transformer": 80.0, "beam": 120.0}


def target_ms(arch: str, decoding: str) -> float:
    if decoding == "beam":
        return TARGET_MS["beam"]
    return TARGET_MS["greedy-transformer"] if arch == "transformer" else TARGET_MS["greedy"]


async def measure_row(url: str, pid: int, info, decoding: str, pool: list[str]) -> dict:
    """One row: a new session on ``info``'s model presses Translate once per sentence of ``pool``."""
    user = TranslateUser(url, {"model": info.name})
    await user.open()
    await user.click("I am cold.", decoding)  # this session's first rerun of the form
    costs, walls, errors = [], [], 0
    for sentence in pool:
        await asyncio.sleep(0.05)  # let the previous run's last messages go
        before = cpu_seconds(pid)
        click = await user.click(sentence, decoding)
        await asyncio.sleep(0.05)
        costs.append(cpu_seconds(pid) - before)
        walls.append(click.finished_s or float("nan"))
        errors += bool(click.errors) or click.heatmap_s is None
    await user.close()
    arch = ModelConfig.load(info.path / CONFIG).arch
    row = {
        "model": info.name,
        "arch": arch,
        "decoding": "greedy" if decoding == "greedy" else "beam 4",
        "median_cpu_ms": round(1000 * statistics.median(costs), 1),
        "mean_cpu_ms": round(1000 * statistics.fmean(costs), 1),
        "median_wall_ms": round(1000 * statistics.median(walls), 1),
        "clicks_per_core_s": round(1 / statistics.median(costs), 2) if statistics.median(costs) > 0 else None,
        "errors": errors,
        "target_ms": target_ms(arch, decoding),
    }
    row["pass"] = row["median_cpu_ms"] <= row["target_ms"] and not errors
    print(
        f"  {row['model']:<28} {row['decoding']:<7} median {row['median_cpu_ms']:6.1f} CPU-ms"
        f"  mean {row['mean_cpu_ms']:6.1f}  wall {row['median_wall_ms']:6.1f} ms"
        f"  target {row['target_ms']:.0f}  {'ok' if row['pass'] else 'MISSED'}",
        flush=True,
    )
    return row


async def measure(
    url: str, pid: int, models: list, clicks: int, decodings=("greedy", "beam"), warm_clicks: int = 0, passes: int = 1
) -> list[dict]:
    """Every model and decoding, ``passes`` times after the warm-up; the rows of the last pass."""
    per_pass = clicks * len(decodings)
    pool = sentences(per_pass * passes + warm_clicks)  # every click a sentence of its own, in every pass
    first = TranslateUser(url, {"model": models[0].name})
    await first.open()  # the first page load starts the background warm-up of every model
    warm_s = await wait_idle(pid, timeout_s=900)  # measure clicks, not the warm-up beside them
    for sentence in pool[per_pass * passes :]:  # a fresh process's first clicks cost more
        await first.click(sentence, "greedy")
    await first.close()
    print(f"  server idle after its warm-up: {warm_s:.0f} s; {warm_clicks} unmeasured clicks", flush=True)
    rows = []
    for number in range(passes):
        print(f"  pass {number + 1} of {passes}", flush=True)
        rows = []
        for info in models:
            for n, decoding in enumerate(decodings):
                start = number * per_pass + n * clicks
                rows.append(await measure_row(url, pid, info, decoding, pool[start : start + clicks]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=30, help="clicks per model and decoding (default 30)")
    parser.add_argument("--models", type=Path, action="append", help="folder whose sub-folders are models")
    parser.add_argument("--only", action="append", help="measure only this model name (repeatable)")
    parser.add_argument("--decodings", default="greedy,beam", help="comma-separated (default greedy,beam)")
    parser.add_argument(
        "--warm-clicks", type=int, default=10, help="unmeasured greedy clicks before the first row (default 10)"
    )
    parser.add_argument(
        "--passes", type=int, default=2, help="measure every row this many times, report the last (default 2)"
    )
    parser.add_argument("--url", help="a running server's URL (with --pid) instead of starting one")
    parser.add_argument("--pid", type=int, help="the running server's process id")
    parser.add_argument("--out", type=Path, default=OUT / "click_cost.json", help="the JSON file to write")
    parser.add_argument("--note", default="", help="the conditions of the measurement, kept in the JSON file")
    args = parser.parse_args(argv)
    env = {MODEL_DIRS_ENV: os.pathsep.join(str(p.resolve()) for p in args.models)} if args.models else {}
    if env:
        os.environ.update(env)
    models = [r for r in find_runs() if r.error is None and (not args.only or r.name in args.only)]
    decodings = tuple(args.decodings.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    t0 = time.monotonic()
    if args.url:
        rows = asyncio.run(measure(args.url, args.pid, models, args.clicks, decodings, args.warm_clicks, args.passes))
    else:
        with streamlit_server(OUT / "click-cost-server.log", env) as (url, proc):
            rows = asyncio.run(measure(url, proc.pid, models, args.clicks, decodings, args.warm_clicks, args.passes))
    summary = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "note": args.note,
        "cpu_count": os.cpu_count(),
        "clicks_per_row": args.clicks,
        "warm_clicks": args.warm_clicks,
        "passes": args.passes,
        "rows": rows,
        "load_avg_before": load_before,
        "load_avg_after": load_average(),
        "seconds": round(time.monotonic() - t0, 1),
        "pass": all(r["pass"] for r in rows),
    }
    args.out.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
