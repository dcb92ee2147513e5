"""Head importance of a Transformer: what is lost when each head alone is switched off.

    python -m core.interventions.importance --run assets/transformer-relu     # first 200 test sentences

For every head of every kind (encoder self-, decoder self-, cross-attention) the slice is
translated greedily with that head's output zeroed. Two numbers per head (Michel et al., 2019):
the drop in corpus BLEU against the unablated model, and the mean over the original output
tokens of ``Δ log p = log p_ablated(y_i | y_<i, x) - log p(y_i | y_<i, x)`` (teacher-forced on
the original greedy output). ``head_importance.json`` is written atomically into the folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from core import runs
from core.interventions.head_mask import KINDS

IMPORTANCE = "head_importance.json"  # core.runs.explanations.HEAD_IMPORTANCE
SLICE = 200


class ImportanceError(ValueError):
    """A ``head_importance.json`` that is missing fields or holds malformed ones."""


def head_importance(translator, sentences: list[str], references: list[list[str]], log=None) -> dict:
    """BLEU drop and mean Δ log p of each head switched off alone (see the module docstring)."""
    from core.evaluate import score
    from core.interventions.ablation import HeadAblation

    t0 = time.perf_counter()
    ablation = HeadAblation(translator)
    base = translator.translate_batch(sentences)
    base_bleu = score([t.text for t in base], references)["bleu"]
    before = np.concatenate([np.log(np.maximum(t.probabilities, 1e-30)) for t in base if t.target_tokens])
    heads = []
    kinds, layers, num_heads = ablation.shape
    for k in range(kinds):
        for layer in range(layers):
            for h in range(num_heads):
                keep = ablation.keep_all()
                keep[k, layer, h] = 0.0
                ablated = ablation.translate_batch(sentences, keep, "zero")
                bleu = score([t.text for t in ablated], references)["bleu"]
                after = np.concatenate([a for a in ablation.forced_log_probs(base, keep, "zero") if len(a)])
                heads.append({"kind": KINDS[k], "layer": layer + 1, "head": h + 1, "bleu": bleu,
                              "bleu_drop": round(base_bleu - bleu, 2),
                              "mean_delta_log_p": round(float(np.mean(after - before)), 4)})  # fmt: skip
                if log:
                    log(f"{KINDS[k]} layer {layer + 1} head {h + 1}: BLEU {bleu} ({time.perf_counter() - t0:.0f} s)")
    top = max(heads, key=lambda r: (r["bleu_drop"], -r["mean_delta_log_p"]))
    return {
        "sentences": len(sentences),
        "mode": "zero",
        "bleu": base_bleu,
        "heads": heads,
        "most_important": {k: top[k] for k in ("kind", "layer", "head", "bleu_drop", "mean_delta_log_p")},
        "seconds": round(time.perf_counter() - t0, 1),
    }


def read_importance(run: Path) -> dict | None:
    """``head_importance.json`` of a run folder, None when absent; :class:`ImportanceError` names what is wrong.

    Read through the validating reader (:func:`core.runs.explanations.read_head_importance`).
    """
    from core.runs.explanations import read_head_importance

    try:
        return read_head_importance(run, KINDS)
    except runs.RunError as e:
        raise ImportanceError(str(e)) from None


def importance_grid(data: dict, kind: str, layers: int, heads: int, field: str = "bleu_drop") -> np.ndarray:
    """(layers, heads) array of ``field`` for ``kind`` (NaN where the file has no entry)."""
    grid = np.full((layers, heads), np.nan)
    for r in data["heads"]:
        if r["kind"] == kind and 1 <= r["layer"] <= layers and 1 <= r["head"] <= heads:
            grid[r["layer"] - 1, r["head"] - 1] = r[field]
    return grid


def main(argv: list[str] | None = None) -> int:
    from core.data import DataNotFoundError
    from core.decoding import load_translator
    from core.evaluate import test_references

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path, help="Transformer model folder (written into)")
    parser.add_argument("--data", default=None)
    parser.add_argument("--limit", type=int, default=SLICE, help=f"first N test sentences (default {SLICE})")
    args = parser.parse_args(argv)
    try:
        refs = dict(list(test_references(args.run, args.data).items())[: args.limit])
    except DataNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    translator = load_translator(args.run)
    if translator.config.arch != "transformer":
        print(
            f"{args.run} holds a {translator.config.arch!r} model; head importance needs a Transformer", file=sys.stderr
        )
        return 2
    result = head_importance(translator, list(refs), list(refs.values()), log=lambda m: print(m, flush=True))
    runs.write_json_atomic(args.run / IMPORTANCE, result)
    print(json.dumps(result["most_important"] | {"bleu": result["bleu"]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
