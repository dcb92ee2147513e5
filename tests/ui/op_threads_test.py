"""The app's process asks TensorFlow for one thread per op; the environment wins; children keep every core."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.browser.harness import ROOT

PROBE = (
    "import ui.models, tensorflow as tf, os; "
    "print(tf.config.threading.get_intra_op_parallelism_threads(), "
    "tf.config.threading.get_inter_op_parallelism_threads(), os.environ.get('TF_NUM_INTRAOP_THREADS'))"
)


def _probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return out.stdout.split()


def test_the_app_runs_each_op_on_one_thread_and_leaves_the_environment_alone():
    # the environment is untouched: a training run the app starts gets TensorFlow's defaults
    assert _probe() == ["1", "1", "None"]


def test_the_environment_wins():
    assert _probe(TF_NUM_INTRAOP_THREADS="2", TF_NUM_INTEROP_THREADS="2")[:2] == ["0", "0"]
