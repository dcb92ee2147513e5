"""The report card's speed column: training pairs/s per architecture and translation sentences/s per model.

    python bench/models.py [--steps 20] [--sentences 512] [--models assets/additive ...]

Everything is measured in this one run on this machine: first the training throughput of
each architecture on the same batches (as in bench/training.py), then, for every shipped
model (or the run folders given), greedy batch translation of the same sentences — the
first ``--sentences`` English sentences of the test split, or fixed sentences when the
data set is absent — after one warm-up batch. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from training import VARIANTS, measure  # noqa: E402

from core import runs  # noqa: E402
from core.data import DataNotFoundError, read_pairs, split_pairs  # noqa: E402
from core.decoding import load_translator  # noqa: E402

FALLBACK = ["I am cold.", "Where is the train station?", "Tom likes dogs.", "We are not happy.", "Open the door."]


def sentences(n: int) -> tuple[list[str], str]:
    try:
        test = split_pairs(read_pairs()).test
        english = list(dict.fromkeys(e for e, _ in test))[:n]
        return english, "test split"
    except DataNotFoundError:
        return (FALLBACK * (n // len(FALLBACK) + 1))[:n], "fixed sentences"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=20, help="timed training steps per architecture")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--sentences", type=int, default=512)
    p.add_argument("--models", nargs="*", type=Path, help="run folders (default: every model in assets/)")
    args = p.parse_args()

    folders = args.models or [r.path for r in runs.find_runs([ROOT / "assets"]) if r.error is None]
    archs = ["additive", "general", "local-p", "transformer", "transformer-glu"]
    training = measure([a for a in archs if a in VARIANTS], args.steps, args.batch_size)

    english, source = sentences(args.sentences)
    translation = {}
    for folder in folders:
        translator = load_translator(folder)
        translator.translate_batch(english[:64])  # warm-up: traces the decoding function
        t0 = time.perf_counter()
        translator.translate_batch(english)
        seconds = time.perf_counter() - t0
        translation[folder.name] = {"sentences_per_second": round(len(english) / seconds, 1)}
        print(f"{folder.name:20s} {translation[folder.name]['sentences_per_second']:8.1f} sentences/s (greedy, batch)")
    print(json.dumps({"training": training, "translation": {"sentences": source, **translation}}))


if __name__ == "__main__":
    main()
