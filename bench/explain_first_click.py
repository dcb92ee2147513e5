"""The first click of a class on Attention vs attribution and Interventions, with and without the warm-up.

    python bench/explain_first_click.py [--models assets/additive assets/transformer-relu]

For each model, two fresh processes load it as the app does (``ui.models.get_translator``, its
greedy search traced): one goes straight to the clicks (``cold``), the other first runs the
warm-up's explanation step (``ui.warm_up._warm_explanations``, what a server does in the background
after start). A click is what the page computes for a new sentence: its translation and integrated
gradients (32 steps); then one intervention (a head switched off on a Transformer, a uniform
attention row on a recurrent model). Target: each click of a warmed process ≤ 2.5 s. Prints a line
per model and mode and a JSON line; exits 1 when a warmed click misses the target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 2.5
SENTENCE = "The old man walked his dog in the park."  # not the warm-up's own sentence


def clicks(name: str, warm: bool) -> dict[str, float]:
    """In this process: load ``name``, optionally warm its explanations, and time the two clicks."""
    import numpy as np

    import ui.warm_up
    from core.runs import find_runs
    from ui.explain import get_attributor, get_head_ablation, get_replacement
    from ui.models import get_translator

    path = str(next(r.path for r in find_runs() if r.name == name))
    translator = get_translator(path)
    if warm:
        ui.warm_up._warm_explanations(path)
    start = time.perf_counter()
    tr = translator.translate(SENTENCE)
    get_attributor(path).attribute_translation(tr)
    attribution = time.perf_counter() - start
    start = time.perf_counter()
    if tr.layers is not None:
        ablation = get_head_ablation(path)
        keep = ablation.keep_all()
        keep[2, 0, 0] = 0.0  # the first cross-attention head
        ablation.compare(SENTENCE, keep)
    else:
        n = len(tr.source_tokens)
        get_replacement(path).translate(tr.source_tokens, np.full(n, 1.0 / n, "float32"), 0)
    return {"attribution_s": round(attribution, 2), "intervention_s": round(time.perf_counter() - start, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["assets/additive", "assets/transformer-relu"])
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "MODE"), help=argparse.SUPPRESS)  # a child process
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(clicks(args.one[0], args.one[1] == "warm")))
        return 0
    results, ok = {}, True
    for name in args.models:
        for mode in ("cold", "warm"):
            out = subprocess.run([sys.executable, __file__, "--one", name, mode], cwd=ROOT, capture_output=True,
                                 text=True, check=True, timeout=900)  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results[f"{name} {mode}"] = result
            print(f"{name:<26} {mode}: attribution click {result['attribution_s']:.2f} s, "
                  f"intervention click {result['intervention_s']:.2f} s")  # fmt: skip
            if mode == "warm":
                ok &= max(result.values()) <= TARGET_S
    print(json.dumps({"target_s": TARGET_S, "results": results, "met": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
