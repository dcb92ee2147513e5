"""Translate one sentence from a terminal: the translation, its tokens and their probabilities.

    python -m core.translate "I have a red car." --model assets/additive
    python -m core.translate "I have a red car." --model assets/transformer-relu --beam 4 --png car.png
    python -m core.translate "I have a red car." --json        # everything as one JSON object

``--level words`` draws (and prints) the attention between words instead of subword pieces,
aggregated by :data:`core.decoding.word_level.RULE`. Every argument is checked before the model
is loaded (exit code 2 naming the value); a model folder that cannot be used is exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.runs import model_files, names
from core.text import MAX_INPUT_CHARS, normalize
from core.text.pieces import LEVELS

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "assets" / "additive"
MAX_BEAM = 16


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m core.translate", description=__doc__.split("\n")[0])
    p.add_argument("text", help=f"the English sentence (at most {MAX_INPUT_CHARS} characters)")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model folder (default assets/additive)")
    p.add_argument("--beam", type=int, default=1, help=f"beam width, 1 (greedy) to {MAX_BEAM}")
    p.add_argument("--alpha", type=float, default=0.6, help="length penalty of beam search")
    p.add_argument("--level", choices=LEVELS, default="pieces", help="attention between pieces or words")
    p.add_argument("--layer", type=int, help="Transformer: the cross-attention layer (default the last)")
    p.add_argument("--head", type=int, help="Transformer: one head (default the mean of the heads)")
    p.add_argument("--png", type=Path, help="write the heatmap to this PNG file")
    p.add_argument("--svg", type=Path, help="write the heatmap to this SVG file")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    return p.parse_args(argv)


def check_args(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line, naming the value; None when it can run."""
    text = normalize(args.text)
    if not text:
        return "the sentence is empty"
    if len(text) > MAX_INPUT_CHARS:
        return f"the sentence has {len(text)} characters; at most {MAX_INPUT_CHARS} are translated"
    if not 1 <= args.beam <= MAX_BEAM:
        return f"--beam {args.beam} must be between 1 (greedy) and {MAX_BEAM}"
    if not 0 <= args.alpha <= 10:
        return f"--alpha {args.alpha} must be between 0 and 10"
    for flag in ("png", "svg"):
        out = getattr(args, flag)
        if out is not None and not out.parent.resolve().is_dir():
            return f"--{flag} {out}: the folder {out.parent} does not exist"
    if not args.model.is_dir():
        return f"--model {args.model} is not a folder"
    if not (args.model / names.CONFIG).is_file():
        return f"--model {args.model} has no {names.CONFIG}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    problem = check_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    problem = model_files.check(args.model)
    if problem:
        print(f"error: {args.model.name}: {problem}", file=sys.stderr)
        return 1
    from core.decoding import load_translator

    translator = load_translator(args.model)
    text = normalize(args.text)
    result = translator.nbest(text, args.beam, args.alpha)[0] if args.beam > 1 else translator.translate(text)
    try:
        figure = result.heatmap(args.layer, args.head, args.level)
    except ValueError as e:  # a layer or head the model does not have
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        if args.png:
            args.png.write_bytes(figure.png())
        if args.svg:
            args.svg.write_text(figure.svg(), encoding="utf-8")
    except OSError as e:
        print(f"error: cannot write the figure ({e.strerror or e})", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(as_dict(result, figure), ensure_ascii=False))
    else:
        print(result.text)
        for token, p in zip(result.target_tokens, result.probabilities, strict=True):
            print(f"  {token}\t{float(p):.3f}")
    return 0


def as_dict(result, figure) -> dict:
    """The translation as plain JSON values: text, tokens, probabilities and the drawn matrix."""
    return {
        "translation": result.text,
        "tokenizer": result.tokenizer,
        "source_tokens": result.source_tokens,
        "target_tokens": result.target_tokens,
        "probabilities": [round(float(p), 6) for p in result.probabilities],
        "attention": {
            "source": figure.source,
            "target": figure.target,
            "matrix": [[round(float(v), 6) for v in row] for row in figure.matrix],
        },
    }


if __name__ == "__main__":
    sys.exit(main())
