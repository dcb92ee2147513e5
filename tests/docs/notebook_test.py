"""docs/notebook.ipynb runs from top to bottom, as a plain script, from the project root."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"


def code_cells() -> list[str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_notebook_has_no_stored_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
def test_notebook_runs_and_its_heatmaps_draw_offline(monkeypatch):
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    shown = []
    for source in code_cells():
        tree = ast.parse(source)
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr):  # Jupyter shows the value of a cell's last expression
            exec(compile(ast.Module(tree.body[:-1], type_ignores=[]), "<cell>", "exec"), scope)  # noqa: S102
            shown.append(eval(compile(ast.Expression(last.value), "<cell>", "eval"), scope))  # noqa: S307
        else:
            exec(compile(tree, "<cell>", "exec"), scope)  # noqa: S102 - the project's own notebook
    html = [v._repr_html_() for v in shown if hasattr(v, "_repr_html_")]
    assert len(html) == 3
    for page in html:
        assert "<svg" in page and "<rect" in page
        assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
        assert "<script" not in page
    assert shown[-1] is True  # the PNG cell
    assert os.getcwd() == str(ROOT)
