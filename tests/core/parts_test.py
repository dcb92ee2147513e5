"""core/ as a few named parts: every import arrow goes down the floors, and no module imports itself back.

The allowed arrows are the table in ``docs/architecture.md``; an arrow not in it (or a new part)
fails here until the table, and the picture, say where it belongs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"

# part -> the parts it may import (its floor is above all of them)
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "attention": set(),
    "layers": set(),
    "data": {"text"},
    "models": {"text", "attention", "layers"},
    "runs": {"text", "models"},
    "decoding": {"text", "models", "runs"},
    "evaluate": {"text", "data", "models", "runs", "decoding"},
    "interventions": {"text", "data", "attention", "layers", "models", "runs", "decoding", "evaluate"},
    "attribution": {"text", "data", "attention", "layers", "models", "runs", "decoding", "evaluate", "interventions"},
    "train": {"text", "data", "attention", "layers", "models", "runs", "decoding", "evaluate"},
    "translate": {"text", "models", "runs", "decoding"},
}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    """The project modules ``path`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core" and not node.level:
            for alias in node.names:  # ``from core.runs import model_files`` imports that module
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _is_module(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "core"}
    return found


def _is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(CORE.rglob("*.py"))}


def part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def test_the_top_level_is_a_few_named_parts():
    entries = sorted(p.name for p in CORE.iterdir() if p.name != "__pycache__")
    assert len(entries) <= 13, entries
    for entry in entries:
        if entry.endswith(".py"):
            continue
        init = CORE / entry / "__init__.py"
        assert init.is_file(), f"core/{entry} is not a package"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc.lower(), (
            f"core/{entry}/__init__.py must say what lives there and what it may import"
        )


def test_every_arrow_between_parts_is_allowed():
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            src, dst = part(module), part(target)
            if src != dst and src != "core" and dst not in ALLOWED.get(src, set()):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports across parts outside docs/architecture.md's table:\n" + "\n".join(sorted(wrong))


def test_the_allowed_table_has_floors():
    """The table itself has no circle: the parts can be stacked."""
    placed: list[str] = []
    todo = dict(ALLOWED)
    while todo:
        ready = [p for p, needs in todo.items() if needs <= set(placed)]
        assert ready, f"the allowed imports of {sorted(todo)} go round in a circle"
        placed += sorted(ready)
        for p in ready:
            del todo[p]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_itself_back():
    """Package ``__init__`` files re-export their part's API; no module of a part imports its own package."""
    edges = graph()
    # a package importing its own modules is how it re-exports; a module importing its package is a circle
    assert _cycles(edges) == []


@pytest.mark.parametrize("edges, circle", [({"a": {"b"}, "b": {"a"}}, True), ({"a": {"b"}, "b": set()}, False)])
def test_the_circle_finder_finds_circles(edges, circle):
    assert bool(_cycles(edges)) is circle
