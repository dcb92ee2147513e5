"""A model's attention against its attributions over a fixed slice of test sentences, written into its folder.

    python -m core.attribution.summary --run assets/additive            # first 200 test sentences
    python -m core.attribution.summary --run assets/additive --limit 20 --steps 32

For each sentence of the slice the model translates greedily; then, per output token, the
Spearman rank correlation between its attention row (for the Transformer: the last layer's
mean over heads, as the Translate page shows) and the magnitude of each attribution
(integrated gradients, gradient × input; for the Transformer also the attention rollout
against integrated gradients). The means over every output token whose correlation is
defined (a source of one token, or a constant row, has none) go to ``attribution.json``,
written atomically. The last line printed is the summary as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from core import runs
from core.attribution.gradients import DEFAULT_STEPS, Attributor
from core.attribution.rank import spearman_rows
from core.attribution.rollout import effective_cross_attention

SUMMARY = "attribution.json"  # core.runs.explanations.ATTRIBUTION
SLICE = 200  # the first N sentences of the run's seeded test split
PAIRS = {
    "attention_vs_integrated": ("attention", "integrated"),
    "attention_vs_grad_input": ("attention", "grad_input"),
    "grad_input_vs_integrated": ("grad_input", "integrated"),
    "rollout_vs_integrated": ("rollout", "integrated"),
}


class SummaryError(ValueError):
    """An ``attribution.json`` that is missing fields or holds malformed ones."""


def sentence_correlations(translation, attribution) -> dict[str, np.ndarray]:
    """Per output token ρ (T,) for each comparison of :data:`PAIRS` this translation allows."""
    maps = {
        "attention": translation.attention,
        "integrated": np.abs(attribution.integrated),
        "grad_input": np.abs(attribution.grad_input),
    }
    if translation.layers is not None and "encoder_self" in translation.layers:
        maps["rollout"] = effective_cross_attention(translation.layers["cross"], translation.layers["encoder_self"])
    return {name: spearman_rows(maps[a], maps[b]) for name, (a, b) in PAIRS.items() if a in maps and b in maps}


def summarise(translator, sentences: list[str], steps: int = DEFAULT_STEPS, baseline: str = "zero",
              log=None) -> dict:  # fmt: skip
    """The summary of ``sentences`` (see the module docstring) as a dict."""
    attributor = Attributor(translator)
    t0 = time.perf_counter()
    translations = translator.translate_batch(sentences)
    rhos: dict[str, list[float]] = {}
    gaps, deltas, tokens = [], [], 0
    for n, tr in enumerate(translations, 1):
        if not tr.target_tokens or not tr.source_tokens:
            continue
        result = attributor.attribute_translation(tr, steps=steps, baseline=baseline)
        tokens += len(tr.target_tokens)
        gaps.extend(np.abs(result.gap).tolist())
        deltas.extend(np.abs(result.delta).tolist())
        for name, values in sentence_correlations(tr, result).items():
            rhos.setdefault(name, []).extend(v for v in values.tolist() if np.isfinite(v))
        if log and n % 20 == 0:
            log(f"{n}/{len(translations)} sentences, {time.perf_counter() - t0:.0f} s")
    gaps_a, deltas_a = np.asarray(gaps), np.asarray(deltas)
    relative = gaps_a / np.maximum(deltas_a, 1e-6)
    return {
        "sentences": len(sentences),
        "output_tokens": tokens,
        "steps": int(steps),
        "baseline": baseline,
        "reduction": "signed sum over embedding dimensions; correlations use its magnitude",
        "attention": "last layer, mean of heads" if translator.config.arch == "transformer" else "cross-attention",
        "spearman": {name: round(float(np.mean(v)), 4) for name, v in rhos.items() if v},
        "spearman_tokens": {name: len(v) for name, v in rhos.items()},
        "completeness": {
            "median_abs_gap": round(float(np.median(gaps_a)), 6) if len(gaps_a) else 0.0,
            "median_relative_gap": round(float(np.median(relative)), 6) if len(relative) else 0.0,
            "p95_relative_gap": round(float(np.percentile(relative, 95)), 6) if len(relative) else 0.0,
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }


def read_summary(run: Path) -> dict | None:
    """``attribution.json`` of a run folder, None when absent; :class:`SummaryError` names what is wrong.

    Read through the validating reader (:func:`core.runs.explanations.read_attribution`).
    """
    from core.runs.explanations import read_attribution

    try:
        return read_attribution(run, PAIRS)
    except runs.RunError as e:
        raise SummaryError(str(e)) from None


def main(argv: list[str] | None = None) -> int:
    from core.data import DataNotFoundError
    from core.decoding import load_translator
    from core.evaluate import test_references

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path, help="model folder (written into)")
    parser.add_argument("--data", default=None, help="corpus (default: where the run was trained from)")
    parser.add_argument("--limit", type=int, default=SLICE, help=f"first N test sentences (default {SLICE})")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="integrated-gradients intervals")
    parser.add_argument("--baseline", choices=("zero", "pad"), default="zero")
    args = parser.parse_args(argv)
    try:
        sentences = list(test_references(args.run, args.data))[: args.limit]
    except DataNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    translator = load_translator(args.run)
    summary = summarise(translator, sentences, args.steps, args.baseline, log=lambda m: print(m, flush=True))
    runs.write_json_atomic(args.run / SUMMARY, summary)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
