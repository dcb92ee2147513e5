"""The project's own source, read at run time: equations from docstrings and the code that implements them.

Nothing here is a copy: a page that shows a formula or a function shows what the
files hold now, so the explanation cannot drift from the model.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Snippet:
    """A piece of source code and where it lives."""

    code: str
    file: str  # relative to the project root
    name: str  # qualified name, e.g. ``AdditiveAttention.call``
    line: int  # first line in the file, 1-based


def _relative(path: str | None) -> str:
    if not path:
        return "?"
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return Path(path).name


def source_of(obj) -> Snippet:
    """The source of a function, method or class, as :func:`inspect.getsource` reads it."""
    lines, start = inspect.getsourcelines(obj)
    module = inspect.getmodule(obj)
    return Snippet(
        code=textwrap.dedent("".join(lines)).rstrip(),
        file=_relative(inspect.getsourcefile(obj)),
        name=f"{module.__name__}.{obj.__qualname__}" if module else obj.__qualname__,
        line=start,
    )


def assignment_of(module: ModuleType, name: str) -> Snippet:
    """The source of a module-level assignment ``name = ...`` (a table of functions, say)."""
    text = inspect.getsource(module)
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return Snippet(
                code=ast.get_source_segment(text, node) or "",
                file=_relative(inspect.getsourcefile(module)),
                name=f"{module.__name__}.{name}",
                line=node.lineno,
            )
    raise LookupError(f"{module.__name__} assigns no {name}")


def docstring_math(obj) -> list[str]:
    """The LaTeX of every ``.. math::`` block in ``obj``'s docstring, one string per equation.

    A block is its indented lines after ``.. math::``; blank lines inside it separate
    equations.
    """
    doc = inspect.getdoc(obj) or ""
    equations: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != ".. math::":
            i += 1
            continue
        i += 1
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
            block.append(lines[i])
            i += 1
        current: list[str] = []
        for line in [*block, ""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                equations.append("\n".join(current))
                current = []
    return equations


def stack_equations(latex: str) -> str:
    """Put each ``, \\quad``-separated equation of a docstring block on its own line.

    Readable on a projector, where one long line would be cut or shrunk.
    """
    lines = latex.splitlines()
    if not any(line.rstrip().endswith(r"\quad") for line in lines[:-1]):
        return latex
    out = [
        line.rstrip()[: -len(r"\quad")].rstrip() + r" \\" if line.rstrip().endswith(r"\quad") else line
        for line in lines
    ]
    return "\\begin{gathered}\n" + "\n".join(out) + "\n\\end{gathered}"
