"""Training throughput (sentence pairs per second) of every architecture on the same batches.

    python bench/training.py [--steps 20] [--batch-size 64] [--archs additive transformer ...]

Uses the first pairs of the corpus (found as training finds it) or, without it, a synthetic
corpus of the same shape. Each architecture gets the same batches, a warm-up of 3 steps
(tracing), then ```--steps`` timed steps; it prints pairs/s per architecture and the ratio to
the additive model, all measured in this one run.
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

import keras  # noqa: E402
import numpy as np  # noqa: E402

from core.data import DataNotFoundError, filter_length, make_dataset, read_pairs  # noqa: E402
from core.models import build_model  # noqa: E402
from core.models.config import ARCHITECTURES, ModelConfig  # noqa: E402
from core.text import tokenize  # noqa: E402
from core.text.vocab import Vocabulary  # noqa: E402
from core.train.losses import masked_accuracy, masked_loss  # noqa: E402

VARIANTS = {arch: {"arch": arch} for arch in ARCHITECTURES} | {
    "transformer-glu": {"arch": "transformer", "ffn": "glu"},
    "transformer-swiglu": {"arch": "transformer", "ffn": "swiglu"},
    "general+feeding": {"arch": "general", "input_feeding": True},
}


def corpus(n: int) -> tuple[list[list[str]], list[list[str]], str]:
    try:
        pairs = filter_length(read_pairs()[: n * 2], 20)[:n]
        return [tokenize(e) for e, _ in pairs], [tokenize(s) for _, s in pairs], "spa-eng (first pairs)"
    except DataNotFoundError:
        rng = np.random.default_rng(0)
        words = [f"w{i}" for i in range(3000)]
        make = lambda: [str(w) for w in rng.choice(words, rng.integers(3, 15))]  # noqa: E731
        return [make() for _ in range(n)], [make() for _ in range(n)], "synthetic"


def measure(archs: list[str], steps: int = 20, batch_size: int = 64) -> dict:
    """Pairs/s of each variant in ``archs`` on the same fixed-shape batches."""
    n = 2 * batch_size * (steps + 3)  # bucketing leaves partial batches, which are dropped
    src_tok, tgt_tok, source = corpus(n)
    src_vocab, tgt_vocab = Vocabulary.adapt(src_tok, 8000), Vocabulary.adapt(tgt_tok, 12000)
    src = [src_vocab.encode(t) for t in src_tok]
    tgt = [tgt_vocab.encode(t, add_start_end=True) for t in tgt_tok]
    # one fixed shape for every batch, so each model traces its training step once, in the warm-up
    batches = []
    for (s, t_in), t_out in make_dataset(src, tgt, batch_size=batch_size, shuffle=False):
        if s.shape[0] == batch_size:
            pad = lambda x, w: np.pad(x.numpy(), ((0, 0), (0, w - x.shape[1])))  # noqa: E731
            batches.append(((pad(s, 21), pad(t_in, 22)), pad(t_out, 22)))
    batches = batches[: steps + 3]
    pairs_timed = batch_size * len(batches[3:])

    results = {}
    for name in archs:
        keras.utils.set_random_seed(0)
        config = ModelConfig(src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab), **VARIANTS[name])
        model = build_model(config)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=masked_loss, metrics=[masked_accuracy])
        for x, y in batches[:3]:
            model.train_on_batch(x, y)
        t0 = time.perf_counter()
        for x, y in batches[3:]:
            model.train_on_batch(x, y)
        seconds = time.perf_counter() - t0
        results[name] = {"pairs_per_second": round(pairs_timed / seconds, 1), "params": model.count_params()}
        print(f"{name:20s} {results[name]['pairs_per_second']:8.1f} pairs/s  ({model.count_params():,} parameters)")
    base = results.get("additive", {}).get("pairs_per_second")
    if base:
        for r in results.values():
            r["ratio_to_additive"] = round(r["pairs_per_second"] / base, 2)
    return {"corpus": source, "batch_size": batch_size, "timed_steps": len(batches) - 3, **results}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--archs", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = p.parse_args()
    print(json.dumps(measure(args.archs, args.steps, args.batch_size)))


if __name__ == "__main__":
    main()
