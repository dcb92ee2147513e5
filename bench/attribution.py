"""Attribution and intervention speed on the shipped models: integrated gradients and ablated re-translation.

    python bench/attribution.py [--models assets/additive assets/transformer-relu] [--repeats 5]

Targets (2 CPU cores): integrated gradients (32 steps) of a 10-token translation ≤ 1.5 s on a
GRU model and ≤ 3 s on a Transformer; one ablated re-translation ≤ 100 ms once warm. Prints
the median of ``--repeats`` warm runs, the first (tracing) call and the CPU seconds per call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SENTENCE = "The cat sat on the mat with my old dog ."  # 11 tokens in, about 10 out


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


def main(argv=None) -> None:
    from core.attribution import Attributor
    from core.decoding import load_translator

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["assets/additive", "assets/transformer-relu"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=32)
    args = parser.parse_args(argv)
    for folder in args.models:
        translator = load_translator(Path(folder))
        tr = translator.translate(SENTENCE)
        attributor = Attributor(translator)
        first, wall, cpu = _timed(lambda: attributor.attribute_translation(tr, steps=args.steps), args.repeats)  # noqa: B023
        print(f"{folder}: IG ({args.steps} steps) of {len(tr.source_tokens)} -> {len(tr.target_tokens)} tokens: "
              f"first {first:.2f} s, warm median {wall:.3f} s wall, {cpu:.3f} s CPU")  # fmt: skip
        if translator.config.arch == "transformer":
            from core.interventions.ablation import HeadAblation

            ablation = HeadAblation(translator)
            mask = ablation.keep_all()
            mask[2, -1, 0] = 0.0  # last cross-attention layer, head 1
            first, wall, cpu = _timed(lambda: ablation.translate(SENTENCE, mask, "zero"), args.repeats)  # noqa: B023
            print(f"{folder}: one ablated re-translation: first {first:.2f} s, "
                  f"warm median {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")  # fmt: skip


if __name__ == "__main__":
    main()
