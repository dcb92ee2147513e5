"""The Try these list on every translating page: a click fills the box and translates the example."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app
from ui.examples import DEFAULT_SENTENCE, EXAMPLES, OPEN_SUFFIX

PAGES = ("translate", "step_through", "beam", "compare", "layers_heads")


@pytest.mark.parametrize("page", PAGES)
def test_clicking_an_example_fills_the_box_and_translates(page):
    model = "assets/transformer-glu" if page == "layers_heads" else "assets/additive"  # layers needs a Transformer
    prefix = {"step_through": "step_", "layers_heads": "layers_"}.get(page, page + "_")
    at = open_app(page=f"app_pages/{page}.py", model=model)
    assert f"{prefix}example_0" not in [b.key for b in at.button], "the closed list was built"
    at.session_state[prefix + OPEN_SUFFIX] = True  # open the list (the person's click on it)
    at.run()
    box = at.text_area(key=prefix + "sentence")
    assert box.value == DEFAULT_SENTENCE
    note, sentence, _ = EXAMPLES[-1]
    at.button(key=f"{prefix}example_{len(EXAMPLES) - 1}").click().run()
    assert not at.exception, at.exception
    assert at.text_area(key=prefix + "sentence").value == sentence
    assert at.session_state[prefix + "result"] is not None, "the example was not translated"
    assert any("año pasado" in c.value for c in at.caption)  # the notes
