"""A class at once: many sessions translate different sentences on one server at the same moment.

    python bench/load.py [--users 30] [--clicks 500] [--models DIR] [--model NAME] [--replicas N]
                         [--browsers N]
                         [--out docs/data/load.json --note "quiet machine"]

Starts ``streamlit run streamlit_app.py`` headless (with ``--replicas N``: ``python -m
deploy.serve``, N replicas behind HAProxy, the class connecting to HAProxy) and measures the
server alone, with
lightweight clients that speak Streamlit's websocket protocol (``bench/st_client.py``:
``BackMsg`` reruns carrying the widgets' values, ``ForwardMsg`` deltas back), no browser:

1. warm start: the first session starts the background warm-up; once the server is idle,
   one new session per model presses Translate (greedy) once: click -> heatmap, each
   model's first click;
2. a class: ``--users`` sessions spread over every model, half greedy and half beam 4,
   all press Translate together, round after round until ``--clicks`` clicks, every click
   a sentence of its own (so the shared result cache never answers for them).

Each model's own p95 is reported too, and each must meet the target as the class's does.
Every click must bring back a heatmap whose English axis is that user's sentence and no
error. Reports p50/p95/max from click to the heatmap's delta per decoding, the server's CPU
seconds per click (/proc/<pid>/stat), its peak RSS and its RSS after each round; the
machine's load average goes with every wall-clock figure. ``--browsers N`` (at most 5) adds
an end-to-end check with real Chromium pages. Prints a table and, last, one JSON line, which
also goes to ``--out`` (``bench/out/load.json``; ``docs/build.py`` reads ``docs/data/load.json``)
with the date and ``--note``, the conditions of the measurement; exits 1 when a target is
missed (targets below), 2 when the server cannot be run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sentences import sentences  # noqa: E402
from bench.server_stats import MemorySampler, cpu_seconds, demand_seconds, load_average, percentile, rss_bytes  # noqa: E402
from bench.st_client import Click, TranslateUser  # noqa: E402
from core.runs import find_runs  # noqa: E402
from tests.browser.harness import MODEL_DIRS_ENV, ROOT, ServerError, shows_sentence, streamlit_server  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGETS = {
    "p95_greedy_s": 2.0,
    "p95_beam_s": 3.0,
    "first_click_s": 1.5,
    "peak_rss_mb": 1200.0,  # 1.2 GB with every model loaded
    "rss_drift": 0.05,  # RSS flat within ±5% once the first 100 clicks are done
}
MB = 1_000_000


def own_sentence(click: Click, sentence: str) -> str | None:
    """None when the heatmap shows ``sentence`` (words or pieces, see ``shows_sentence``); otherwise what was wrong."""
    if click.errors:
        return None
    if click.heatmap_s is None:
        return "no heatmap"
    if not shows_sentence(click.source, sentence):
        return f"heatmap of {click.source}"
    return None


@dataclass
class Server:
    """Where the class connects (``url``), the process whose CPU counts (``pid``, its children
    included) and the app processes each holding every model (``processes``: one, or the replicas)."""

    url: str
    pid: int
    processes: list[int]


@contextmanager
def app_server(replicas: int, env: dict[str, str], timeout_s: float) -> Iterator[Server]:
    """``streamlit run`` alone (``replicas`` 0), or ``python -m deploy.serve``: replicas behind HAProxy."""
    if not replicas:
        with streamlit_server(OUT / "load-server.log", env) as (url, proc):
            yield Server(url, proc.pid, [proc.pid])
        return
    from tests.deploy.served import served

    with served(replicas, OUT / "load-replicas", env=env, timeout_s=timeout_s) as run:
        yield Server(run.url, run.proc.pid, [pid for _, pid in run.replicas.values()])


async def wait_idle(pid: int, timeout_s: float, quiet_s: float = 0.05, seconds: int = 3) -> float:
    """Seconds until the server ran or waited to run under ``quiet_s`` a second, ``seconds`` in a row.

    Several quiet seconds in a row: a warm-up reading weights from a busy disk is briefly
    not runnable, and one quiet second then says nothing.
    """
    t0 = time.perf_counter()
    quiet = 0
    while time.perf_counter() - t0 < timeout_s and quiet < seconds:
        before = demand_seconds(pid)
        await asyncio.sleep(1.0)
        quiet = quiet + 1 if demand_seconds(pid) - before < quiet_s else 0
    return time.perf_counter() - t0


async def warm_start(server: Server, models: list[str], pool: list[str], timeout_s: float) -> dict:
    """Sessions held open on every process start its warm-up; then each model's first click."""
    firsts = [TranslateUser(server.url, {"model": models[0]}) for _ in server.processes]
    opened = (await asyncio.gather(*(f.open() for f in firsts)))[0]
    warm_s = await wait_idle(server.pid, timeout_s)
    await asyncio.gather(*(f.close() for f in firsts))
    url = server.url
    clicks = {}
    for name, sentence in zip(models, pool, strict=False):
        user = TranslateUser(url, {"model": name})
        await user.open()
        click = await user.click(sentence, "greedy")
        await user.close()
        clicks[name] = {
            "heatmap_s": None if click.heatmap_s is None else round(click.heatmap_s, 3),
            "error": "; ".join(click.errors) or own_sentence(click, sentence),
        }
        print(f"  first click on {name:<28} {clicks[name]['heatmap_s']} s  {clicks[name]['error'] or 'ok'}")
    return {"first_page_s": round(opened.finished_s or 0, 2), "warm_up_s": round(warm_s, 1), "first_clicks": clicks}


def class_plan(models: list[str], users: int) -> list[tuple[str, str]]:
    """(model, decoding) per user: model by model, then again with the other decoding.

    So every model meets both decodings once there are two users per model, whatever the
    count of models (alternating per user would give an even count of models one decoding each).
    """
    return [(models[i % len(models)], "beam" if (i // len(models)) % 2 else "greedy") for i in range(users)]


async def class_rounds(server: Server, models: list[str], users: int, clicks: int, pool: list[str]) -> dict:
    url, pid = server.url, server.pid
    plan = class_plan(models, users)
    sessions = [TranslateUser(url, {"model": m}) for m, _ in plan]
    await asyncio.gather(*(s.open() for s in sessions))
    rounds = -(-clicks // users)
    times: dict[str, list[float]] = defaultdict(list)
    per_model: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors, wrong, rss_mb, load = [], [], [], []
    cpu0, client0 = cpu_seconds(pid), time.process_time()
    for r in range(rounds):
        batch = pool[r * users : (r + 1) * users]
        load.append(load_average())
        results = await asyncio.gather(
            *(s.click(text, d) for s, text, (_, d) in zip(sessions, batch, plan, strict=True)),
            return_exceptions=True,
        )
        this_round: dict[str, list[float]] = defaultdict(list)
        for text, (model, decoding), res in zip(batch, plan, results, strict=True):
            if isinstance(res, BaseException):
                errors.append(f"{model} {decoding}: {type(res).__name__}: {res}"[:300])
                continue
            if res.errors:
                errors.append(f"{model} {decoding} {text!r}: {'; '.join(res.errors)}"[:300])
            elif problem := own_sentence(res, text):
                wrong.append(f"{model} {decoding} {text!r}: {problem}"[:300])
            else:
                times[decoding].append(res.heatmap_s)
                per_model[model, decoding].append(res.heatmap_s)
                this_round[decoding].append(res.heatmap_s)
        rss_mb.append(round(max(rss_bytes(p) for p in server.processes) / MB, 1))
        print(
            f"  round {r + 1:2d}: greedy p95 {percentile(this_round['greedy'], 95) or 0:.2f} s,"
            f" beam p95 {percentile(this_round['beam'], 95) or 0:.2f} s, RSS {rss_mb[-1]:.0f} MB,"
            f" load {load[-1]}",
            flush=True,
        )
    cpu, client_cpu = cpu_seconds(pid) - cpu0, time.process_time() - client0
    await asyncio.gather(*(s.close() for s in sessions))
    done = rounds * users
    settled = rss_mb[-(-100 // users) :]  # after the first 100 clicks
    if len(settled) < 2:  # a short run: every round after the first
        settled = rss_mb[1:] or rss_mb
    summary = {
        "users": users,
        "clicks": done,
        "errors": len(errors),
        "wrong_content": len(wrong),
        "server_cpu_s_per_click": round(cpu / done, 3),
        "client_cpu_s_per_click": round(client_cpu / done, 3),  # this benchmark's own clients, same machine
        "rss_mb_per_round": rss_mb,
        "rss_drift": round((max(settled) - min(settled)) / min(settled), 3),
        "load_avg": [min(load), max(load)],
        "error_samples": errors[:5],
        "wrong_samples": wrong[:5],
    }
    for d in ("greedy", "beam"):
        v = sorted(times[d])
        summary[d] = {
            "n": len(v),
            "p50_s": percentile(v, 50),
            "p95_s": percentile(v, 95),
            "max_s": v[-1] if v else None,
        }
        summary[d] = {k: round(x, 3) if isinstance(x, float) else x for k, x in summary[d].items()}
    summary["per_model"] = {
        model: {d: round(percentile(v, 95), 3) for (m, d), v in sorted(per_model.items()) if m == model}
        for model in models
    }
    return summary


def within(load: dict, decoding: str, target_s: float) -> bool:
    """The class's p95 and every model's own p95 for ``decoding`` at most ``target_s``."""
    p95s = [load[decoding]["p95_s"]] + [p[decoding] for p in load["per_model"].values() if decoding in p]
    return all(p is not None and p <= target_s for p in p95s)


def verdicts(warm: dict, load: dict, peak_mb: float) -> dict[str, bool]:
    firsts = [c["heatmap_s"] for c in warm["first_clicks"].values()]
    return {
        "no_errors": load["errors"] == 0 and all(not c["error"] for c in warm["first_clicks"].values()),
        "own_sentence": load["wrong_content"] == 0,
        "p95_greedy": within(load, "greedy", TARGETS["p95_greedy_s"]),
        "p95_beam": within(load, "beam", TARGETS["p95_beam_s"]),
        "first_click": all(f is not None and f <= TARGETS["first_click_s"] for f in firsts),
        "peak_rss": peak_mb <= TARGETS["peak_rss_mb"],
        "rss_flat": load["rss_drift"] <= TARGETS["rss_drift"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30, help="simultaneous sessions (default 30)")
    parser.add_argument("--clicks", type=int, default=500, help="clicks in all, in rounds of --users (default 500)")
    parser.add_argument("--models", type=Path, action="append", help="folder whose sub-folders are models")
    parser.add_argument("--model", action="append", help="only this model (repeatable; default every usable one)")
    parser.add_argument("--replicas", type=int, default=0,
                        help="serve with python -m deploy.serve: N replicas behind HAProxy (default 0: one streamlit run)")  # fmt: skip
    parser.add_argument("--browsers", type=int, default=0, help="also N real Chromium pages, at most 5 (default 0)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the warm-up (default 600)")
    parser.add_argument("--out", type=Path, default=OUT / "load.json", help="the JSON file to write")
    parser.add_argument("--note", default="", help="the conditions of the measurement, kept in the JSON file")
    args = parser.parse_args(argv)
    if args.users < 1 or args.clicks < args.users or not 0 <= args.browsers <= 5 or args.replicas < 0:
        parser.error("need --users >= 1, --clicks >= --users, 0 <= --browsers <= 5 and --replicas >= 0")
    env = {"ATTENTION_LAB_WARM_UP": "1"}
    if args.models:
        env[MODEL_DIRS_ENV] = os.pathsep.join(str(p.resolve()) for p in args.models)
        os.environ[MODEL_DIRS_ENV] = env[MODEL_DIRS_ENV]
    models = [r.name for r in find_runs() if r.error is None and (not args.model or r.name in args.model)]
    if not models:
        print("no usable model found", file=sys.stderr)
        return 2
    pool = sentences(len(models) + args.clicks + args.users + args.browsers + 1)
    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / ("load-replicas" if args.replicas else "load-server.log")
    browsers = None
    try:
        with app_server(args.replicas, env, args.timeout) as server:
            url = server.url
            sampler = MemorySampler(server.processes)
            sampler.start()
            try:
                print(f"warm start ({len(models)} models, load average {load_average()}):")
                warm = asyncio.run(warm_start(server, models, pool, args.timeout))
                print(f"{args.users} users at once, {args.clicks} clicks, models and greedy/beam 4 mixed:")
                load = asyncio.run(class_rounds(server, models, args.users, args.clicks, pool[len(models) :]))
                if args.browsers:
                    from bench.load_browsers import run_users

                    print(f"{args.browsers} Chromium pages:")
                    _, cpu_s, results = asyncio.run(run_users(url, args.browsers, 300.0, server.pid))
                    drawn = sorted(r.seconds for r in results if r.seconds is not None and not r.error)
                    browsers = {
                        "pages": args.browsers,
                        "errors": sum(bool(r.error) for r in results),
                        "wrong_content": sum(bool(r.wrong_content) and not r.error for r in results),
                        "drawn_p50_s": percentile(drawn, 50),
                        "drawn_max_s": drawn[-1] if drawn else None,
                        "server_cpu_s_per_user": round(cpu_s / args.browsers, 3),
                    }
                    print(f"  {browsers}")
            finally:
                peak_mb = sampler.stop() / MB
    except (ServerError, RuntimeError, OSError) as e:
        print(f"benchmark failed: {e}\n(server log: {log_path})", file=sys.stderr)
        return 2
    checks = verdicts(warm, load, peak_mb)
    if browsers is not None:
        checks["browsers"] = browsers["errors"] == 0 and browsers["wrong_content"] == 0
    g, b = load["greedy"], load["beam"]
    print(
        f"\n{'':24}{'p50':>8}{'p95':>8}{'max':>8}   target p95   (click -> heatmap delta, load avg {load['load_avg']})"
    )
    print(f"{'greedy':24}{g['p50_s']:>8}{g['p95_s']:>8}{g['max_s']:>8}   {TARGETS['p95_greedy_s']} s")
    print(f"{'beam 4':24}{b['p50_s']:>8}{b['p95_s']:>8}{b['max_s']:>8}   {TARGETS['p95_beam_s']} s")
    print(f"errors {load['errors']}, wrong content {load['wrong_content']}, server CPU per click "
          f"{load['server_cpu_s_per_click']} s (clients {load['client_cpu_s_per_click']} s), peak RSS {peak_mb:.0f} MB, RSS drift {load['rss_drift']:.1%}")  # fmt: skip
    for model, p95 in load["per_model"].items():
        print(f"  {model:22}" + ", ".join(f"{d} p95 {v} s" for d, v in p95.items()))
    for line in load["error_samples"] + load["wrong_samples"]:
        print("  " + line)
    summary = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "note": args.note,
        "pass": all(checks.values()),
        "checks": checks,
        "targets": TARGETS,
        **{k: v for k, v in load.items() if not k.endswith("_samples")},
        "peak_rss_mb": round(peak_mb, 1),
        "warm_start": warm,
        "browsers": browsers,
        "replicas": args.replicas,
        "cpu_cores": os.cpu_count(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
