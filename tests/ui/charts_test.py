"""Static figures behind the download buttons, and the heatmap's presentation style."""

import json

import numpy as np

from ui.charts import attention_figure, attention_heatmap, figure_bytes, matrix_csv
from ui.present import ChartStyle

SOURCE, TARGET = ["i", "am", "cold", "."], ["tengo", "frío", "."]
MATRIX = np.full((3, 4), 0.25)


def test_png_and_svg_bytes():
    fig = attention_figure(MATRIX, SOURCE, TARGET, title="t", style=ChartStyle(cmap="Blues"))
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")
    assert b"<svg" in figure_bytes(fig, "svg")[:500]


def test_csv_has_tokens_as_headers():
    lines = matrix_csv(MATRIX, SOURCE, TARGET).decode().splitlines()
    assert len(lines) == 4 and "cold" in lines[0] and lines[2].startswith("frío")


def test_presentation_style_sets_cells_palette_and_titles():
    style = ChartStyle(cell=64, font=20, scheme="blues", source_title="源句", presenting=True, high_is_dark=True)
    spec = json.dumps(attention_heatmap(MATRIX, SOURCE, TARGET, style=style).to_dict(), ensure_ascii=False)
    assert '"step": 64' in spec and '"blues"' in spec and "源句" in spec
    default = json.dumps(attention_heatmap(MATRIX, SOURCE, TARGET).to_dict())
    assert '"step": 44' in default and '"viridis"' in default


def test_matrix_csv_headers_cannot_start_a_spreadsheet_formula():
    import csv
    import io

    import numpy as np

    from ui.charts import matrix_csv

    text = matrix_csv(np.eye(4), ["=cmd|' /C calc'!A0", "+1", "-2", "@sum"], ["=1+1", "ok", "+x", "-y"]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1:] == ["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@sum"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "ok", "'+x", "'-y"]
