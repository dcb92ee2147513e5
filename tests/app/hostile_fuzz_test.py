"""The hostile-root fuzzer: hundreds of seeded broken folders beside two good models, every page opened.

One model root holds the two good tiny models and ``FOLDERS`` hostile folders of every kind
of ``tests/hostile_folders.py`` (names, file kinds, contents, sizes, links), made from one seed;
what is made and opened is ``tests/hostile_plan.py``'s plan, whose counts the documents state.
Every page is opened under AppTest on that root with a good model selected; the good models
translate; then a seeded sample of the damaged folders that are still usable is opened on the
page that reads what was damaged (sampled, not every folder on every page). Each page run must
show no exception element, no absolute path of the server and no content of a file outside
the root, and stay within ``PAGE_SECONDS`` and ``PAGE_RSS_MB`` of resident-memory growth.
The counts are printed (``pytest -s``) and recorded as test properties; with
``HOSTILE_FUZZ_RECORD=docs/data/hostile_fuzz.json`` (and ``HOSTILE_FUZZ_NOTE``, what else ran)
they are also written there, where ``python -m docs.build`` reads them.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import threading
import time

import pytest

from core import runs
from tests.app.conftest import open_app, translate
from tests.app.hostile_root_test import assert_clean
from tests.app.tiny_models import ADDITIVE, ROOT_NAME, TRANSFORMER, use_model_dirs
from tests.hostile_folders import EVENTS, PROBE, complete_template, make_hostile_root
from tests.hostile_plan import (
    FOLDERS,
    GOOD_MODELS,
    KIND_NAMES,
    KIND_OF,
    PAGE_RSS_MB,
    PAGE_SECONDS,
    RSS_SAMPLE_S,
    SAMPLED,
    SEED,
    pages,
    plan,
)

pytestmark = pytest.mark.slow

PAGES = pages()  # every page
RECORD_ENV = "HOSTILE_FUZZ_RECORD"  # a path: the run's counts written there as JSON
NOTE_ENV = "HOSTILE_FUZZ_NOTE"  # what else ran on the machine, for the record


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Bounded:
    """Runs page opens, checking each against the time and memory bounds and keeping the worst.

    Memory: the process's resident size is sampled every ``RSS_SAMPLE_S`` while the page runs; the
    bound is on its highest value above the resident size at the start.
    """

    def __init__(self, root) -> None:
        self.root, self.runs, self.seconds, self.rss = root, 0, 0.0, 0.0

    def __call__(self, action):
        start, peak, done = _rss_mb(), [0.0], threading.Event()

        def sample():
            while not done.wait(RSS_SAMPLE_S):
                peak[0] = max(peak[0], _rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        try:
            at = action()
        finally:
            done.set()
            sampler.join()
        seconds, grown = time.perf_counter() - t0, max(peak[0], _rss_mb()) - start
        self.runs, self.seconds, self.rss = self.runs + 1, max(self.seconds, seconds), max(self.rss, grown)
        assert seconds < PAGE_SECONDS, f"a page took {seconds:.0f} s"
        assert grown < PAGE_RSS_MB, f"a page grew the process's resident memory by {grown:.0f} MB"
        assert_clean(at, self.root)
        return at


def _page_for(what: str) -> tuple[str, dict]:
    """The page (and its session state) that reads the file a damage description names."""
    if EVENTS in what or "TensorBoard" in what or "tensorboard/" in what:
        return "app_pages/training.py", {"training_source": "tensorboard"}
    if runs.HISTORY in what or runs.STEPS in what:
        return "app_pages/training.py", {}
    if PROBE in what or "probes/" in what:
        return "app_pages/attention_over_training.py", {}
    if any(f in what for f in (runs.METRICS, runs.TRAINING, "attribution.json", "head_importance.json")):
        return "app_pages/models.py", {}
    return "app_pages/translate.py", {}


def _record(counts: dict, load_before: float) -> None:
    """The run's counts, where ``HOSTILE_FUZZ_RECORD`` names (nothing when it is not set)."""
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    load = os.getloadavg()
    record = {
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu_count": os.cpu_count(),
        "load_avg_before": load_before,
        "load_avg_after": round(load[0], 2),
        "note": os.environ.get(NOTE_ENV, ""),
        "seed": SEED,
        "counts": counts,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2, ensure_ascii=False)
        f.write("\n")


def test_a_hostile_root_leaves_every_page_working(tiny_model_root, tmp_path, monkeypatch, record_property):
    import random

    load_before = round(os.getloadavg()[0], 2)
    assert len((TRANSFORMER, ADDITIVE)) == GOOD_MODELS  # what the plan, and the documents, count

    root = tmp_path / ROOT_NAME
    for name in (TRANSFORMER, ADDITIVE):
        shutil.copytree(tiny_model_root / name.split("/")[1], root / name.split("/")[1])
    additive = complete_template(shutil.copytree(root / "tiny-additive", tmp_path / "templates" / "additive"))
    transformer = complete_template(
        shutil.copytree(root / "tiny-transformer", tmp_path / "templates" / "transformer"), transformer=True
    )
    t0 = time.perf_counter()
    made = make_hostile_root(root, additive, transformer, FOLDERS, SEED)
    made_seconds = time.perf_counter() - t0
    assert [h.kind for h in made] == [KIND_OF[m] for m in plan(FOLDERS)]  # what the documents state
    use_model_dirs(monkeypatch, root)

    t0 = time.perf_counter()
    listed = {info.name: info for info in runs.find_runs([root])}
    list_seconds = time.perf_counter() - t0
    for name in (TRANSFORMER, ADDITIVE):
        assert listed[name].error is None, listed[name].error
    for info in listed.values():
        info.name.encode("utf-8")  # every name can reach a browser
    by_disk = {info.path.name: info for info in listed.values()}
    for h in made:
        if h.unusable and h.name in by_disk:
            assert by_disk[h.name].error is not None, (h, "listed as usable")
    assert not any(n.startswith(".") for n in by_disk)  # staging folders are never models

    bounded = Bounded(root)
    for page in PAGES:  # every page, the whole hostile root listed in the sidebar
        bounded(lambda page=page: open_app(page=page, model=TRANSFORMER))
    for model in (TRANSFORMER, ADDITIVE):  # the good models still translate
        at = bounded(lambda model=model: translate(open_app(model=model), "i am cold ."))
        assert not at.error and at.markdown[0].value.startswith("### ") and at.get("vega_lite_chart")

    usable = [h for h in made if h.name in by_disk and by_disk[h.name].error is None and h.kind != "names"]
    sample = random.Random(SEED).sample(usable, min(SAMPLED, len(usable)))
    for h in sample:
        page, state = _page_for(h.what)
        name = by_disk[h.name].name
        if page == "app_pages/training.py":
            state = {**state, "training_runs": [name, ADDITIVE]}
        at = bounded(lambda page=page, name=name, state=state: open_app(page=page, model=name, **state))
        if page == "app_pages/translate.py":
            bounded(lambda at=at: translate(at, "i am cold ."))

    kinds = collections.Counter(h.kind for h in made)
    unusable = sum(1 for info in listed.values() if info.error is not None)
    counts = {
        "hostile folders": len(made),
        **{f"kind {k}": kinds[k] for k in KIND_NAMES},
        "listed as models": len(listed) - 2,
        "listed unusable": unusable,
        "listed usable (damage in optional files or a harmless name)": len(listed) - 2 - unusable,
        "not listed (no config.json, hidden, links to nothing)": len(made) - (len(listed) - 2),
        "pages opened with the whole root listed": len(PAGES),
        "page runs": bounded.runs,
        "sampled damaged folders opened": len(sample),
        "slowest page run (s)": round(bounded.seconds, 1),
        "largest resident-memory growth during a page run (MB)": round(bounded.rss, 1),
        "seconds to make the root": round(made_seconds, 1),
        "seconds to list the root": round(list_seconds, 1),
    }
    print(f"\nhostile-root fuzzer (seed {SEED}):")
    for key, value in counts.items():
        print(f"  {key}: {value}")
        record_property(key, value)
    assert len(made) == FOLDERS and all(kinds[k] for k in KIND_NAMES)
    _record(counts, load_before)
