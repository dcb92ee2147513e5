"""Score a trained model with sacreBLEU (BLEU and chrF, every reference of a sentence used).

    python -m core.evaluate --run assets/additive                 # test split -> metrics.json
    python -m core.evaluate --run assets/additive --tsv my.tsv    # any English<TAB>Spanish file
    python -m core.evaluate --run assets/additive --limit 200     # first 200 test sentences
    python -m core.evaluate --run runs/x --split validation       # the validation split (choosing settings)

Hypotheses are detokenised model output; references are the raw Spanish sentences.
The last line printed is the result as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core import runs
from core.data import DataNotFoundError, group_references, parse_tsv, read_pairs, split_pairs
from core.runs import atomic, model_files
from core.runs.lock import LockedError, run_lock

SAMPLE_COUNT = 8
CHECK_SLICE = 200  # metrics.json also records the score of the first N test sentences, for quick re-checks


def score(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> dict:
    """Corpus BLEU (lower-cased and cased) and chrF; ``references[i]`` are all references of sentence ``i``."""
    import sacrebleu

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} reference lists")
    if not hypotheses:
        raise ValueError("nothing to score: no sentences")
    width = max(len(r) for r in references)
    # sacreBLEU takes one stream per reference position; None where a sentence has fewer
    streams = [[r[k] if k < len(r) else None for r in references] for k in range(width)]
    hyps = list(hypotheses)
    bleu, bleu_cased, chrf = sacrebleu.BLEU(lowercase=True), sacrebleu.BLEU(), sacrebleu.CHRF()
    return {
        "bleu": round(bleu.corpus_score(hyps, streams).score, 2),
        "bleu_cased": round(bleu_cased.corpus_score(hyps, streams).score, 2),
        "chrf": round(chrf.corpus_score(hyps, streams).score, 2),
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
    }


SPLITS = ("test", "validation")


def test_references(run: Path, data: str | None = None, split: str = "test") -> dict[str, list[str]]:
    """The run's own test (or validation) split, same seed and fractions as training: English -> all Spanish references.

    The validation split is the one to compare settings on (a vocabulary size, a recipe), so
    the test split stays unseen until the choice is made.
    """
    if split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    training = runs.read_json(run, runs.TRAINING) or {}
    try:
        pairs = read_pairs(data or training.get("data"))  # the given path, else the corpus the run was trained on
    except DataNotFoundError:
        if data or not training.get("data"):
            raise
        pairs = read_pairs(None)  # the recorded path is not on this machine: $ATTENTION_LAB_DATA, usual places
    parts = split_pairs(
        pairs,
        training.get("val_fraction", 0.05),
        training.get("test_fraction", 0.05),
        training.get("split_seed", 1234),
    )
    return parts.test_refs if split == "test" else group_references(parts.val)


def evaluate(
    translator, refs: dict[str, list[str]], batch_size: int = 64, beam_width: int = 1, alpha: float = 0.6
) -> dict:
    """Translate every English sentence of ``refs`` (greedy, or beam search) and score against its references."""
    sources = list(refs)
    t0 = time.perf_counter()
    translations = translator.translate_batch(sources, batch_size=batch_size, beam_width=beam_width, alpha=alpha)
    seconds = time.perf_counter() - t0
    hypotheses = [t.text for t in translations]
    result = score(hypotheses, [refs[s] for s in sources])
    result["unknown"] = unknown_counts(translations)
    result.update(
        sentences=len(sources),
        references=sum(len(refs[s]) for s in sources),
        seconds=round(seconds, 2),
        sentences_per_second=round(len(sources) / max(seconds, 1e-9), 1),
        decoding="greedy" if beam_width == 1 else f"beam {beam_width}, alpha {alpha}",
        samples=[
            {"source": s, "translation": h, "references": refs[s]}
            for s, h in list(zip(sources, hypotheses, strict=True))[:SAMPLE_COUNT]
        ],
    )
    return result


def unknown_counts(translations) -> dict:
    """How often ``[UNK]`` touched the outputs: source tokens outside the vocabulary, the sentences
    holding one, and the output steps at which the model gave ``[UNK]`` more probability than the
    token it wrote (greedy search only; it is never written)."""
    tokens = sum(sum(t.unknown) for t in translations)
    sentences = sum(any(t.unknown) for t in translations)
    steps = sum(
        int((np.asarray(t.unk_probabilities) > np.asarray(t.probabilities)).sum())
        for t in translations
        if t.unk_probabilities is not None
    )
    return {"source_tokens": int(tokens), "source_sentences": int(sentences), "output_steps": steps}


def names_result(translator) -> dict:
    """Whether the model copies names it never saw in training (:mod:`core.data.names`), greedy."""
    from core.data.names import NAME_SENTENCES, names_copied

    return names_copied(translator.translate_batch([s for s, _ in NAME_SENTENCES]))


BEAM_KEYS = ("bleu", "bleu_cased", "chrf", "sentences", "seconds", "sentences_per_second", "decoding")


def write_beam_metrics(run: Path, result: dict) -> None:
    """Record a beam-search score of the test split as ``metrics.json``'s ``beam`` entry.

    The top-level scores stay those of greedy search (what the quick check re-measures).
    """
    metrics = runs.read_metrics(run) or {}
    metrics["beam"] = {k: result[k] for k in BEAM_KEYS}
    runs.write_metrics(run, metrics)


def write_metrics(run: Path, result: dict, translator, refs: dict, limit: int | None, batch_size: int) -> None:
    """Merge ``result`` into the run's metrics.json, with a quick-check score of the first test sentences."""
    metrics = runs.read_metrics(run) or {}
    metrics.pop("beam", None)  # scored with weights that a new greedy score may no longer describe
    metrics.update(result)
    metrics["limit"] = limit
    head = dict(list(refs.items())[:CHECK_SLICE])
    check = evaluate(translator, head, batch_size=batch_size)
    metrics["check"] = {k: check[k] for k in ("sentences", "bleu", "chrf")} | {"batch_size": batch_size}
    history = runs.read_history(run)
    training = runs.read_json(run, runs.TRAINING) or {}
    metrics["model"] = {"arch": translator.config.arch, "params": int(translator.model.count_params())}
    metrics["names"] = names_result(translator)
    metrics["training"] = {
        "epochs": int(history[-1]["epoch"]) if history else 0,
        "wall_time_s": _finite(history[-1]["wall_time"]) if history else 0.0,
        "best_val_loss": min((r["val_loss"] for r in history if math.isfinite(r["val_loss"])), default=None),
        "hardware": training.get("hardware") or runs.describe_hardware(),
    } | saved_epoch_entries(run)
    runs.write_metrics(run, metrics)


def saved_epoch_entries(run: Path) -> dict:
    """``metrics.json``'s record of which epoch's weights were scored, and by which rule they were kept."""
    from core.runs import provenance

    saved = provenance.saved(run)
    if saved is None:
        return {}
    return {"saved_epoch": saved["epoch"], "keep": saved["keep"], "saved_val_loss": saved.get("val_loss")}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.evaluate", description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True, type=Path, help="run folder (e.g. assets/additive)")
    p.add_argument("--data", help="corpus for the test split (default: as in training.json, then usual places)")
    p.add_argument("--tsv", type=Path, help="score on this English<TAB>Spanish file instead of the test split")
    p.add_argument("--split", choices=SPLITS, default="test", help="the run's split to score (default test)")
    p.add_argument("--limit", type=int, help="score only the first N source sentences")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--beam", type=int, default=1, help="beam width (1: greedy search)")
    p.add_argument("--alpha", type=float, default=0.6, help="length penalty of beam search")
    p.add_argument(
        "--write",
        action="store_true",
        help="write metrics.json into the run (whole test split only; with --beam: its 'beam' entry)",
    )
    args = p.parse_args(argv)
    problem = check_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    write = args.write and not args.tsv
    try:
        with run_lock(args.run, "evaluate --write") if write else contextlib.nullcontext():
            if write:
                atomic.remove_stale(args.run)  # the temporary metrics.json of a killed --write
            return _run(args, write)
    except LockedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, write: bool) -> int:
    try:
        if args.tsv:
            refs = group_references(parse_tsv(args.tsv.read_text(encoding="utf-8").splitlines()))
        else:
            refs = test_references(args.run, args.data, args.split)
        if args.limit:
            refs = dict(list(refs.items())[: args.limit])
        if not refs:
            raise ValueError(f"no sentence pairs to score in {args.tsv or f'the {args.split} split'}")
        from core.decoding import load_translator

        translator = load_translator(args.run)
    except UnicodeDecodeError as e:
        print(f"error: {args.tsv} is not UTF-8 text (byte at position {e.start})", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    result = evaluate(translator, refs, batch_size=args.batch_size, beam_width=args.beam, alpha=args.alpha)
    result["split"] = str(args.tsv) if args.tsv else args.split
    try:
        if write and args.beam == 1:
            write_metrics(args.run, result, translator, refs, args.limit, args.batch_size)
        elif write:
            write_beam_metrics(args.run, result)
    except OSError as e:  # a full disk, a missing permission: metrics.json stays as it was
        print(f"error: {e}", file=sys.stderr)
        return 1
    for s in result["samples"]:
        print(f"  {s['source']}\n  -> {s['translation']}\n     ({s['references'][0]})", file=sys.stderr)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, ensure_ascii=False))
    return 0


MAX_BEAM = 64
MAX_BATCH = 4096


def check_args(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line (naming the value), or None; checked before any work."""
    if not 1 <= args.batch_size <= MAX_BATCH:
        return f"--batch-size {args.batch_size} must be between 1 and {MAX_BATCH}"
    if not 1 <= args.beam <= MAX_BEAM:
        return f"--beam {args.beam} must be between 1 (greedy search) and {MAX_BEAM}"
    if args.limit is not None and args.limit < 1:
        return f"--limit {args.limit} must be at least 1"
    if not (math.isfinite(args.alpha) and 0 <= args.alpha <= 10):
        return f"--alpha {args.alpha} must be a number between 0 and 10"
    if args.write and args.tsv:
        return "--write scores the test split only; drop --tsv or --write"
    if args.write and args.split != "test":
        return f"--write scores the test split only; drop --split {args.split} or --write"
    if args.write and args.beam > 1 and args.limit:
        return f"--write with --beam {args.beam} needs the whole test split; drop --limit {args.limit}"
    if not args.run.is_dir():
        return f"--run {args.run} is not a folder"
    return (
        model_files.check(args.run) if (args.run / runs.CONFIG).exists() else f"--run {args.run} has no {runs.CONFIG}"
    )


if __name__ == "__main__":
    sys.exit(main())
