"""The placeholders about what a model root may hold: the readers' caps, the cost budget, the hostile-root fuzzer.

The fuzzer's counts come from its own plan (``tests/hostile_plan.py``), the figures of a run from
``docs/data/hostile_fuzz.json``, which the fuzzer writes when asked (``HOSTILE_FUZZ_RECORD``); a
recorded run of another plan stops the build.
"""

from __future__ import annotations

from docs.facts import DATA, BuildError, Facts, conditions, constant, count, fact, pct

HOSTILE_TEST = "tests/core/runs/hostile_test.py"
FUZZ_RECORD = "hostile_fuzz.json"
FUZZ_COMMAND = "HOSTILE_FUZZ_RECORD=docs/data/hostile_fuzz.json pytest -s -m slow tests/app/hostile_fuzz_test.py"
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _binary(n: int) -> str:
    """Bytes in the largest binary unit that holds them whole: ``16 MiB``, ``2 GiB``."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size:,} {unit}"
    return f"{n:,} B"


def _plan():
    from tests.hostile_plan import planned

    return planned()


# ------------------------------------------------------------------ the readers' caps


@fact
def max_count(f: Facts) -> str:
    value = constant("core/runs/model_files.py", "MAX_COUNT")
    exponent = len(str(value)) - 1
    return f"10{str(exponent).translate(SUPERSCRIPTS)}" if value == 10**exponent else count(value)


@fact
def max_event_files(f: Facts) -> str:
    return str(constant("core/runs/history.py", "MAX_EVENT_FILES"))


@fact
def max_event_bytes(f: Facts) -> str:
    return _binary(constant("core/runs/history.py", "MAX_EVENT_BYTES"))


@fact
def max_weights_bytes(f: Facts) -> str:
    from core.runs import model_files, names

    return _binary(model_files.MAX_BYTES[names.WEIGHTS])


@fact
def max_weight_values(f: Facts) -> str:
    from core.runs.weights import MAX_VALUES

    return count(MAX_VALUES)


@fact
def weight_slab(f: Facts) -> str:
    return count(constant("core/runs/weights.py", "SLAB"))


# ------------------------------------------------------------------ the cost budget


@fact
def cost_beam(f: Facts) -> str:
    return str(constant("core/runs/cost.py", "BEAM_WIDTH"))


@fact
def cost_budget(f: Facts) -> str:
    """The budget as ``python -m core.runs.report --cost`` prints it, after its ``budget:``."""
    from core.runs.report import cost_lines

    return cost_lines([])[0].removeprefix("budget: ")


@fact
def cost_report_indented(f: Facts) -> str:
    """What ``python -m core.runs.report --cost assets/*`` prints for the shipped models, indented for a list item."""
    import textwrap

    from core.runs.report import cost_lines

    return textwrap.indent(cost_lines(f.models)[0], "  ")


@fact
def huge_config(f: Facts) -> str:
    from tests.hostile_folders import HUGE

    return (
        f"{HUGE['num_layers']} layers × {HUGE['num_heads']} heads, d_model {HUGE['d_model']}, "
        f"{count(HUGE['src_vocab_size'])}-word vocabularies"
    )


@fact
def huge_cost(f: Facts) -> str:
    """The estimate of a config with those sizes, in the cost report's units."""
    from core.models.config import ModelConfig
    from core.runs import cost
    from tests.hostile_folders import HUGE

    c = cost.estimate(ModelConfig(**HUGE))
    if c.within_budget:
        raise BuildError("tests/hostile_folders.py: HUGE is within the budget; the documents say it is over")
    return f"{c.params:,} parameters, {c.memory_bytes / 1024**2:,.0f} MiB, {c.flops / 1e9:,.1f} GFLOP"


@fact
def estimate_tolerance(f: Facts) -> str:
    return pct(constant(HOSTILE_TEST, "ESTIMATE_TOLERANCE"))


@fact
def estimate_configs(f: Facts) -> str:
    """How many configurations, of how many architectures, the estimate is compared with built models on."""
    configs = constant(HOSTILE_TEST, "ESTIMATED")
    archs = {c["arch"] for c in configs}
    every = set(constant("core/models/config.py", "ARCHITECTURES"))
    if archs != every:
        raise BuildError(f"{HOSTILE_TEST}: ESTIMATED misses {sorted(every - archs)}; the documents say every one")
    return f"{len(configs)} configurations of all {len(archs)} architectures"


# ------------------------------------------------------------------ the hostile-root fuzzer's plan


@fact
def fuzz_seed(f: Facts) -> str:
    return str(_plan().seed)


@fact
def fuzz_folders(f: Facts) -> str:
    return count(_plan().folders)


@fact
def fuzz_good_models(f: Facts) -> str:
    return str(_plan().good_models)


# each kind in words: what its folders are, and the damage they hold
KIND_WORDS = {
    "names": (
        "with hostile names",
        "bytes that are not UTF-8, control characters, Markdown and HTML, right-to-left marks, very long "
        "names, format strings, hidden staging folders",
    ),
    "file kinds": (
        "with a file of the wrong kind",
        "a FIFO, a socket, a folder, a link to a device, to a system file or to a secret outside the root, "
        "a link loop or a dangling link",
    ),
    "contents": (
        "with damaged contents",
        "truncation, bit flips, wrong JSON types, nulls and huge numbers, lying explanation files, NaN "
        "weights, TensorBoard tensors whose shape and bytes disagree, configs over the budget",
    ),
    "sizes": ("with a file one byte over its cap", "sparse, so even an oversized weights file costs no disk"),
    "links": (
        "that are links or link a sub-folder out",
        "to `/`, `/proc/self`, `/etc`, to themselves, to nowhere, to a folder outside the root",
    ),
}


def _kinds() -> dict[str, int]:
    kinds = _plan().kinds
    if set(kinds) != set(KIND_WORDS):
        raise BuildError(
            f"tests/hostile_plan.py: kinds {sorted(kinds)}; docs/fuzzer_facts.py words {sorted(KIND_WORDS)}"
        )
    return kinds


@fact
def fuzz_kinds(f: Facts) -> str:
    """Folders per kind, as the plan makes them, in words: ``92 with hostile names, …``."""
    parts = [f"{count(n)} {KIND_WORDS[kind][0]}" for kind, n in _kinds().items()]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}"


@fact
def fuzz_kinds_list(f: Facts) -> str:
    """Folders per kind as a Markdown list, each with the damage it holds."""
    import textwrap

    items = [f"- {count(n)} {KIND_WORDS[kind][0]}: {KIND_WORDS[kind][1]}" for kind, n in _kinds().items()]
    return ";\n".join(textwrap.fill(i, 98, subsequent_indent="  ", break_on_hyphens=False) for i in items) + "."


def _kind(kind: str) -> str:
    return count(_plan().kinds[kind])


@fact
def fuzz_names(f: Facts) -> str:
    return _kind("names")


@fact
def fuzz_file_kinds(f: Facts) -> str:
    return _kind("file kinds")


@fact
def fuzz_contents(f: Facts) -> str:
    return _kind("contents")


@fact
def fuzz_sizes(f: Facts) -> str:
    return _kind("sizes")


@fact
def fuzz_links(f: Facts) -> str:
    return _kind("links")


@fact
def fuzz_pages(f: Facts) -> str:
    return str(_plan().pages)


@fact
def fuzz_sampled(f: Facts) -> str:
    return str(_plan().sampled)


@fact
def fuzz_page_runs(f: Facts) -> str:
    return str(_plan().page_runs)


@fact
def fuzz_page_seconds(f: Facts) -> str:
    return f"{constant('tests/hostile_plan.py', 'PAGE_SECONDS')} s"


@fact
def fuzz_page_rss(f: Facts) -> str:
    return f"{count(constant('tests/hostile_plan.py', 'PAGE_RSS_MB'))} MB"


@fact
def fuzz_rss_sample(f: Facts) -> str:
    return f"{1000 * constant('tests/hostile_plan.py', 'RSS_SAMPLE_S'):g} ms"


@fact
def fuzz_targets(f: Facts) -> str:
    from tests.hostile_folders import TARGETS

    return str(len(TARGETS))


@fact
def fuzz_long_name(f: Facts) -> str:
    return str(constant("tests/hostile_folders.py", "LONG_NAME"))


@fact
def fuzz_weights_over(f: Facts) -> str:
    from core.runs import model_files, names

    return f"{_binary(model_files.MAX_BYTES[names.WEIGHTS])} + 1 B"


# ------------------------------------------------------------------ a recorded run of the fuzzer


def _record(f: Facts) -> dict | None:
    """The committed run of the fuzzer; BuildError when it ran another plan than the fuzzer's now."""
    if not (DATA / FUZZ_RECORD).is_file():
        return None
    data = f.bench(FUZZ_RECORD)
    plan, counts = _plan(), data.get("counts", {})
    ran = (
        data.get("seed"),
        counts.get("hostile folders"),
        {k: counts.get(f"kind {k}") for k in plan.kinds},
        counts.get("pages opened with the whole root listed"),
    )
    if ran != (plan.seed, plan.folders, plan.kinds, plan.pages):
        raise BuildError(
            f"docs/data/{FUZZ_RECORD} records a run of another plan (seed, folders, kinds, pages: {ran}) than "
            f"tests/hostile_plan.py's; run `{FUZZ_COMMAND}` again"
        )
    return data


@fact
def fuzz_conditions(f: Facts) -> str:
    data = _record(f)
    return "not committed yet" if data is None else conditions(data, FUZZ_RECORD)


@fact
def fuzz_run(f: Facts) -> str:
    """The committed run's printout, with when and where it ran; without one, how to record it."""
    data = _record(f)
    if data is None:
        return (
            f"No run of it is committed here. This runs it, prints how many folders it listed, how many\n"
            f"of them unusable, its slowest page run and its largest memory growth, and writes them to\n"
            f"`docs/data/{FUZZ_RECORD}` (say in `HOSTILE_FUZZ_NOTE` what else ran on the machine);\n"
            "`python -m docs.build` then writes them here:\n\n```\n" + FUZZ_COMMAND + "\n```"
        )
    lines = [f"hostile-root fuzzer (seed {data['seed']}):"] + [f"  {k}: {v}" for k, v in data["counts"].items()]
    return (
        f"A recorded run, `docs/data/{FUZZ_RECORD}`.\n{conditions(data, FUZZ_RECORD)}\nIt printed:\n\n```\n"
        + "\n".join(lines)
        + "\n```\n\nTo record another (say in `HOSTILE_FUZZ_NOTE` what else ran on the machine):\n\n```\n"
        + FUZZ_COMMAND
        + "\n```"
    )


# ------------------------------------------------------------------ the command lines' checks


@fact
def seed_bits(f: Facts) -> str:
    return f"{(constant('core/train/args.py', 'MAX_SEED') + 1).bit_length() - 1}-bit"


@fact
def d_model_cap(f: Facts) -> str:
    return str(constant("core/models/config.py", "LIMITS")["d_model"])


@fact
def min_word_vocab(f: Facts) -> str:
    return str(constant("core/train/args.py", "MIN_WORD_VOCAB"))
