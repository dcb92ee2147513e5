"""Every number the documents state, read from the file that holds it.

Each function decorated with :func:`fact` is one named placeholder of the templates in
``docs/src/`` (``{{ name }}``): it reads the model folders in ``assets/`` (``metrics.json``,
``training.json``, ``history.csv``, ``attribution.json``, ``head_importance.json``), a
benchmark's JSON under ``docs/data/``, or a constant of the code (read from its source, not
imported, so nothing heavy loads; a value that is not a literal, such as a table keyed by signal
or by file name, is imported from its module, which must stay light). A fact that cannot be stated as written — models that
disagree on a value the text gives once, a benchmark file that is missing a field — raises
:class:`BuildError` naming the file, instead of writing something the files do not say.
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
DATA = ROOT / "docs" / "data"

FACTS: dict[str, Callable[[Facts], str]] = {}


class BuildError(ValueError):
    """A document cannot be written from the files as they are; the message names the file."""


def fact(fn: Callable[[Facts], str]) -> Callable[[Facts], str]:
    """Register ``fn`` as the placeholder of its name."""
    FACTS[fn.__name__] = fn
    return fn


def constant(path: str, name: str):
    """The value of the module-level assignment ``name`` in the source file ``path`` (relative to the root).

    Literals and arithmetic over the file's other literal constants are evaluated; nothing is imported.
    """
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    env: dict[str, object] = {}
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            if not isinstance(target, ast.Name) or node.value is None:
                continue
            try:
                env[target.id] = eval(compile(ast.Expression(node.value), path, "eval"), {"__builtins__": {}}, env)  # noqa: S307
            except Exception:  # names of other modules, calls: not a constant of this file
                continue
    if name not in env:
        raise BuildError(f"{path}: no constant {name} that can be read without importing the module")
    return env[name]


def length(path: str, name: str) -> int:
    """How many items the tuple, list, set or dict display assigned to ``name`` in ``path`` holds (read, not run)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(node.value, ast.Tuple | ast.List | ast.Set):
                return len(node.value.elts)
            if isinstance(node.value, ast.Dict):
                return len(node.value.keys)
    raise BuildError(f"{path}: no tuple, list, set or dict {name}")


def xfail_reason(path: str, test: str) -> str | None:
    """The ``reason`` of ``@pytest.mark.xfail(...)`` on ``test`` in ``path``; None when it is not marked."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == test:
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and ast.unparse(deco.func) == "pytest.mark.xfail":
                    for kw in deco.keywords:
                        if kw.arg == "reason":
                            return ast.literal_eval(kw.value)
            return None
    raise BuildError(f"{path}: no test {test}")


def count(n: int) -> str:
    return f"{n:,}"


def pct(fraction: float) -> str:
    return f"{100 * fraction:g} %"


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise BuildError(f"{path.relative_to(ROOT)}: {e}") from None


class Facts:
    """The files the documents are written from, each read once."""

    @cached_property
    def models(self) -> list[Path]:
        from core.runs import find_runs

        found = [r.path for r in find_runs([ASSETS]) if r.error is None]
        if not found:
            raise BuildError("assets/: no usable model folder")
        return sorted(found)

    def name(self, path: Path) -> str:
        return path.relative_to(ROOT).as_posix()

    def file(self, path: Path, name: str) -> dict:
        return read_json(path / name)

    def history(self, path: Path) -> dict[int, dict[str, float]]:
        with open(path / "history.csv", encoding="utf-8", newline="") as f:
            return {int(r["epoch"]): {k: float(v) for k, v in r.items() if v} for r in csv.DictReader(f)}

    def common(self, what: str, get: Callable[[Path], object]):
        """The one value every shipped model gives for ``what``; BuildError when they differ."""
        values = {self.name(p): get(p) for p in self.models}
        if len({json.dumps(v, sort_keys=True) for v in values.values()}) != 1:
            raise BuildError(f"the shipped models differ in {what}: {values}; the documents state one value")
        return next(iter(values.values()))

    def of_arch(self, arch: str) -> list[Path]:
        return [p for p in self.models if self.file(p, "config.json")["arch"] == arch]

    def bench(self, name: str) -> dict:
        return read_json(DATA / name)


def conditions(data: dict, file: str) -> str:
    """When, on how many cores and under what load a benchmark file was measured, with its note."""
    try:
        cores = data.get("cpu_count") or data["cpu_cores"]
        text = f"Measured {data['measured']} on {cores} cores"
    except KeyError as e:
        raise BuildError(f"docs/data/{file}: no {e} field") from None
    if "load_avg_before" in data:
        text += f", load average {data['load_avg_before']} before and {data['load_avg_after']} after"
    return text + (f"; {data['note']}" if data.get("note") else "") + "."
