"""Training under tf.distribute: MirroredStrategy over two logical CPU devices (a 2-worker cluster: multiworker_test.py)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import runs
from core.decoding import load_translator

ROOT = Path(__file__).resolve().parents[3]
PAIRS = [
    ("I am cold.", "Tengo frío."),
    ("I am hot.", "Tengo calor."),
    ("She is tall.", "Ella es alta."),
    ("He is tall.", "Él es alto."),
    ("We are here.", "Estamos aquí."),
    ("They are here.", "Están aquí."),
    ("I like cats.", "Me gustan los gatos."),
    ("I like dogs.", "Me gustan los perros."),
] * 8


@pytest.mark.slow  # trains in a subprocess
def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    data = tmp_path / "pairs.tsv"
    data.write_text("".join(f"{en}\t{es}\n" for en, es in PAIRS), encoding="utf-8")
    out = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "core.train", "--data", str(data), "--out", str(out),
        "--epochs", "2", "--batch-size", "8", "--val-fraction", "0.2", "--test-fraction", "0.1",
        "--embedding-dim", "8", "--encoder-units", "8", "--decoder-units", "16", "--attention-units", "8",
        "--strategy", "mirrored", "--cpu-devices", "2", "--verbose", "0",
    ]  # fmt: skip
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "strategy mirrored: 2 replica(s)" in proc.stdout
    history = runs.read_history(out)
    assert [r["epoch"] for r in history] == [1.0, 2.0]
    vocab = runs.read_json(out, runs.CONFIG)["tgt_vocab_size"]
    # the reported loss is a per-token mean (not summed over the two replicas)
    assert 0 < history[0]["loss"] < 1.2 * math.log(vocab)
    assert history[1]["loss"] < history[0]["loss"]
    assert (out / runs.WEIGHTS).is_file()
    load_translator(out).translate("I am cold.")
