"""Panels and labels (ui/panels.py): slant or upright labels a line apart, widths from the tokens, wrapping CSS."""

from __future__ import annotations

import json
import math

import pytest

from ui.charts import attention_heatmap
from ui.panels import LINE, SLANT, heatmap_width, label_angle, min_cell, text_width, wrap_css
from ui.present import ChartStyle, fit_cell


@pytest.mark.parametrize("font", [13, 20])
@pytest.mark.parametrize("cell", [22, 26, 30, 36, 44, 64])
def test_neighbouring_column_labels_are_a_line_apart(cell, font):
    cell = max(cell, min_cell(font))
    angle = label_angle(cell, font)
    assert cell * abs(math.sin(math.radians(angle))) >= LINE * font - 1e-9


def test_labels_slant_while_there_is_room_and_stand_up_when_not():
    assert label_angle(44, 13) == SLANT
    assert label_angle(22, 13) == -90
    assert label_angle(64, 20) == SLANT
    assert label_angle(30, 20) == -90


def test_cells_never_shrink_below_a_line_of_the_font():
    presenting = ChartStyle(cell=64, font=20, grid_width=460)
    assert fit_cell(40, presenting) == min_cell(20) == 26
    assert fit_cell(40, ChartStyle()) == 22  # the page's own minimum


def test_the_heatmap_uses_that_angle():
    style = ChartStyle(cell=64, font=20)
    for n in (4, 30):
        source = [f"w{i}" for i in range(n)]
        spec = attention_heatmap([[1.0 / n] * n], source, ["x"], style=style).to_dict(validate=False)
        angle = spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"]
        assert angle == label_angle(fit_cell(n, style), 20)


def test_width_grows_with_the_tokens_and_the_labels():
    short = heatmap_width(["a", "b"], ["x"], 44, 13)
    assert heatmap_width(["a", "b", "c"], ["x"], 44, 13) > short
    assert heatmap_width(["a", "b"], ["a-very-long-output-word"], 44, 13) > short
    assert short % 10 == 0 and short >= 2 * 44
    assert text_width("中文", 20) == 2 * text_width("ab", 20)


def test_wrap_css_names_its_container_and_width():
    css = wrap_css("attribution_panels", 412)
    assert ".st-key-attribution_panels" in css and "flex-wrap: wrap" in css and "412px" in css
    json.dumps(css)  # plain text, no user input
