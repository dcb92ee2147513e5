"""Two workers on 127.0.0.1 (``$TF_CONFIG``) train one run: the loss of one process, a folder only the
chief writes, a clear failure when a worker is killed, and a resume from the last checkpoint.

Every process is bounded (``DEADLINE``) and killed in a ``finally``: collective ops can hang.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import runs
from core.decoding import load_translator
from core.runs import model_files
from core.train import checkpoints
from tests.conftest import TINY_PAIRS

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 420  # seconds a cluster (or the one-process run) may take before the test gives up
LOSS_RTOL = 1e-5  # two workers against one process on the same batches: float sums in another order, nothing more
EPOCHS = 6  # of the first start: the kill lands after epoch 2, long before the last
ARGS = [
    "--batch-size", "8", "--val-fraction", "0.2", "--test-fraction", "0.1", "--dropout", "0",
    "--embedding-dim", "8", "--encoder-units", "8", "--decoder-units", "16", "--attention-units", "8",
    "--verbose", "0",
]  # fmt: skip


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _env(tf_config: dict | None = None) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    env.pop("TF_CONFIG", None)
    return env | ({"TF_CONFIG": json.dumps(tf_config)} if tf_config else {})


def _start(tmp_path: Path, tag: str, *extra: str) -> list[subprocess.Popen]:
    """Both workers of a fresh cluster, each logging to ``<tag>-worker-<i>.log``."""
    hosts = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    cmd = [sys.executable, "-m", "core.train", "--data", str(tmp_path / "pairs.tsv"), "--out", str(tmp_path / "run"),
           "--strategy", "multiworker"]  # fmt: skip
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}}
        with (tmp_path / f"{tag}-worker-{index}.log").open("w") as log:
            procs.append(
                subprocess.Popen(
                    [*cmd, *ARGS, *extra], cwd=ROOT, env=_env(tf_config), stdout=log, stderr=subprocess.STDOUT
                )
            )
    return procs


def _wait(procs: list[subprocess.Popen], until: float) -> list[int]:
    return [p.wait(timeout=max(1.0, until - time.monotonic())) for p in procs]


def _kill(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)


def _log(tmp_path: Path, tag: str, index: int) -> str:
    return (tmp_path / f"{tag}-worker-{index}.log").read_text(encoding="utf-8", errors="replace")


def _epochs(out: Path) -> int:
    try:
        return len(runs.read_history(out))
    except runs.RunError:
        return 0


def _one_process(tmp_path: Path) -> list[dict]:
    """The same run in one process (the default strategy, the same loop): its history."""
    out = tmp_path / "single"
    cmd = [sys.executable, "-m", "core.train", "--data", str(tmp_path / "pairs.tsv"), "--out", str(out)]
    proc = subprocess.run(
        [*cmd, *ARGS, "--epochs", "2", "--loop", "custom"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return runs.read_history(out)


def _first_start_killed_after_two_epochs(tmp_path: Path) -> tuple[int, float]:
    """Start the cluster, kill worker 1 once the chief has logged two epochs; the chief's exit code, seconds to exit."""
    procs = _start(tmp_path, "first", "--epochs", str(EPOCHS))
    try:
        until = time.monotonic() + DEADLINE
        while _epochs(tmp_path / "run") < 2:
            assert time.monotonic() < until, "no two epochs in time:\n" + _log(tmp_path, "first", 0)[-3000:]
            assert all(p.poll() is None for p in procs), _log(tmp_path, "first", 0)[-3000:]
            time.sleep(0.2)
        procs[1].kill()
        killed = time.monotonic()
        code = procs[0].wait(timeout=240)  # the chief must give up on its own, not hang
        return code, time.monotonic() - killed
    finally:
        _kill(procs)


@pytest.mark.slow  # three clusters and one process train, a few minutes on two cores
def test_two_workers_match_one_process_fail_when_one_is_killed_and_resume(tmp_path):
    (tmp_path / "pairs.tsv").write_text("".join(f"{en}\t{es}\n" for en, es in TINY_PAIRS * 4), encoding="utf-8")
    single = _one_process(tmp_path)
    out = tmp_path / "run"

    code, seconds = _first_start_killed_after_two_epochs(tmp_path)
    chief, worker = _log(tmp_path, "first", 0), _log(tmp_path, "first", 1)
    assert code == 1, chief[-3000:]
    assert "error: a collective step of epoch" in chief and "start every worker again with --resume" in chief, chief
    for log in (chief, worker):  # both workers stepped, on the same number of steps
        assert "strategy multiworker: 2 replica(s)" in log
        assert [line.split(",")[0] for line in log.splitlines() if line.startswith("epoch 1/")] == [
            line.split(",")[0] for line in chief.splitlines() if line.startswith("epoch 1/")
        ]
        assert "epoch 2/" in log
    print(f"the chief failed {seconds:.1f} s after worker 1 was killed")

    rows = runs.read_history(out)
    # every epoch's global batches are one process's: the same losses (the loop and fit agree: loop_test.py)
    for mine, theirs in zip(rows[:2], single, strict=True):
        for key in ("loss", "val_loss"):
            assert mine[key] == pytest.approx(theirs[key], rel=LOSS_RTOL), (key, mine, theirs)
        print(f"epoch {int(mine['epoch'])}: loss {mine['loss']!r} (two workers) vs {theirs['loss']!r} (one process)")
    committed = checkpoints.found(out)[0].epoch
    assert committed == len(rows) >= 2

    procs = _start(tmp_path, "resume", "--epochs", str(committed + 1), "--resume")
    try:
        codes = _wait(procs, time.monotonic() + DEADLINE)
    finally:
        _kill(procs)
    assert codes == [0, 0], _log(tmp_path, "resume", 0)[-3000:] + _log(tmp_path, "resume", 1)[-3000:]
    for index in range(2):
        log = _log(tmp_path, "resume", index)
        assert f"epoch {committed + 1}/{committed + 1}:" in log and "epoch 1/" not in log, log

    # the chief's folder is a whole run; the other worker left nothing anywhere
    assert model_files.check(out) is None
    assert [int(r["epoch"]) for r in runs.read_history(out)] == list(range(1, committed + 2))
    assert checkpoints.found(out)[0].epoch == committed + 1
    for epoch in range(committed + 2):
        runs.read_probes(out, epoch)
    assert runs.is_run(out)
    assert len(model_files.read_training(out)["commands"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["run", "single"]
    load_translator(out).translate("i am cold .")
