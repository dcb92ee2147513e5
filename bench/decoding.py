"""Greedy decoding speed: ``tf.function`` versus an eager step-by-step loop, and batch throughput.

    python bench/decoding.py [--run assets/additive] [--repeats 3]

Prints, measured in this one run, the speed-up of the compiled search over the eager
loop (same model, same sentences, same outputs) and batched sentences per second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.data.probes import PROBE_SENTENCES  # noqa: E402
from core.decoding import load_translator  # noqa: E402

SENTENCES = [
    *PROBE_SENTENCES,
    "Tom is reading a book in the garden.",
    "My mother bought a new car last week.",
    "It is raining again.",
    "Can you help me with my homework?",
    "I have never seen such a beautiful sunset.",
    "They were playing football when it started to snow.",
    "Please close the window.",
    "The children are sleeping.",
    "Why did you come so late?",
    "I want to learn Spanish this year.",
]


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--run", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "additive")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batch-sentences", type=int, default=512)
    args = p.parse_args()

    translator = load_translator(args.run)
    inputs = [translator.encode_batch([translator.prepare(s)[0]]) for s in SENTENCES]

    def compiled():
        for src in inputs:
            translator.greedy(src)

    def eager():
        for src in inputs:
            translator.greedy_eager(src)

    compiled()  # trace once; tracing is not what we measure
    for src in inputs:  # both searches give the same tokens
        a = translator.greedy(src)["ids"]
        b = translator.greedy_eager(src)["ids"]
        n = min(a.shape[1], b.shape[1])
        assert np.array_equal(a[:, :n], b[:, :n]), "compiled and eager decoding disagree"
    t_compiled = _best(compiled, args.repeats)
    t_eager = _best(eager, args.repeats)

    batch = (SENTENCES * (args.batch_sentences // len(SENTENCES) + 1))[: args.batch_sentences]
    translator.translate_batch(batch[:64])  # warm up
    t_batch = _best(lambda: translator.translate_batch(batch, batch_size=64), args.repeats)
    t_single = _best(lambda: [translator.translate(s) for s in SENTENCES], args.repeats)

    result = {
        "model": str(args.run),
        "sentences": len(SENTENCES),
        "greedy_tf_function_ms_per_sentence": round(1000 * t_compiled / len(SENTENCES), 2),
        "greedy_eager_ms_per_sentence": round(1000 * t_eager / len(SENTENCES), 2),
        "speedup_tf_function_vs_eager": round(t_eager / t_compiled, 2),
        "single_sentences_per_second": round(len(SENTENCES) / t_single, 1),
        "batch_sentences_per_second": round(len(batch) / t_batch, 1),
        "batch_size": 64,
    }
    print(
        f"greedy decoding: tf.function {result['greedy_tf_function_ms_per_sentence']} ms/sentence, "
        f"eager loop {result['greedy_eager_ms_per_sentence']} ms/sentence -> "
        f"{result['speedup_tf_function_vs_eager']}x faster (target >= 5x)"
    )
    print(
        f"throughput: {result['single_sentences_per_second']} sentences/s one at a time, "
        f"{result['batch_sentences_per_second']} sentences/s in batches of 64"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
