"""Attribution and intervention speed on the shipped models: integrated gradients and ablated re-translation.

    python bench/attribution.py [--models assets/additive assets/transformer-relu] [--repeats 5]
                                [--out docs/data/attribution_speed.json --note "quiet machine"]

Targets (2 CPU cores): integrated gradients (32 steps) of a 10-token translation ≤ 1.5 s on a
GRU model and ≤ 3 s on a Transformer; one ablated re-translation ≤ 100 ms once warm. Prints
the median of ``--repeats`` warm runs, the first (tracing) call and the CPU seconds per call;
with ``--out`` writes them, with the machine's core count, load average and ``--note`` (the
conditions of the measurement), as JSON (``docs/build.py`` reads ``docs/data/attribution_speed.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SENTENCE = "The cat sat on the mat with my old dog ."  # 11 tokens in, about 10 out
TARGETS_S = {"integrated_gru": 1.5, "integrated_transformer": 3.0, "ablation": 0.1}


def _timed(fn, repeats: int) -> tuple[float, float, float]:
    """First-call seconds, then the median wall and CPU seconds of ``repeats`` more calls."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return first, statistics.median(walls), statistics.median(cpus)


def measure(folder: str, repeats: int, steps: int) -> list[dict]:
    """The rows of one model folder: integrated gradients, and for a Transformer one ablated re-translation."""
    from core.attribution import Attributor
    from core.decoding import load_translator

    translator = load_translator(Path(folder))
    tr = translator.translate(SENTENCE)
    attributor = Attributor(translator)
    transformer = translator.config.arch == "transformer"
    first, wall, cpu = _timed(lambda: attributor.attribute_translation(tr, steps=steps), repeats)
    rows = [{
        "model": folder, "arch": translator.config.arch, "what": f"integrated gradients, {steps} steps",
        "source_tokens": len(tr.source_tokens), "output_tokens": len(tr.target_tokens),
        "first_s": round(first, 2), "median_wall_s": round(wall, 3), "median_cpu_s": round(cpu, 3),
        "target_s": TARGETS_S["integrated_transformer" if transformer else "integrated_gru"],
    }]  # fmt: skip
    print(f"{folder}: IG ({steps} steps) of {len(tr.source_tokens)} -> {len(tr.target_tokens)} tokens: "
          f"first {first:.2f} s, warm median {wall:.3f} s wall, {cpu:.3f} s CPU")  # fmt: skip
    if transformer:
        from core.interventions.ablation import HeadAblation

        ablation = HeadAblation(translator)
        mask = ablation.keep_all()
        mask[2, -1, 0] = 0.0  # last cross-attention layer, head 1
        first, wall, cpu = _timed(lambda: ablation.translate(SENTENCE, mask, "zero"), repeats)
        rows.append({
            "model": folder, "arch": translator.config.arch, "what": "one head-ablated re-translation",
            "source_tokens": len(tr.source_tokens), "output_tokens": len(tr.target_tokens),
            "first_s": round(first, 2), "median_wall_s": round(wall, 4), "median_cpu_s": round(cpu, 4),
            "target_s": TARGETS_S["ablation"],
        })  # fmt: skip
        print(f"{folder}: one ablated re-translation: first {first:.2f} s, "
              f"warm median {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")  # fmt: skip
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["assets/additive", "assets/transformer-relu"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--out", type=Path, help="write the results to this JSON file")
    parser.add_argument("--note", default="", help="the conditions of the measurement, kept in the JSON file")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = [row for folder in args.models for row in measure(folder, args.repeats, args.steps)]
    result = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "note": args.note,
        "cpu_count": os.cpu_count(),
        "load_avg_before": round(load_before, 2),
        "load_avg_after": round(os.getloadavg()[0], 2),
        "sentence": SENTENCE,
        "repeats": args.repeats,
        "rows": rows,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
