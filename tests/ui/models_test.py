"""ui.models helpers the pages show: models ranked by their test scores, the hardware in the UI's language."""

from __future__ import annotations

import pytest

from core import runs
from tests.app.conftest import open_app
from ui.models import best_first, hardware_label


def _folder(tmp_path, name: str, bleu: float | None, chrf: float = 50.0) -> runs.RunInfo:
    folder = tmp_path / name
    folder.mkdir()
    if bleu is not None:
        runs.write_metrics(folder, {"bleu": bleu, "chrf": chrf})
    return runs.RunInfo(f"lab/{name}", folder)


def test_best_first_ranks_by_bleu_then_chrf_and_leaves_unscored_models_last(tmp_path):
    models = [
        _folder(tmp_path, "unscored", None),
        _folder(tmp_path, "low", 30.0),
        _folder(tmp_path, "high", 45.0, chrf=60.0),
        _folder(tmp_path, "high-chrf", 45.0, chrf=61.0),
    ]
    assert best_first(models) == ["lab/high-chrf", "lab/high", "lab/low", "lab/unscored"]


def test_the_layers_page_suggests_the_best_scoring_shipped_transformer():
    shipped = [r for r in runs.find_runs() if r.error is None and r.name.startswith("assets/transformer")]
    if len(shipped) < 2:
        pytest.skip("fewer than two shipped Transformers")
    best = best_first(shipped)[0]
    at = open_app(page="app_pages/layers_heads.py", model="assets/additive")
    (button,) = [b for b in at.button if b.key == "layers_use_transformer"]
    assert best in button.label.replace("\\", ""), (best, button.label)


@pytest.mark.parametrize(
    ("lang", "text", "shown"),
    [
        ("en", "2 CPU cores (x86_64), no GPU", "2 CPU cores (x86_64), no GPU"),
        ("zh", "2 CPU cores (x86_64), no GPU", "2 个 CPU（x86_64），没有 GPU"),
        ("zh", "16 CPU cores (x86_64), 1 GPU(s)", "16 个 CPU（x86_64），1 个 GPU"),
        ("zh", "a laptop", "a laptop"),  # another wording, as an older run wrote it: shown as it is
    ],
)
def test_hardware_in_the_ui_language(monkeypatch, lang, text, shown):
    import ui.i18n

    monkeypatch.setattr(ui.i18n, "language", lambda: lang)
    assert hardware_label(text) == shown
