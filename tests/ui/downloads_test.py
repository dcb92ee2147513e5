"""Downloads: files named after the model, the sentence and the view; no rerun, no deferred CSV."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app
from ui.downloads import NAME_WORDS, download_name


@pytest.mark.parametrize(
    ("model", "sentence", "view", "name"),
    [
        ("assets/additive", "I have a red car.", "translate", "additive_i-have-a-red-car_translate"),
        (
            "runs/transformer-glu",
            ["the", "girls", "are", "tall", "."],
            "beam-2",
            "transformer-glu_the-girls-are-tall_beam-2",
        ),
        ("assets/additive", "¿Dónde está?  <b>x</b>", "layer1 head2", "additive_donde-esta-b-x-b_layer1-head2"),
        ("assets/additive", "中文", "compare", "additive_compare"),
        ("", "", "", "attention"),
    ],
)
def test_names_say_model_sentence_and_view(model, sentence, view, name):
    assert download_name(model, sentence, view) == name


def test_names_keep_the_first_words_only():
    words = [f"w{i}" for i in range(NAME_WORDS + 5)]
    assert download_name("m", words, "v") == "m_" + "-".join(words[:NAME_WORDS]) + "_v"


def test_download_buttons_do_not_rerun_and_the_csv_is_sent_with_the_page():
    at = open_app()  # the default sentence is translated on arrival
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["PNG", "SVG", "Matrix (CSV)"]
    assert all(b.proto.ignore_rerun for b in buttons), "a download reruns the page"
    png, svg, csv = buttons
    assert png.proto.deferred_file_id and svg.proto.deferred_file_id  # figures drawn only when asked for
    assert not csv.proto.deferred_file_id and csv.proto.url, "the CSV is deferred: it can vanish under a rerun"
