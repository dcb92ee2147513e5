"""Seeded hostile model folders: what a colleague can put in a model root, by kind.

``make_hostile_root(root, additive, transformer, n, seed)`` fills ``root`` with ``n`` folders,
each a copy of a complete tiny model (``tests/faults.py``'s :func:`complete_run`, plus
TensorBoard events and explanation files) damaged in one way of one kind:

- ``names``: folder names that are not UTF-8, hold control characters, Markdown or HTML,
  right-to-left marks, 200 characters, or start with a dot (a killed export's staging folder);
- ``file kinds``: a file that is a FIFO, a socket, a folder, a link to ``/dev/zero``, to
  ``/etc/passwd`` or to a secret outside the root, a link loop or a dangling link;
- ``contents``: :func:`tests.faults.mutate` of every file type, and nulls, huge numbers,
  lying explanation files, NaN weights, lying TensorBoard tensors, configs over the budget;
- ``sizes``: sparse files one byte over each reader's cap (a 2 GiB weights file costs no disk);
- ``links``: the folder itself a link (to ``/``, ``/proc/self``, a loop, nowhere, outside), or
  its sub-folders linked out of it.

Every folder is recorded as a :class:`Hostile` (name on disk, kind, what was done, and
whether the model must be unusable). The secret outside the root is :data:`OUTSIDE_SECRET`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

from core import runs
from core.runs import history, model_files
from tests.faults import KINDS, OUTSIDE_SECRET, PROBE, complete_run, mutate
from tests.hostile_plan import plan

EVENTS = f"{runs.TENSORBOARD}/train/events.out.tfevents.1.host"
ATTRIBUTION, IMPORTANCE = "attribution.json", "head_importance.json"
# files a model cannot be used without: damage to one of these makes the model unusable
REQUIRED = (runs.CONFIG, runs.WEIGHTS, runs.SRC_VOCAB, runs.TGT_VOCAB)
TARGETS = (*REQUIRED, runs.METRICS, runs.TRAINING, runs.HISTORY, runs.STEPS, PROBE, EVENTS, ATTRIBUTION, IMPORTANCE)
CAPS = {
    **model_files.MAX_BYTES,
    PROBE: model_files.MAX_BYTES["probe"],
    EVENTS: history.MAX_EVENT_BYTES,
    ATTRIBUTION: model_files.MAX_BYTES["probe"],
    IMPORTANCE: model_files.MAX_BYTES["probe"],
}


LONG_NAME = 200  # characters of the long folder name (before its number)
# the costliest config the contents kind writes: every size within its cap, the whole far over the budget
HUGE = {"arch": "transformer", "num_layers": 12, "num_heads": 64, "d_model": 1024, "ff_dim": 8192,
        "src_vocab_size": 100_000, "tgt_vocab_size": 100_000, "max_source_len": 512, "max_decode_len": 512}  # fmt: skip


@dataclass(frozen=True)
class Hostile:
    """One hostile folder: its name on disk, its kind, what was done, and whether it must be unusable."""

    name: str
    kind: str
    what: str
    unusable: bool = False


def _events(path: Path, losses: list[float]) -> None:
    from tensorboard.compat.proto import event_pb2

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        for step, loss in enumerate(losses):
            event = event_pb2.Event(wall_time=100.0 + step, step=step)
            event.summary.value.add(tag="epoch_loss", simple_value=loss)
            f.write(_record(event))


def _record(event) -> bytes:
    data = event.SerializeToString()
    return struct.pack("<Q", len(data)) + b"\0" * 4 + data + b"\0" * 4


def complete_template(folder: Path, transformer: bool = False) -> Path:
    """A tiny model with every file a trained, evaluated and explained run has."""
    complete_run(folder)
    _events(folder / EVENTS, [2.0, 1.5])
    summary = {"spearman": {"attention_vs_integrated": 0.4, "attention_vs_grad_input": 0.3}, "sentences": 5}
    (folder / ATTRIBUTION).write_text(json.dumps(summary))
    if transformer:
        head = {"kind": "cross", "layer": 1, "head": 1, "bleu": 1.0, "bleu_drop": 0.5, "mean_delta_log_p": -0.1}
        data = {"heads": [head], "most_important": head, "sentences": 5, "bleu": 1.0}
        (folder / IMPORTANCE).write_text(json.dumps(data))
    return folder


class _Maker:
    """Makes the hostile folders of one root from two templates, drawing every choice from one seeded RNG."""

    def __init__(self, root: Path, additive: Path, transformer: Path, seed: int) -> None:
        self.root, self.templates, self.rng = root, (additive, transformer), random.Random(seed)
        self.outside = root.parent / "outside"
        self.outside.mkdir(exist_ok=True)
        self.secret = self.outside / "secret.txt"
        self.secret.write_text(OUTSIDE_SECRET + "\n")
        (self.outside / "secret.json").write_text(json.dumps({"bleu": 1.0, "note": OUTSIDE_SECRET}))
        self.count = 0

    def copy(self, name: str) -> Path:
        self.count += 1
        template = self.rng.choice(self.templates)
        folder = self.root / name
        shutil.copytree(template, folder, symlinks=True)
        return folder

    def fresh(self, prefix: str) -> tuple[str, Path]:
        name = f"{prefix}-{self.count:03d}"
        return name, self.copy(name)

    # ---------------------------------------------------------------- the kinds

    def names(self) -> Hostile:
        r = self.rng
        n = self.count
        choice = r.randrange(7)
        if choice == 0:
            raw = b"n" + bytes(r.choice([0x80, 0xC3, 0xFF, 0xFE, 0xED]) for _ in range(r.randint(1, 4))) + b"%03d" % n
            name = os.fsdecode(raw)
            self.copy(name)
            return Hostile(name, "names", "bytes that are not UTF-8", unusable=True)
        names = [
            f"ctl-{n}\n\t\x1b[31m\x07",
            f"<script>alert({n})</script>",
            f"**bold** `code` $x$ :material/home: [{n}](javascript:alert(1))",
            f"\u202eledom-{n}\u0301\U0001f600",
            f"{'x' * LONG_NAME}-{n}",
            f"%s %(x)s {{model}} {{0}}-{n}",
        ]
        name = names[choice - 1]
        self.copy(name)
        return Hostile(name, "names", f"name of {len(name)} characters: {name[:12]!r}")

    def hidden(self) -> Hostile:
        name = f".tmp-{self.rng.randrange(2, 4_000_000)}-export-{self.count:03d}"
        self.copy(name)
        return Hostile(name, "names", "a staging folder of a killed export (hidden)")

    def file_kinds(self) -> Hostile:
        target = self.rng.choice(TARGETS)
        how = self.rng.choice(["fifo", "socket", "folder", "dev-zero", "passwd", "secret", "loop", "dangling"])
        name, folder = self.fresh("kind")
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        if how == "fifo":
            os.mkfifo(path)
        elif how == "socket":
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.bind(str(path))
                except OSError:  # a path too long for a socket: a FIFO instead
                    os.mkfifo(path)
        elif how == "folder":
            path.mkdir()
        else:
            link = {"dev-zero": "/dev/zero", "passwd": "/etc/passwd", "secret": str(self.secret)}.get(how)
            os.symlink(link or (path.name if how == "loop" else "nowhere"), path)
        return Hostile(name, "file kinds", f"{target} is a {how}", unusable=target in REQUIRED)

    def contents(self) -> Hostile:
        r = self.rng
        choice = r.randrange(8)
        name, folder = self.fresh("content")
        if choice <= 2:  # the shared mutations of every file type
            kind = r.choice(KINDS)
            return Hostile(name, "contents", f"{kind}: {mutate(folder, kind, r)}")
        if choice == 3:
            metrics = json.loads((folder / runs.METRICS).read_text())
            part, key, value = r.choice([
                ("training", "wall_time_s", None), ("training", "epochs", None), ("model", "params", 10**40),
                ("model", "params", 1e40), ("training", "saved_epoch", "x"), ("training", "keep", 3),
                (None, "sentences", 2**70), (None, "bleu", 1e308), ("beam", "bleu", None),
            ])  # fmt: skip
            (metrics.setdefault(part, {}) if part else metrics)[key] = value
            (folder / runs.METRICS).write_text(json.dumps(metrics))
            return Hostile(name, "contents", f"metrics.json {part}.{key} = {str(value)[:20]}")
        if choice == 4:
            target = r.choice([ATTRIBUTION, IMPORTANCE])
            value = r.choice(['{"most_important": "x", "heads": []}', '{"spearman": {"x": 2}}', "[]", '{"heads": [{"layer": 1}]}',
                              '{"spearman": {"attention_vs_integrated": NaN}, "sentences": 1}', "\xff"])  # fmt: skip
            (folder / target).write_bytes(value.encode("utf-8", "surrogateescape"))
            return Hostile(name, "contents", f"{target} = {value[:30]}")
        if choice == 5:
            import h5py
            import numpy as np

            with h5py.File(folder / runs.WEIGHTS, "r+") as f:
                found = []
                f.visititems(
                    lambda n, o: found.append(n) if isinstance(o, h5py.Dataset) and o.dtype.kind == "f" else None
                )
                data = f[found[r.randrange(len(found))]]
                data[...] = np.full(data.shape, r.choice([np.nan, np.inf, -np.inf]), data.dtype)
            return Hostile(name, "contents", "weights with NaN or infinite values", unusable=True)
        if choice == 6:
            event = _lying_tensor(r)
            (folder / EVENTS).write_bytes((folder / EVENTS).read_bytes() + _record(event))
            return Hostile(name, "contents", "a TensorBoard tensor whose shape and bytes disagree")
        config = json.loads((folder / runs.CONFIG).read_text())
        config |= r.choice([HUGE, {"arch": "transformer", "num_layers": 12, "d_model": 1024, "num_heads": 16,
                                   "ff_dim": 8192}, {"unknown_key": 1}, {"d_model": 10**30}, {"dropout": "0.1"}])  # fmt: skip
        (folder / runs.CONFIG).write_text(json.dumps(config))
        return Hostile(name, "contents", f"config.json: {sorted(config)[:1]} changed", unusable=True)

    def sizes(self) -> Hostile:
        target = self.rng.choice(TARGETS)
        name, folder = self.fresh("size")
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_dir():
            path.unlink()
        with path.open("r+b" if path.exists() else "wb") as f:  # sparse past the old end: no disk used
            f.truncate(CAPS[target] + 1)
        return Hostile(name, "sizes", f"{target} one byte over its cap", unusable=target in REQUIRED)

    def links(self) -> Hostile:
        r = self.rng
        choice = r.randrange(6)
        name = f"link-{self.count:03d}"
        if choice <= 2:
            self.count += 1
            target = [["/", "/proc/self", "/etc", "/dev"][r.randrange(4)], name, str(self.root / "nowhere")][choice]
            os.symlink(target, self.root / name)
            return Hostile(name, "links", f"the folder is a link to {target[-20:]}")
        if choice == 3:  # the whole folder lives outside the root, its config is the secret
            self.count += 1
            outside = self.outside / name
            shutil.copytree(self.rng.choice(self.templates), outside, symlinks=True)
            (outside / runs.CONFIG).write_text(OUTSIDE_SECRET)
            os.symlink(outside, self.root / name)
            return Hostile(name, "links", "a link to a folder outside the root", unusable=True)
        name, folder = self.fresh("link")
        sub = r.choice([runs.TENSORBOARD, runs.PROBES])
        shutil.rmtree(folder / sub)
        os.symlink(r.choice(["/etc", str(self.outside), "/proc/self"]), folder / sub)
        return Hostile(name, "links", f"{sub}/ is a link out of the folder")


def _lying_tensor(r: random.Random):
    from tensorboard.compat.proto import event_pb2

    event = event_pb2.Event(wall_time=200.0, step=2)
    value = event.summary.value.add(tag="epoch_loss")
    value.tensor.dtype = 1
    dims, content = r.choice([([3], b"\0" * 5), ([1_000_000, 1_000_000], b""), ([1], b"\0" * 3), ([-1], b"")])
    for d in dims:
        value.tensor.tensor_shape.dim.add(size=d)
    if content:
        value.tensor.tensor_content = content
    else:
        value.tensor.float_val.append(1.0)
    return event


def make_hostile_root(root: Path, additive: Path, transformer: Path, n: int, seed: int) -> list[Hostile]:
    """``n`` seeded hostile folders in ``root`` beside whatever it holds, made in the order of
    :func:`tests.hostile_plan.plan` (see the module docstring)."""
    maker = _Maker(root, additive, transformer, seed)
    return [getattr(maker, name)() for name in plan(n)]
