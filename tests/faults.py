"""Seeded corruption of model folders, for the fault tests of the readers and of every page.

``complete_run(folder)`` adds the optional files (metrics, training settings, probes, step
log) to a tiny run folder; ``mutate(folder, kind, rng)`` damages one of its files in one of
many ways and returns a short description. Every mutation is reproducible from its seed.
"""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

from core import runs

PROBE = f"{runs.PROBES}/epoch_001.json"
KINDS = (
    runs.CONFIG,
    runs.METRICS,
    runs.TRAINING,
    runs.HISTORY,
    runs.SRC_VOCAB,
    runs.TGT_VOCAB,
    runs.WEIGHTS,
    PROBE,
    runs.STEPS,
)
OUTSIDE_SECRET = "root:x:0:0:secret-outside-line"  # content of a file outside every model folder


def complete_run(folder: Path) -> Path:
    """Give a tiny run folder every file a trained, evaluated run has."""
    runs.write_metrics(
        folder,
        {
            "bleu": 40.8, "bleu_cased": 38.0, "chrf": 58.7, "sentences": 10, "seconds": 1.5,
            "sentences_per_second": 6.7, "decoding": "greedy", "limit": None,
            "beam": {"bleu": 41.2, "chrf": 59.0, "sentences": 10},
            "model": {"arch": "additive", "params": 1234},
            "training": {"epochs": 1, "wall_time_s": 1.0, "best_val_loss": 2.1, "hardware": "2 CPU cores"},
        },
    )  # fmt: skip
    (folder / runs.TRAINING).write_text(json.dumps({"epochs": 1, "batch_size": 4, "hardware": "2 CPU cores"}))
    (folder / runs.STEPS).write_text("step,epoch,loss,accuracy\n1,1,3.0,0.1\n2,1,2.5,0.2\n")
    (folder / runs.PROBES).mkdir(exist_ok=True)
    probe = {
        "source": "I am cold.",
        "source_tokens": ["i", "am", "cold", "."],
        "target_tokens": ["tengo", "frío", "."],
        "unknown": [False, False, False, False],
        "attention": [[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]],
    }
    (folder / PROBE).write_text(json.dumps({"epoch": 1, "probes": [probe]}))
    return folder


_JSON_VALUES = ["40.8", None, [], {}, True, -1, 0, 1e308, "x" * 5000, [1, 2], {"a": {"b": []}}, 2**70, -0.0, ""]


def _json_mutation(data, rng: random.Random) -> tuple[object, str]:
    """A JSON document with one value of a wrong type, a key dropped, or the whole replaced."""
    if not isinstance(data, dict) or not data or rng.random() < 0.15:
        whole = rng.choice([[], "text", 3, None, [data], {"probes": "x"}, {"training": "x"}])
        return whole, f"whole document → {json.dumps(whole)[:30]}"
    path, node = [], data
    while isinstance(node, dict) and node and rng.random() < 0.6:  # walk into nested objects and lists
        key = rng.choice(list(node))
        if not isinstance(node[key], dict | list) or not node[key]:
            break
        path.append(key)
        node = node[key]
        while isinstance(node, list) and node:
            i = rng.randrange(len(node))
            path.append(i)
            node = node[i]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    target = parent[path[-1]] if path else data
    if isinstance(target, dict) and target:
        key = rng.choice(list(target))
        if rng.random() < 0.2:
            del target[key]
            return data, f"dropped {'.'.join(map(str, [*path, key]))}"
        value = rng.choice(_JSON_VALUES)
        target[key] = value
        return data, f"{'.'.join(map(str, [*path, key]))} → {json.dumps(value)[:30]}"
    value = rng.choice(_JSON_VALUES)
    if path:
        parent[path[-1]] = value
    return data, f"{'.'.join(map(str, path))} → {json.dumps(value)[:30]}"


def _csv_mutation(text: str, rng: random.Random) -> tuple[str, str]:
    lines = text.splitlines()
    row = rng.randrange(len(lines))
    cells = lines[row].split(",")
    col = rng.randrange(len(cells))
    choice = rng.randrange(8)
    if choice == 0:
        cells[col] = ""
        what = "empty cell"
    elif choice == 1:
        cells[col] = rng.choice(["nan", "inf", "-inf", "1e999", "x", "²", "1,5", '"'])
        what = f"cell {cells[col]!r}"
    elif choice == 2:
        cells[col] = "9" * rng.choice([200, 5000, 140_000])
        what = f"{len(cells[col])}-character cell"
    elif choice == 3:
        del cells[col]
        what = "a cell removed"
    elif choice == 4:
        cells.append("extra")
        what = "an extra cell"
    elif choice == 5:
        cells[col] = '"' + "a" * 140_000
        what = "unterminated quoted field"
    elif choice == 6:
        return "\n".join(lines[:row]) + "\n", f"only {row} lines"
    else:
        cells[col] = "-" + cells[col]
        what = "negative value"
    lines[row] = ",".join(cells)
    return "\n".join(lines) + "\n", f"line {row + 1}: {what}"


def mutate(folder: Path, kind: str, rng: random.Random) -> str:
    """Damage ``folder/kind`` in one seeded way; returns what was done."""
    path = folder / kind
    data = path.read_bytes()
    op = rng.randrange(10)
    if op == 0:
        cut = rng.randrange(len(data) + 1)
        path.write_bytes(data[:cut])
        return f"truncated to {cut} bytes"
    if op == 1:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        path.write_bytes(bytes(buf))
        return "random bytes flipped"
    if op == 2:
        at = rng.randrange(len(data) + 1)
        path.write_bytes(data[:at] + b"\xff\xfe\xc3" + data[at:])
        return f"non-UTF-8 bytes at {at}"
    if op == 3:
        outside = folder.parent.parent / "outside.txt"
        outside.write_text(OUTSIDE_SECRET + "\n")
        path.unlink()
        os.symlink(rng.choice([outside, "/etc/passwd", "/dev/zero", "../../outside.txt"]), path)
        return "symlink out of the folder"
    if op == 4:
        path.unlink()
        if rng.random() < 0.5:
            path.mkdir()
            return "a folder instead of the file"
        os.symlink(path.name, path)
        return "a symlink to itself"
    if op == 5 and kind != runs.WEIGHTS:
        path.write_bytes(b"\xef\xbb\xbf" + data)
        return "a UTF-8 byte-order mark"
    if op == 6 and kind.endswith(".json"):
        doc, what = _json_mutation(json.loads(data), rng)
        path.write_text(json.dumps(doc, allow_nan=True))
        return what
    if op == 7 and kind.endswith(".json"):
        doc = json.loads(data)
        doc = {k: math.nan if isinstance(v, float) else v for k, v in doc.items()} if isinstance(doc, dict) else doc
        path.write_text(json.dumps(doc, allow_nan=True) + ' {"second": 1}' * rng.randint(0, 1))
        return "NaN numbers"
    if op in (6, 7, 8) and kind.endswith(".csv"):
        text, what = _csv_mutation(data.decode("utf-8"), rng)
        path.write_text(text, encoding="utf-8")
        return what
    if op in (6, 7, 8) and kind.endswith(".txt"):
        lines = data.decode("utf-8").split("\n")
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(["", lines[0], "x" * 100_000, "[UNK]"])
        path.write_text("\n".join(lines), encoding="utf-8")
        return f"vocabulary line {i + 1} replaced"
    if op == 9:
        path.write_bytes(b"")
        return "empty file"
    path.write_bytes(data[: len(data) // 2])
    return "cut in half"
