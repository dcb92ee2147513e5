"""Copy a trained run into a shippable model folder, optionally with float16 weights.

    python -m core.train.export --run runs/additive --out assets/additive --float16

Copies every run file except the resume checkpoint, stores weights in float16 when asked
(they are cast back to float32 on load), and checks the exported model against the original
before it reports success: on the probe sentences and the first ``CHECK_SLICE`` (200) test
sentences — the slice metrics.json's quick check scores — at most ``MAX_CHANGED`` of the
sentences may come out differently (float16 rounding can flip a near tie), and on those that
translate the same the largest attention weight difference must stay within
``MAX_ATTENTION_DRIFT``. Without the data set only the probe sentences are checked, and the
result says so.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from pathlib import Path

import numpy as np

from core import runs
from core.data.probes import PROBE_SENTENCES
from core.runs import atomic, provenance
from core.runs.lock import LOCK_FILE, LockedError, run_lock

EXPORT_COMMAND = "python -m core.train.export"
SKIP = {runs.CHECKPOINT}
MAX_CHANGED = 0.01  # fraction of the checked sentences an export may translate differently
MAX_ATTENTION_DRIFT = 0.02  # largest |Δ weight| allowed on sentences translated the same


def check_sentences(run: Path) -> tuple[list[str], str]:
    """The probe sentences and the first CHECK_SLICE test sentences, with a word on what was checked."""
    from core.data import DataNotFoundError
    from core.evaluate import CHECK_SLICE, test_references

    try:
        head = list(test_references(run))[:CHECK_SLICE]
    except DataNotFoundError:
        return list(PROBE_SENTENCES), f"{len(PROBE_SENTENCES)} probe sentences (data set not found)"
    return [*PROBE_SENTENCES, *head], f"{len(PROBE_SENTENCES)} probe sentences + the first {len(head)} test sentences"


def compare(reference: list, exported: list) -> dict:
    """How many translations changed and the largest attention drift on those that did not."""
    same = [a.target_tokens == b.target_tokens for a, b in zip(reference, exported, strict=True)]
    drift = max(
        (
            float(np.abs(a.attention - b.attention).max())
            for a, b, s in zip(reference, exported, same, strict=True)
            if s and a.attention.size
        ),
        default=0.0,
    )
    return {"sentences": len(same), "changed": same.count(False), "max_attention_drift": drift}


def half_precision(src: Path, dst: Path) -> None:
    """Rewrite a Keras ``.weights.h5`` file with float32 arrays stored as float16.

    The new file is made in memory and written with a plain write: a full disk fails that
    write with an ``OSError``, never inside the HDF5 library (see :func:`core.train.checkpoints.weights_bytes`).
    """
    import io

    import h5py

    buffer = io.BytesIO()
    with h5py.File(src, "r") as fin, h5py.File(buffer, "w") as fout:
        for key, value in fin.attrs.items():
            fout.attrs[key] = value

        def copy(name, obj):
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                fout.create_dataset(name, data=data.astype("float16") if data.dtype == np.float32 else data)
            else:
                fout.require_group(name)
            for key, value in obj.attrs.items():
                fout[name].attrs[key] = value

        fin.visititems(copy)
    atomic.write_bytes(dst, buffer.getvalue())


def export(run: Path, out: Path, float16: bool = False) -> dict:
    """Copy ``run`` to ``out``; returns sizes and the check against the original's translations.

    The copy is made in a temporary folder beside ``out`` and renamed to ``out`` once checked,
    so ``out`` is complete or absent; staging folders that killed exports left beside it are
    removed first. ``run`` is locked meanwhile (no training writes it) and left unchanged.
    """
    if out.exists():
        raise ValueError(f"{out} exists; remove it first")
    if not (run / runs.CONFIG).is_file():
        raise ValueError(f"--run {run} is not a model folder (no {runs.CONFIG} there)")
    with run_lock(run, "export", create=False):  # nothing is written into the source, not even a lock file
        staging = out.with_name(f"{atomic.TEMP_PREFIX}{os.getpid()}-{out.name}")
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic.remove_stale(out.parent)  # staging folders of exports that were killed
        try:
            result = _export(run, staging, float16, out)
            _fsync_tree(staging)
            os.rename(staging, out)  # fails if out appeared meanwhile
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return {**result, "out": str(out)}


def _fsync_tree(folder: Path) -> None:
    for p in [*folder.rglob("*"), folder]:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _export(run: Path, out: Path, float16: bool, final: Path) -> dict:
    sentences, checked = check_sentences(run)
    from core.decoding import load_translator

    reference = load_translator(run).translate_batch(sentences)
    out.mkdir(parents=True)
    for item in run.iterdir():
        if item.name in SKIP or item.name == LOCK_FILE or item.name.startswith(atomic.TEMP_PREFIX):
            continue
        if item.name.endswith(".log"):
            continue
        if item.is_dir():
            shutil.copytree(item, out / item.name)
        elif item.name == runs.WEIGHTS and float16:
            half_precision(item, out / item.name)
        else:
            shutil.copy2(item, out / item.name)
    if (out / runs.TRAINING).exists():  # the copy says how it was made, after the commands that trained it
        line = shlex.join([*EXPORT_COMMAND.split(), "--run", str(run), "--out", str(final), *(["--float16"] * float16)])
        provenance.update_training(out, **{provenance.COMMANDS: [*provenance.commands(out), line]})
    exported = load_translator(out).translate_batch(sentences)
    check = compare(reference, exported)
    allowed = int(MAX_CHANGED * check["sentences"])
    problems = []
    if check["changed"] > allowed:
        problems.append(
            f"translates {check['changed']} of {check['sentences']} sentences differently (at most {allowed})"
        )
    if check["max_attention_drift"] > MAX_ATTENTION_DRIFT:
        problems.append(
            f"moves an attention weight by {check['max_attention_drift']:.4f} (at most {MAX_ATTENTION_DRIFT})"
        )
    if problems:
        shutil.rmtree(out)
        raise ValueError(f"the export of {run.name} " + " and ".join(problems) + f"; checked: {checked}")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"out": str(out), "bytes": size, "checked": checked, **check}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.train.export", description=__doc__.split("\n")[0])
    p.add_argument("--run", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--float16", action="store_true", help="store the weights in float16")
    args = p.parse_args(argv)
    try:
        result = export(args.run, args.out, args.float16)
    except LockedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
