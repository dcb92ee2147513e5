"""Training under tf.distribute: MirroredStrategy over two logical CPU devices, and a 2-worker cluster on localhost."""

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


def _free_ports(n: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _cluster(tmp_path, out, *extra: str) -> list[subprocess.CompletedProcess]:
    """Run ``core.train`` as a 2-worker MultiWorkerMirroredStrategy cluster on localhost, until both exit."""
    import json

    data = tmp_path / "pairs.tsv"
    data.write_text("".join(f"{en}\t{es}\n" for en, es in PAIRS), encoding="utf-8")
    hosts = [f"localhost:{p}" for p in _free_ports(2)]
    cmd = [
        sys.executable, "-m", "core.train", "--data", str(data), "--out", str(out),
        "--batch-size", "8", "--val-fraction", "0.2", "--test-fraction", "0.1",
        "--embedding-dim", "8", "--encoder-units", "8", "--decoder-units", "16", "--attention-units", "8",
        "--strategy", "multiworker", "--verbose", "0", *extra,
    ]  # fmt: skip
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": json.dumps(tf_config)}
        log = (tmp_path / f"worker-{index}.log").open("w")
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True), log))
    done = []
    try:
        for proc, log in procs:
            proc.wait(timeout=900)
            log.close()
            text = Path(log.name).read_text(encoding="utf-8")
            done.append(subprocess.CompletedProcess(cmd, proc.returncode, text, ""))
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.kill()
    return done


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="Keras 3.15's fit under MultiWorkerMirroredStrategy stops before its first step, resume or not: "
    "it builds the model from an input batch reduced with MEAN across workers, which fails on integer token ids",
)
def test_multiworker_resume_on_localhost(tmp_path):
    """Both workers resume: the second reads the run from the chief's folder and writes its own by task index."""
    out = tmp_path / "run"
    for proc in _cluster(tmp_path, out, "--epochs", "1"):
        assert proc.returncode == 0, proc.stdout[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("run")) == ["run", "run.worker-1"]

    for proc in _cluster(tmp_path, out, "--epochs", "2", "--resume"):
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert "strategy multiworker: 2 replica(s)" in proc.stdout
    # the same worker folder at every start, not a new one per process
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("run")) == ["run", "run.worker-1"]
    assert [r["epoch"] for r in runs.read_history(out)] == [1.0, 2.0]
    assert [r["epoch"] for r in runs.read_history(tmp_path / "run.worker-1")] == [1.0, 2.0]
    load_translator(out).translate("I am cold.")
