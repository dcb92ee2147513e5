"""The placeholders about the app, its tests and its benchmarks: constants of the code and benchmark files."""

from __future__ import annotations

from docs.facts import DATA, Facts, conditions, constant, count, fact, length


def _size(width: int, height: int) -> str:
    return f"{width}×{height}"


@fact
def screenshot_size(f: Facts) -> str:
    return _size(constant("bench/screenshots.py", "WIDTH"), constant("bench/screenshots.py", "HEIGHT"))


@fact
def compare_max(f: Facts) -> str:
    return str(constant("app_pages/compare.py", "MAX_MODELS"))


@fact
def checked_sizes(f: Facts) -> str:
    """The window sizes tests/browser/screens_browser_test.py checks every page at."""
    sizes = constant("tests/browser/screens_browser_test.py", "SIZES")
    both = [
        (w, h) for w, h in dict.fromkeys((w, h) for w, h, _ in sizes) if {(w, h, True), (w, h, False)} <= set(sizes)
    ]
    plain = [(w, h) for w, h, p in sizes if not p and (w, h) not in both]
    text = ", ".join(_size(*s) for s in both[:-1]) + f" and {_size(*both[-1])} (presentation mode on and off)"
    return text + "".join(f" and {_size(*s)} (a phone)" if s[0] < 600 else f" and {_size(*s)}" for s in plain)


@fact
def models_kept(f: Facts) -> str:
    return str(constant("ui/models.py", "MODELS_KEPT"))


@fact
def turn_max_wait(f: Facts) -> str:
    return f"{constant('ui/turns.py', 'MAX_WAIT_S'):g}"


@fact
def decode_cache_entries(f: Facts) -> str:
    return count(constant("ui/models.py", "DECODE_CACHE_ENTRIES"))


@fact
def beam_widths_kept(f: Facts) -> str:
    return str(constant("core/decoding/translator.py", "BEAM_WIDTHS_KEPT"))


@fact
def warm_beam_widths(f: Facts) -> str:
    return ", ".join(str(w) for w in constant("ui/warm_up.py", "WARM_BEAM_WIDTHS"))


@fact
def load_section(f: Facts) -> str:
    """The class-at-once measurement when ``docs/data/load.json`` is committed; otherwise how to make one."""
    targets = constant("bench/load.py", "TARGETS")
    aims = (f"greedy p95 ≤ {targets['p95_greedy_s']:g} s, beam 4 p95 ≤ {targets['p95_beam_s']:g} s, each model's "
            f"first click ≤ {targets['first_click_s']:g} s, peak RSS ≤ {targets['peak_rss_mb']:g} MB, RSS flat "
            f"within ±{100 * targets['rss_drift']:g} % once the first 100 clicks are done")  # fmt: skip
    if not (DATA / "load.json").is_file():
        return (
            f"Its targets: {aims}. No run of it is committed here: measure on the machine you teach with, "
            '`python bench/load.py --out docs/data/load.json --note "..."` (say in the note what else ran), '
            "then `python -m docs.build` writes its figures into this section."
        )
    d = f.bench("load.json")
    g, b = d["greedy"], d["beam"]
    firsts = [c["heatmap_s"] for c in d["warm_start"]["first_clicks"].values() if c["heatmap_s"] is not None]
    rows = [
        f"{conditions(d, 'load.json')} Load average during the rounds {d['load_avg'][0]}–{d['load_avg'][1]}; "
        f"targets: {aims}.",
        "",
        f"| `python bench/load.py` ({d['users']} users at once, {count(d['clicks'])} clicks) | measured | pass |",
        "|---|---|---|",
        f"| errors / heatmaps of the wrong sentence | {d['errors']} / {d['wrong_content']} | "
        f"{'yes' if not d['errors'] and not d['wrong_content'] else 'no'} |",
        f"| click → heatmap, greedy: p50 / p95 / max | {g['p50_s']} / {g['p95_s']} / {g['max_s']} s | "
        f"{'yes' if d['checks']['p95_greedy'] else 'no'} |",
        f"| click → heatmap, beam 4: p50 / p95 / max | {b['p50_s']} / {b['p95_s']} / {b['max_s']} s | "
        f"{'yes' if d['checks']['p95_beam'] else 'no'} |",
        f"| server CPU per click | {d['server_cpu_s_per_click']} s | |",
        f"| peak RSS, every model loaded | {d['peak_rss_mb']:.0f} MB | {'yes' if d['checks']['peak_rss'] else 'no'} |",
        f"| RSS drift once the first 100 clicks are done | {100 * d['rss_drift']:.1f} % | "
        f"{'yes' if d['checks']['rss_flat'] else 'no'} |",
        f"| first click per model after the warm-up ({d['warm_start']['warm_up_s']} s) | "
        f"{min(firsts)}–{max(firsts)} s | {'yes' if d['checks']['first_click'] else 'no'} |",
    ]
    return "\n".join(rows)


@fact
def click_cost_conditions(f: Facts) -> str:
    return conditions(f.bench("click_cost.json"), "click_cost.json")


@fact
def attribution_speed_conditions(f: Facts) -> str:
    return conditions(f.bench("attribution_speed.json"), "attribution_speed.json")


@fact
def kill_points(f: Facts) -> str:
    return str(length("tests/core/train/crash_test.py", "KILL_CHAIN"))


@fact
def fault_file_types(f: Facts) -> str:
    return str(length("tests/faults.py", "KINDS"))


@fact
def fuzz_per_type(f: Facts) -> str:
    fast = constant("tests/core/runs/model_files_test.py", "FAST_PER_KIND")
    slow = constant("tests/core/runs/model_files_test.py", "SLOW_PER_KIND")
    kinds = length("tests/faults.py", "KINDS")
    return (
        f"{count(slow)} per file type ({count(slow * kinds)} in all) in the slow tier, {fast} per type in the fast tier"
    )


@fact
def fuzz_on_pages(f: Facts) -> str:
    per_kind = constant("tests/app/faults_test.py", "PAGE_FUZZ_PER_KIND")
    return count(per_kind * length("tests/faults.py", "KINDS"))


@fact
def hostile_links(f: Facts) -> str:
    pages = length("tests/app/faults_test.py", "PAGES")
    values = length("tests/app/faults_test.py", "HOSTILE")
    return f"{values} hostile values, each in every link parameter of each of the {pages} pages at once ({pages * values} AppTest runs)"


@fact
def max_link_digits(f: Facts) -> str:
    return str(constant("ui/share.py", "MAX_DIGITS"))


@fact
def config_limits(f: Facts) -> str:
    limits = constant("core/models/config.py", "LIMITS")
    return (f"d_model ≤ {count(limits['d_model'])}, ff_dim ≤ {count(limits['ff_dim'])}, layers ≤ "
            f"{limits['num_layers']}, vocabularies ≤ {count(constant('core/models/config.py', 'VOCAB_CAP'))}")  # fmt: skip


@fact
def full_split_cost(f: Facts) -> str:
    greedy = sum(f.file(p, "metrics.json")["seconds"] for p in f.models)
    beam = sum(f.file(p, "metrics.json")["beam"]["seconds"] for p in f.models)
    return f"{greedy:.1f} s greedy + {beam:.1f} s beam for the {len(f.models)} models"


@fact
def full_split_tolerance(f: Facts) -> str:
    return f"{constant('tests/assets/full_split_scores_test.py', 'TOLERANCE'):g}"


@fact
def model_count(f: Facts) -> str:
    return str(len(f.models))


@fact
def placeholder_syntax(f: Facts) -> str:
    """How a template names a fact, written out (a placeholder in a template would be filled in)."""
    return "`{{ name }}`"


@fact
def max_replicas(f: Facts) -> str:
    return str(constant("deploy/serve.py", "MAX_REPLICAS"))


@fact
def compose_haproxy_image(f: Facts) -> str:
    return _compose_line(r"image:\s*(haproxy:\S+)", "deploy/compose.yaml")


@fact
def compose_replica_slots(f: Facts) -> str:
    return _compose_line(r"server-template app (\d+) ", "deploy/haproxy-compose.cfg")


def _compose_line(pattern: str, path: str) -> str:
    import re

    from docs.facts import ROOT, BuildError

    match = re.search(pattern, (ROOT / path).read_text(encoding="utf-8"))
    if not match:
        raise BuildError(f"{path}: nothing matches {pattern!r}")
    return f"`{match.group(1)}`" if ":" in match.group(1) else match.group(1)


@fact
def attribution_page_steps(f: Facts) -> str:
    steps = constant("app_pages/attribution.py", "STEPS")
    return f"{min(steps)}–{max(steps)}"


@fact
def load_conditions(f: Facts) -> str:
    if not (DATA / "load.json").is_file():
        return "not committed yet"
    return conditions(f.bench("load.json"), "load.json")
