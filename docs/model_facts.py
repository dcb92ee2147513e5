"""The placeholders about the shipped models: report card, how they were trained and scored, attribution study."""

from __future__ import annotations

import re

from docs.facts import ROOT, BuildError, Facts, conditions, constant, count, fact, length, pct


@fact
def model_table(f: Facts) -> str:
    from core.runs.report import markdown_table

    return markdown_table(f.models)


@fact
def model_commands(f: Facts) -> str:
    from core.runs.report import command_lines

    return command_lines(f.models)


@fact
def renamed_commands(f: Facts) -> str:
    """A note for recorded command lines whose module has moved since (they are printed as recorded)."""
    moved = {"core.export": "core.train.export", "core.report": "core.runs.report"}
    used = sorted({m for p in f.models for c in f.file(p, "training.json").get("commands", []) for m in moved
                   if re.search(rf"-m {re.escape(m)}(\s|$)", c)})  # fmt: skip
    if not used:
        return "The commands are printed as they were recorded."
    return (
        "The commands are printed as they were recorded; since then "
        + ", ".join(f"`python -m {m}` has become `python -m {moved[m]}`" for m in used)
        + "."
    )


@fact
def test_sentences(f: Facts) -> str:
    return count(f.common("test sentences", lambda p: f.file(p, "metrics.json")["sentences"]))


@fact
def test_references(f: Facts) -> str:
    return count(f.common("test references", lambda p: f.file(p, "metrics.json")["references"]))


def _beam(f: Facts) -> tuple[str, str]:
    decoding = f.common("beam decoding", lambda p: f.file(p, "metrics.json")["beam"]["decoding"])
    match = re.fullmatch(r"beam (\d+), alpha ([\d.]+)", decoding)
    if not match:
        raise BuildError(f"metrics.json: cannot read the beam width and alpha from {decoding!r}")
    return match.group(1), match.group(2)


@fact
def beam_width(f: Facts) -> str:
    return _beam(f)[0]


@fact
def beam_alpha(f: Facts) -> str:
    return _beam(f)[1]


@fact
def batch_size(f: Facts) -> str:
    return str(f.common("batch size", lambda p: f.file(p, "training.json")["batch_size"]))


@fact
def hardware(f: Facts) -> str:
    return f.common("hardware", lambda p: f.file(p, "metrics.json")["training"]["hardware"])


@fact
def split(f: Facts) -> str:
    val = f.common("validation fraction", lambda p: f.file(p, "training.json")["val_fraction"])
    test = f.common("test fraction", lambda p: f.file(p, "training.json")["test_fraction"])
    return f"{pct(1 - val - test)} train, {pct(val)} validation, {pct(test)} test"


@fact
def export_check(f: Facts) -> str:
    probes = length("core/data/probes.py", "PROBE_SENTENCES")
    head = constant("core/evaluate.py", "CHECK_SLICE")
    changed = constant("core/train/export.py", "MAX_CHANGED")
    drift = constant("core/train/export.py", "MAX_ATTENTION_DRIFT")
    return (
        f"the export translates the {probes} probe sentences and the first {head} test sentences with the "
        f"original and the exported weights and refuses the export when more than {pct(changed)} of them come "
        f"out differently (float16 rounding can flip a near tie) or when, on those translated the same, any "
        f"attention weight moves by more than {drift:g}; without the data set it checks the probe sentences only"
    )


@fact
def kept_epochs(f: Facts) -> str:
    lines = []
    for p in f.models:
        saved = f.file(p, "training.json").get("saved") or {}
        if saved.get("keep") != "last" or saved.get("best_epoch") in (None, saved.get("epoch")):
            continue
        h = f.history(p)
        kept, best = h[saved["epoch"]], h[saved["best_epoch"]]
        lines.append(
            f"`{f.name(p)}` keeps its last epoch, {saved['epoch']} (validation loss {kept['val_loss']:.4f}, "
            f"accuracy {kept['val_accuracy']:.3f}), rather than its epoch of lowest validation loss, "
            f"{saved['best_epoch']} ({best['val_loss']:.4f}, accuracy {best['val_accuracy']:.3f})."
        )
    return " ".join(lines) or "Every shipped model keeps its epoch of lowest validation loss."


@fact
def where_models_stand(f: Facts) -> str:
    """Each shipped model against the targets ``core/runs/targets.py`` holds it to."""
    from core.runs.targets import check_targets

    lines = ["| model | target | measured | met |", "|---|---|---|---|"]
    for p in f.models:
        for target, met, measured in check_targets(p):
            mark = {True: "yes", False: "**no**", None: "–"}[met]
            lines.append(f"| `{f.name(p)}` | {target} | {measured or '–'} | {mark} |")
    return "\n".join(lines)


@fact
def local_p_story(f: Facts) -> str:
    found = f.of_arch("local-p")
    if len(found) != 1:
        raise BuildError(
            f"assets/: {len(found)} local-p models; docs/src/models-and-training.md tells the story of one"
        )
    local = found[0]
    training = f.file(local, "training.json")
    source = training.get("init_from")
    m = f.file(local, "metrics.json")["training"]
    text = (
        f"`{f.name(local)}` started from the weights of `{source}` (`--init-from`), its position predictor "
        f"fresh, and trained {m['epochs']} epochs ({m['wall_time_s'] / 60:.0f} min of wall time) to a "
        f"validation loss of {m['saved_val_loss']:.3f}"
    )
    if source and (ROOT / source / "metrics.json").is_file():
        src = f.file(ROOT / source, "metrics.json")["training"]
        text += (
            f"; `{source}` itself had trained {src['epochs']} epochs ({src['wall_time_s'] / 60:.0f} min) to "
            f"{src['best_val_loss']:.3f}"
        )
    return text + "."


@fact
def transformer_losses(f: Facts) -> str:
    parts = []
    for p in f.of_arch("transformer"):
        h = f.history(p)
        best = min(h, key=lambda e: h[e]["val_loss"])
        parts.append(f"`{f.name(p)}` {h[best]['val_loss']:.3f} at epoch {best} of {max(h)}")
    return "; ".join(parts)


@fact
def checkpoints_kept(f: Facts) -> str:
    return str(constant("core/train/checkpoints.py", "KEEP"))


@fact
def multiworker_timeout(f: Facts) -> str:
    return str(constant("core/train/cluster.py", "DEFAULT_WORKER_TIMEOUT"))


@fact
def multiworker_tolerance(f: Facts) -> str:
    return f"{constant('tests/core/train/multiworker_test.py', 'LOSS_RTOL'):g}"


@fact
def attribution_table(f: Facts) -> str:
    """The columns of ``python -m core.attribution.card`` (tests/docs/build_test.py checks they agree)."""
    header = ("model", "ρ attention/IG", "ρ attention/grad×input", "ρ rollout/IG", "IG gap (median, relative)",
              "most important head (BLEU drop, mean Δ log p)")  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for p in f.models:
        summary = f.file(p, "attribution.json") if (p / "attribution.json").exists() else {}
        top = (f.file(p, "head_importance.json") if (p / "head_importance.json").exists() else {}).get("most_important")
        rho = summary.get("spearman", {})
        gap = summary.get("completeness", {}).get("median_relative_gap")

        def num(key: str, rho=rho) -> str:
            return f"{rho[key]:.3f}" if key in rho else "–"

        head = "–" if not top else (f"{top['kind']} layer {top['layer']} head {top['head']} "
                                    f"({top['bleu_drop']:+.2f}, {top['mean_delta_log_p']:.3f})")  # fmt: skip
        cells = [f"`{p.parent.name}/{p.name}`", num("attention_vs_integrated"), num("attention_vs_grad_input"),
                 num("rollout_vs_integrated"), "–" if gap is None else f"{100 * gap:.2f} %", head]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@fact
def attribution_sentences(f: Facts) -> str:
    return count(f.common("attribution slice", lambda p: f.file(p, "attribution.json")["sentences"]))


@fact
def ig_steps(f: Facts) -> str:
    return str(f.common("integrated-gradients steps", lambda p: f.file(p, "attribution.json")["steps"]))


@fact
def importance_sentences(f: Facts) -> str:
    models = [p for p in f.models if (p / "head_importance.json").exists()]
    values = {f.file(p, "head_importance.json")["sentences"] for p in models}
    if len(values) != 1:
        raise BuildError(f"head_importance.json: the models differ in their number of sentences: {values}")
    return count(values.pop())


@fact
def largest_gap(f: Facts) -> str:
    gaps = {p: f.file(p, "attribution.json")["completeness"]["median_relative_gap"] for p in f.models}
    path = max(gaps, key=gaps.get)
    config = f.file(path, "config.json")
    names = {"relu": "ReLU", "glu": "GLU", "geglu": "GEGLU", "swiglu": "SwiGLU"}
    ffn = (
        f" ({names.get(config.get('ffn'), config.get('ffn'))} feed-forward)" if config["arch"] == "transformer" else ""
    )
    return f"`{f.name(path)}`{ffn}, {100 * gaps[path]:.2f} %"


@fact
def attribution_speed(f: Facts) -> str:
    data = f.bench("attribution_speed.json")
    lines = [
        f'`python bench/attribution.py`, "{data["sentence"]}", median of {data["repeats"]} warm calls. '
        + conditions(data, "attribution_speed.json"),
        "",
        "| model | what | tokens in → out | first call (traces) | warm median, wall | warm median, CPU | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        ms = r["median_wall_s"] < 1
        wall, cpu = (f"{1000 * r['median_wall_s']:.0f} ms", f"{1000 * r['median_cpu_s']:.0f} ms") if ms else (
            f"{r['median_wall_s']:.2f} s", f"{r['median_cpu_s']:.2f} s")  # fmt: skip
        target = f"{1000 * r['target_s']:.0f} ms" if r["target_s"] < 1 else f"{r['target_s']:g} s"
        lines.append(f"| `{r['model']}` | {r['what']} | {r['source_tokens']} → {r['output_tokens']} | "
                     f"{r['first_s']:.1f} s | {wall} | {cpu} | ≤ {target} |")  # fmt: skip
    return "\n".join(lines)


@fact
def vocab_sweep(f: Facts) -> str:
    """The committed vocabulary sweep (``python -m core.train.sweep --out docs/data/vocab_sweep.json``) as a table."""
    from docs.facts import DATA

    if not (DATA / "vocab_sweep.json").is_file():
        return "No sweep is committed yet."
    d = f.bench("vocab_sweep.json")
    flags = " ".join(d["train_args"])
    rows = [
        f"{conditions(d, 'vocab_sweep.json')} Every size trained {d['epochs']} epochs with `{flags}`; "
        f"scored greedily on {'the first ' + str(d['limit']) + ' sentences of ' if d['limit'] else ''}"
        f"the validation split.",
        "",
        "| vocabulary | epochs | validation BLEU | validation chrF | picked |",
        "|---|---|---|---|---|",
    ]
    for r in d["runs"]:
        rows.append(
            f"| {r['size']:,} | {r['epochs']} | {r['validation_bleu']:.2f} | {r['validation_chrf']:.2f} | "
            f"{'yes' if r['size'] == d['pick'] else ''} |"
        )
    return "\n".join(rows)
