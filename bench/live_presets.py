"""How long each live-training preset takes here, and how much its attention sharpens.

    python bench/live_presets.py [--presets 2min] [--mechanisms additive general local-p transformer]

Starts each run exactly as the Train live page does (:func:`core.train.live.launcher.start`: ``python
-m core.train`` in its own session at ``nice`` +10) in a temporary live root, one after the other,
and waits for it to end. Reports per run: wall seconds from Start to the end, the training
process's CPU seconds (user + system), the machine's mean 1-minute load average while it ran
(other work on a shared machine shows there), the last validation loss and accuracy, and the
mean attention entropy of the probe sentences at epoch 0 (untrained) and at the last epoch
beside that of even rows (``core.data.probes.attention_entropy``, in nats), and for every probe at the
last epoch the source word each output word looks at most. Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import runs  # noqa: E402
from core.data.probes import attention_entropy  # noqa: E402
from core.train.live import launcher, progress  # noqa: E402
from core.train.live.presets import MECHANISMS, PRESETS  # noqa: E402


def entropies(folder: Path, epoch: int) -> dict[str, dict[str, float]]:
    """Per probe sentence: mean row entropy and that of even rows at ``epoch``."""
    return {p["source"]: attention_entropy(p["attention"]) for p in runs.read_probes(folder, epoch)}


def peaks(folder: Path, epoch: int) -> dict[str, list[list]]:
    """Per probe sentence at ``epoch``: each output word, the source word it looks at most, and that weight."""
    out = {}
    for p in runs.read_probes(folder, epoch):
        out[p["source"]] = [
            [word, p["source_tokens"][max(range(len(row)), key=row.__getitem__)], round(max(row), 2)]
            for word, row in zip(p["target_tokens"], p["attention"], strict=True)
        ]
    return out


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(root: Path, preset: str, mechanism: str, timeout_s: float) -> dict:
    cpu0, t0, loads = _cpu(), time.perf_counter(), []
    state = launcher.start(root, preset, mechanism)
    while progress.look(root).active and time.perf_counter() - t0 < timeout_s:
        loads.append(os.getloadavg()[0])
        time.sleep(1.0)
    wall = time.perf_counter() - t0
    time.sleep(0.5)  # the reaper collects the process: its CPU time is counted then
    view = progress.look(root)
    folder = root / state.run
    rows = runs.read_history(folder) if (folder / runs.HISTORY).is_file() else []
    epochs = runs.probe_epochs(folder)
    first = entropies(folder, epochs[0]) if epochs else {}
    last = entropies(folder, epochs[-1]) if epochs else {}

    def mean(values):
        values = [v for v in values if v == v]
        return round(sum(values) / len(values), 3) if values else None

    return {
        "preset": preset,
        "mechanism": mechanism,
        "status": view.status,
        "epochs": len(rows),
        "wall_s": round(wall, 1),
        "cpu_s": round(_cpu() - cpu0, 1),
        "load": round(sum(loads) / len(loads), 2) if loads else None,
        "val_loss": round(rows[-1]["val_loss"], 3) if rows else None,
        "val_accuracy": round(rows[-1]["val_accuracy"], 3) if rows else None,
        "first_epoch": epochs[0] if epochs else None,
        "last_epoch": epochs[-1] if epochs else None,
        "entropy_first": mean(e["entropy"] for e in first.values()),
        "entropy_last": mean(e["entropy"] for e in last.values()),
        "entropy_even": mean(e["uniform"] for e in last.values()),
        "per_probe": {s: [round(first[s]["entropy"], 3), round(last[s]["entropy"], 3)] for s in last if s in first},
        "peaks": peaks(folder, epochs[-1]) if epochs else {},
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--presets", nargs="+", default=["2min"], choices=list(PRESETS))
    p.add_argument("--mechanisms", nargs="+", default=list(MECHANISMS), choices=list(MECHANISMS))
    p.add_argument("--root", type=Path, default=None, help="live root to use (default: a temporary folder)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds a run may take before it is left")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="live-presets-") as tmp:
        root = args.root or Path(tmp) / "live"
        for preset in args.presets:
            for mechanism in args.mechanisms:
                r = measure(root, preset, mechanism, args.timeout)
                results.append(r)
                print(
                    f"{preset:6} {mechanism:12} {r['status']:9} epochs {r['epochs']:2}  wall {r['wall_s']:7.1f} s  "
                    f"cpu {r['cpu_s']:7.1f} s  load {r['load']}  val_loss {r['val_loss']}  "
                    f"entropy {r['entropy_first']} -> {r['entropy_last']} (even rows {r['entropy_even']})",
                    flush=True,
                )
                for sentence, words in r["peaks"].items():
                    shown = ", ".join(f"{w} -> {src} {weight}" for w, src, weight in words[:8])
                    print(f"    {sentence:36} {shown}", flush=True)
    print(json.dumps(results, ensure_ascii=False))
    return 0 if all(r["status"] == "finished" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
