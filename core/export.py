"""Copy a trained run into a shippable model folder, optionally with float16 weights.

    python -m core.export --run runs/additive --out assets/additive --float16

Copies every run file except the resume checkpoint, stores weights in float16 when asked
(they are cast back to float32 on load), and checks that the exported model translates the
probe sentences exactly as the original does before it reports success.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import numpy as np

from core import atomic, runs
from core.lock import LOCK_FILE, LockedError, run_lock
from core.probes import PROBE_SENTENCES

SKIP = {runs.CHECKPOINT}


def half_precision(src: Path, dst: Path) -> None:
    """Rewrite a Keras ``.weights.h5`` file with float32 arrays stored as float16."""
    import h5py

    with h5py.File(src, "r") as fin, h5py.File(dst, "w") as fout:
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


def export(run: Path, out: Path, float16: bool = False) -> dict:
    """Copy ``run`` to ``out``; returns sizes and the check of the probe translations.

    The copy is made in a temporary folder beside ``out`` and renamed to ``out`` once checked,
    so ``out`` is complete or absent. ``run`` is locked meanwhile: no training writes it.
    """
    if out.exists():
        raise ValueError(f"{out} exists; remove it first")
    with run_lock(run, "export"):
        staging = out.with_name(f"{atomic.TEMP_PREFIX}{os.getpid()}-{out.name}")
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            result = _export(run, staging, float16)
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


def _export(run: Path, out: Path, float16: bool) -> dict:
    reference = runs.load_translator(run).translate_batch(PROBE_SENTENCES)
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
    exported = runs.load_translator(out).translate_batch(PROBE_SENTENCES)
    same = [a.target_tokens == b.target_tokens for a, b in zip(reference, exported, strict=True)]
    drift = max(
        float(np.abs(a.attention - b.attention).max())
        for a, b in zip(reference, exported, strict=True)
        if a.attention.size
    )
    if not all(same):
        shutil.rmtree(out)
        raise ValueError(f"the exported model translates {same.count(False)} probe sentence(s) differently")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"out": str(out), "bytes": size, "same_probe_translations": True, "max_attention_drift": drift}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.export", description=__doc__.split("\n")[0])
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
