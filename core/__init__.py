"""attention-lab's model package. Nothing in it imports Streamlit.

Its parts, each a package with its own docstring (the floors and allowed imports are drawn in
``docs/architecture.md`` and checked by ``tests/core/parts_test.py``): ``text``, ``attention``,
``layers``, ``data``, ``models``, ``runs``, ``decoding``, ``evaluate``, ``translate``,
``interventions``, ``attribution``, ``train``.

From a notebook::

    from core import load_model
    model = load_model("assets/additive")
    model.translate("I have a red car.")          # a Translation: its heatmap shows itself
    model.translate("I have a red car.").heatmap(level="words")
"""

from __future__ import annotations

import os


def load_model(path: str | os.PathLike):
    """The :class:`~core.decoding.translator.Translator` of the model folder at ``path``, every file checked."""
    from pathlib import Path

    from core.decoding import load_translator

    return load_translator(Path(path))
