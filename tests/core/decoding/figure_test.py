"""The notebook/terminal heatmap: self-contained SVG with escaped labels, and a PNG."""

import numpy as np

from core.decoding.figure import _colour, heatmap


def test_svg_escapes_labels_and_loads_nothing_from_outside():
    fig = heatmap(np.array([[0.25, 0.75]]), ["<script>", "a&b"], ['"x"'], title="<b>t</b>")
    svg = fig.svg()
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert svg.count("<rect") == 2
    assert "href" not in svg and "@import" not in svg
    assert "0.750" in svg  # each cell's tooltip names its weight


def test_colour_scale_is_clamped_and_monotone_in_brightness():
    assert _colour(-1) == _colour(0) == "#440154"
    assert _colour(2) == _colour(1) == "#fde725"
    lum = [sum(int(_colour(v)[i : i + 2], 16) for i in (1, 3, 5)) for v in np.linspace(0, 1, 11)]
    assert lum == sorted(lum)


def test_png_is_a_png():
    png = heatmap(np.eye(3), list("abc"), list("xyz")).png(dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
