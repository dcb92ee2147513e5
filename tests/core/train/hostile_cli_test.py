"""The command lines under hostile conditions: bad environment and flags refused first, honest exit codes, no litter.

Each test here failed before: a full disk during an HDF5 write crashed the process (SIGSEGV),
a killed export's staging folder was listed as a model and never cleaned, a killed
``evaluate --write`` left its temporary file, ``TF_CONFIG='{bad'`` was a traceback,
``--resume --out <missing>`` left a folder with a lock file, an export left ``.lock`` in its
source, and ``--seed 2**40``, ``--src-vocab-size 3`` and ``--init-from /etc`` were refused only
after the data was read, without naming the flag.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core import runs
from core.train import cli as train_cli
from core.train import export as export_cli


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    from tests.app.tiny_models import write_tiny_run

    return write_tiny_run(tmp_path_factory.mktemp("tiny") / "tiny", "additive")


def _dead_pid() -> int:
    """The PID of a process that has ended."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


# ------------------------------------------------------------------------------ checked before any work


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (("--seed", str(2**40)), "--seed 1099511627776"),
        (("--src-vocab-size", "3"), "--src-vocab-size 3"),
        (("--tgt-vocab-size", "2"), "--tgt-vocab-size 2"),
        (("--init-from", "/etc"), "--init-from /etc"),
        (("--arch", "transformer", "--d-model", "65536"), "--d-model 65536"),
    ],
)
def test_a_bad_flag_is_named_before_the_data_is_looked_for(train_args, tmp_path, capsys, extra, flag):
    out = tmp_path / "run"
    assert train_cli.main([*train_args(tmp_path / "nowhere.tsv", out), *extra]) == 2
    err = capsys.readouterr().err
    assert flag in err and "nowhere.tsv" not in err and "Traceback" not in err, err
    assert not out.exists()


def test_init_from_a_broken_model_is_named(train_args, tiny_tsv, tiny_run, tmp_path, capsys):
    source = tmp_path / "source"
    shutil.copytree(tiny_run, source)
    (source / runs.SRC_VOCAB).write_text("not a vocabulary\n")
    assert train_cli.main([*train_args(tmp_path / "nowhere.tsv", tmp_path / "run"), "--init-from", str(source)]) == 2
    err = capsys.readouterr().err
    assert f"--init-from {source} cannot be used: {runs.SRC_VOCAB}" in err, err


@pytest.mark.parametrize("value", ["{bad", "[1, 2]", '{"task": {"type": "worker", "index": "x"}}'])
def test_a_bad_tf_config_is_a_usage_error(train_args, tiny_tsv, tmp_path, capsys, monkeypatch, value):
    monkeypatch.setenv("TF_CONFIG", value)
    out = tmp_path / "run"
    assert train_cli.main(train_args(tiny_tsv, out)) == 2
    err = capsys.readouterr().err
    assert "$TF_CONFIG" in err and "Traceback" not in err, err
    assert not out.exists()


def test_resuming_a_missing_folder_leaves_no_folder(train_args, tiny_tsv, tmp_path, capsys):
    out = tmp_path / "missing"
    assert train_cli.main([*train_args(tiny_tsv, out), "--resume"]) == 2
    assert "--resume needs an existing run" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------------------ HDF5 writes and full disks


def test_weights_made_in_memory_are_what_save_weights_writes(tiny_run, tmp_path):
    from core.models import build_model
    from core.runs import model_files
    from core.train import checkpoints

    config = model_files.read_config(tiny_run)
    model = build_model(config)
    model_files.load_weights(model, tiny_run)
    checkpoints.write_weights(model, tmp_path / runs.WEIGHTS, "weights")
    again = build_model(config)
    again.load_weights(tmp_path / runs.WEIGHTS)
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_a_full_disk_during_an_hdf5_write_exits_1_not_with_a_crash(tiny_tsv, tmp_path):
    """The file-size limit makes every write past 60 kB fail as a full disk does (EFBIG instead of ENOSPC)."""
    script = textwrap.dedent(f"""
        import sys
        from tests.conftest import _train_args
        from core.train.cli import main
        sys.exit(main(_train_args({str(tiny_tsv)!r}, {str(tmp_path / "run")!r}, "--epochs", "2")))
    """)

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=runs.PROJECT_ROOT, capture_output=True, text=True, timeout=900,
        preexec_fn=limit_file_size, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "cannot write" in lines[0] and "File too large" in lines[0], done.stderr[-2000:]


# ------------------------------------------------------------------------------ what killed writers leave


def test_an_export_leaves_its_source_as_it_was_and_cleans_killed_exports(tiny_run, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_DATA", str(tmp_path / "no-corpus"))  # the probe sentences are checked
    source = tmp_path / "source"
    shutil.copytree(tiny_run, source)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in source.iterdir())
    shipped = tmp_path / "shipped"
    stale = shipped / f".tmp-{_dead_pid()}-old"
    shutil.copytree(tiny_run, stale)  # what a killed export leaves: a complete-looking model
    (shipped / f".tmp-{os.getpid()}-running").mkdir()  # a live writer's own is kept
    assert [r.name for r in runs.find_runs([shipped])] == []  # never listed as a model

    result = export_cli.export(source, shipped / "new")
    assert result["changed"] == 0
    assert sorted((p.name, p.stat().st_mtime_ns) for p in source.iterdir()) == before  # no .lock, nothing touched
    assert not stale.exists() and (shipped / f".tmp-{os.getpid()}-running").exists()
    assert [r.name for r in runs.find_runs([shipped])] == ["shipped/new"]


def test_evaluate_write_removes_a_killed_writers_temporary_file(tiny_run, tiny_tsv, tmp_path):
    from core.evaluate import main

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    stale = run / f".tmp-{_dead_pid()}-metrics.json"
    stale.write_text('{"bleu": 1')
    assert main(["--run", str(run), "--data", str(tiny_tsv), "--write"]) == 0
    assert not stale.exists()
    assert runs.read_metrics(run) is not None
