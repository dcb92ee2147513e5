"""The hostile-root fuzzer's plan: what it makes and opens, decided before anything runs.

``tests/app/hostile_fuzz_test.py`` runs this plan and ``tests/hostile_folders.py`` makes its
folders; ``docs/reliability-fuzzer.md`` states its counts from :func:`planned`, so the document
and the fuzzer cannot disagree. The plan imports nothing heavy: the documents are built from it.

The folders are made round-robin by :data:`MAKERS` (folder ``i`` by ``MAKERS[i % len(MAKERS)]``);
:data:`SEED` decides everything else (which file, which damage, which template, which folders
are sampled).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SEED = 2121
FOLDERS = 320  # hostile folders in the root, beside the good models
GOOD_MODELS = 2  # the tiny models that must still translate
SAMPLED = 16  # usable damaged folders opened on the page that reads their damage
PAGE_SECONDS = 180  # the most one page run may take
PAGE_RSS_MB = 1024  # the most one page run may grow the process's resident memory
RSS_SAMPLE_S = 0.02  # how often the resident memory is sampled while a page runs
# the maker of each folder in turn (``tests/hostile_folders.py``'s methods) and the kind it makes
MAKERS = ("names", "hidden", "file_kinds", "contents", "contents", "sizes", "links")
KIND_OF = {
    "names": "names",
    "hidden": "names",
    "file_kinds": "file kinds",
    "contents": "contents",
    "sizes": "sizes",
    "links": "links",
}
KIND_NAMES = ("names", "file kinds", "contents", "sizes", "links")
APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def pages() -> tuple[str, ...]:
    """Every page ``streamlit_app.py`` lists, as ``app_pages/<name>.py``."""
    return tuple(re.findall(r'"(app_pages/\w+\.py)"', APP.read_text(encoding="utf-8")))


def plan(n: int) -> list[str]:
    """The maker of each of ``n`` folders, in the order they are made."""
    return [MAKERS[i % len(MAKERS)] for i in range(n)]


@dataclass(frozen=True)
class Planned:
    """What one run of the fuzzer makes and opens, before any of it runs."""

    seed: int
    folders: int
    kinds: dict[str, int]  # folders per kind, in the order of KIND_NAMES
    pages: int  # pages opened with the whole root listed
    good_models: int  # each translates a sentence on the Translate page
    sampled: int  # at most this many usable damaged folders opened on the page that reads their damage

    @property
    def page_runs(self) -> int:
        """Page runs at least: every page, each good model's translation, each sampled folder."""
        return self.pages + self.good_models + self.sampled


def planned(n: int = FOLDERS, seed: int = SEED) -> Planned:
    """The counts of the fuzzer's run with ``n`` folders from ``seed``."""
    made = Counter(KIND_OF[m] for m in plan(n))
    return Planned(seed, n, {k: made[k] for k in KIND_NAMES}, len(pages()), GOOD_MODELS, SAMPLED)
