"""A class translating while a live run trains: ``bench/load.py`` without and then with a live run going.

    python bench/load_live.py [--users 30] [--clicks 300] [--preset 2min] [--mechanism additive] [--no-baseline]

Runs ``bench/load.py`` (its own server, warm-up, ``--users`` sessions clicking Translate, greedy
and beam 4 mixed) once as a baseline, then again while a live run trains, started exactly as the
Train live page starts one (:func:`core.train.live.launcher.start`: ``python -m core.train`` at
``nice`` +10) in a temporary live root, and started again whenever it ends, so a run is going
for the whole second measurement. Prints greedy and beam p50/p95 of both, the machine's load
average in each, the live run's epochs finished meanwhile, and, last, one JSON line. Both
measurements share this machine with whatever else runs on it: read them beside their load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402
from core import runs  # noqa: E402
from core.train.live import launcher, progress  # noqa: E402
from core.train.live.presets import MECHANISMS, PRESETS  # noqa: E402


class KeepTraining(threading.Thread):
    """Starts live runs one after another in ``root`` until stopped; counts the epochs they finish."""

    def __init__(self, root: Path, preset: str, mechanism: str):
        super().__init__(daemon=True)
        self.root, self.preset, self.mechanism = root, preset, mechanism
        self.halt = threading.Event()
        self.started: list[str] = []
        self.finished_epochs = 0  # of the runs that ended (the oldest are removed to make room)

    def run(self) -> None:
        while not self.halt.is_set():
            if not progress.look(self.root).active:
                if self.started:
                    self.finished_epochs += self._epochs(self.started[-1])
                state = launcher.start(
                    self.root, self.preset, self.mechanism, now=lambda: time.time() + len(self.started)
                )
                self.started.append(state.run)
            self.halt.wait(1.0)

    def _epochs(self, name: str) -> int:
        with contextlib.suppress(runs.RunError, OSError):
            return len(runs.read_history(self.root / name))
        return 0

    def epochs(self) -> int:
        """Epochs finished so far, the current run's included."""
        return self.finished_epochs + (self._epochs(self.started[-1]) if self.started else 0)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)
        launcher.stop(self.root)
        deadline = time.monotonic() + 120
        while progress.look(self.root).active and time.monotonic() < deadline:
            time.sleep(0.5)


def measure(users: int, clicks: int) -> dict:
    code = load.main(["--users", str(users), "--clicks", str(clicks)])
    summary = json.loads((load.OUT / "load.json").read_text())
    return {
        "exit": code,
        "greedy": summary["greedy"],
        "beam": summary["beam"],
        "load_avg": summary["load_avg"],
        "errors": summary["errors"],
        "server_cpu_s_per_click": summary["server_cpu_s_per_click"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=30)
    p.add_argument("--clicks", type=int, default=300)
    p.add_argument("--preset", default="2min", choices=list(PRESETS))
    p.add_argument("--mechanism", default="additive", choices=list(MECHANISMS))
    p.add_argument("--no-baseline", action="store_true", help="only the measurement with a live run going")
    args = p.parse_args(argv)
    out = {"users": args.users, "clicks": args.clicks, "preset": args.preset, "mechanism": args.mechanism,
           "cpus": os.cpu_count()}  # fmt: skip
    if not args.no_baseline:
        print("== without a live run ==", flush=True)
        out["baseline"] = measure(args.users, args.clicks)
    with tempfile.TemporaryDirectory(prefix="load-live-") as tmp:
        trainer = KeepTraining(Path(tmp) / "live", args.preset, args.mechanism)
        trainer.start()
        try:
            print(f"== with a live run going ({args.preset}, {args.mechanism}, nice +10) ==", flush=True)
            out["with_live"] = measure(args.users, args.clicks)
            out["with_live"]["live_epochs_done"] = trainer.epochs()
            out["with_live"]["live_runs_started"] = len(trainer.started)
        finally:
            trainer.stop()
    print()
    for name in ("baseline", "with_live"):
        if name in out:
            r = out[name]
            print(f"{name:10} greedy p50 {r['greedy']['p50_s']} p95 {r['greedy']['p95_s']}  beam p50 "
                  f"{r['beam']['p50_s']} p95 {r['beam']['p95_s']}  load {r['load_avg']}  errors {r['errors']}")  # fmt: skip
    print(json.dumps(out))
    greedy = out["with_live"]["greedy"]["p95_s"]
    return 0 if greedy is not None and greedy <= load.TARGETS["p95_greedy_s"] else 1


if __name__ == "__main__":
    sys.exit(main())
