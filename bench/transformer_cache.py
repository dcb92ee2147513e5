"""Transformer greedy decoding with the key/value cache versus recomputing the whole prefix.

    python bench/transformer_cache.py [--max-len 40] [--batch 16]

Both searches run inside ``tf.function`` on the same randomly initialised model (default
sizes) and decode exactly ``--max-len`` steps; prints each one's time and the speed-up,
measured in this one run, after checking they produce the same tokens.
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
import tensorflow as tf  # noqa: E402

from core.models import build_model  # noqa: E402
from core.models.config import ModelConfig  # noqa: E402
from core.text.vocab import START_ID  # noqa: E402


def make_search(decoder, max_len: int):
    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def search(src):
        memory, state = decoder.init_decoding(src)
        token = tf.fill([tf.shape(src)[0]], START_ID)
        ids = tf.TensorArray(tf.int32, size=max_len)
        for t in tf.range(max_len):  # always max_len steps: the same work for both
            logits, state, _ = decoder.decode_step(token, t, memory, state)
            token = tf.argmax(logits, axis=-1, output_type=tf.int32)
            ids = ids.write(t, token)
        return tf.transpose(ids.stack())

    return search


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--max-len", type=int, default=40)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--src-len", type=int, default=12)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()

    keras.utils.set_random_seed(0)
    config = ModelConfig(arch="transformer", max_decode_len=args.max_len)
    model = build_model(config)
    src = tf.constant(np.random.default_rng(0).integers(4, config.src_vocab_size, (args.batch, args.src_len)), tf.int32)
    timings = {}
    outputs = {}
    for name, decoder in (("cached", model), ("uncached", model.uncached())):
        search = make_search(decoder, args.max_len)
        outputs[name] = search(src).numpy()  # trace
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            search(src).numpy()
            best = min(best, time.perf_counter() - t0)
        timings[name] = best
    assert np.array_equal(outputs["cached"], outputs["uncached"]), "cached and uncached decoding disagree"
    speedup = timings["uncached"] / timings["cached"]
    print(f"{args.max_len} steps, batch {args.batch}: cache {1000 * timings['cached']:.1f} ms, "
          f"no cache {1000 * timings['uncached']:.1f} ms -> {speedup:.2f}x faster with the cache")  # fmt: skip
    print(json.dumps({"steps": args.max_len, "batch": args.batch, "cached_ms": round(1000 * timings["cached"], 1),
                      "uncached_ms": round(1000 * timings["uncached"], 1), "speedup": round(speedup, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
