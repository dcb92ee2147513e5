"""The Translate page, driven through AppTest: translations, heatmap, downloads and bad input."""

from __future__ import annotations

import json

from tests.app.conftest import charts, open_app, translate
from ui.examples import DEFAULT_SENTENCE


def _spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def test_translates_and_draws_heatmap(app):
    at = translate(app, "I am cold.")
    heading = at.markdown[0].value
    assert heading.startswith("### ") and len(heading) > 5
    (chart,) = charts(at)
    spec = json.dumps(_spec(chart))
    assert "source_pos" in spec and "target_pos" in spec and "weight" in spec
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["PNG", "SVG", "Matrix (CSV)"]
    assert not at.warning


def test_result_survives_rerun(app):
    at = translate(app, "Where is the train station?")
    first = at.markdown[0].value
    at.run()
    assert at.markdown[0].value == first
    assert len(charts(at)) == 1


def test_empty_and_whitespace_input_get_a_message_not_a_model_call(app):
    for text in ["", "   \n\t "]:
        at = translate(app, text)
        assert [i.value for i in at.info] == ["Type an English sentence to translate."]
        assert not charts(at)


def test_over_long_input_is_announced_not_silently_cut(app):
    at = translate(app, " ".join(["tom"] * 60))  # 60 tokens, under the character cap
    assert any("translated the first 40" in w.value for w in at.warning)
    assert len(charts(at)) == 1


def test_over_long_text_in_characters_is_announced(app):
    at = translate(app, "I am cold. " * 40)
    assert any("only the first 300 are translated" in w.value for w in at.warning)


def test_only_unknown_words_still_translate_and_show_them(app):
    at = translate(app, "zorblax quuxify")
    assert any("zorblax" in w.value and "quuxify" in w.value for w in at.warning)
    spec = json.dumps(_spec(charts(at)[0]), ensure_ascii=False)
    assert "zorblax [UNK]" in spec


def test_html_is_shown_as_text(app):
    at = translate(app, "<script>alert('x')</script> <b>hi</b>")
    for md in at.markdown:
        assert "<script>" not in md.value and "<b>" not in md.value
    for w in at.warning:
        assert "<script>" not in w.value


def test_link_reopens_the_translation_and_the_address_bar_keeps_it():
    from tests.app.conftest import open_app

    at = open_app({"text": "Where is the cat?", "decoding": "beam", "width": "3"})
    assert len(charts(at)) == 1 and not at.warning
    assert at.selectbox(key="translate_hypothesis").options  # beam hypotheses listed
    assert at.query_params["text"] == ["Where is the cat?"] or at.query_params["text"] == "Where is the cat?"
    assert at.slider(key="translate_width").value == 3


def test_link_values_off_the_allow_list_are_refused_with_a_message():
    from tests.app.conftest import open_app

    at = open_app({"model": "../../etc/passwd", "width": "99", "decoding": "<b>x</b>", "text": "x" * 400})
    refused = [w.value for w in at.warning]
    assert len(refused) == 4, refused
    assert any("model" in w and "etc" in w for w in refused)
    assert at.session_state["sidebar_model"] == "assets/additive"
    # nothing translated from a refused text: the box and the heading hold the lesson's default sentence
    assert at.text_area(key="translate_sentence").value == DEFAULT_SENTENCE
    assert "x" * 20 not in json.dumps(_spec(charts(at)[0]))


def test_chinese_interface():
    from tests.app.conftest import open_app

    at = open_app({"lang": "zh"})
    assert at.title[0].value == "翻译"
    at = translate(at, "I am cold.")
    assert len(charts(at)) == 1
    assert "**模型关注了哪里**" in [m.value for m in at.markdown]


def test_presentation_mode_enlarges_the_heatmap():
    from tests.app.conftest import open_app

    at = translate(open_app({"present": "1"}), "I am cold.")
    spec = _spec(charts(at)[0])
    assert json.dumps(spec).count('"step": 64') >= 2


def test_probabilities_are_the_models_own_and_a_large_unk_probability_is_shown(app):
    """Unknown names make the model favour [UNK]; the page shows that, not renormalised probabilities."""
    at = translate(app, "Mr. Xylophone visited Kyoto with Quentin.")
    captions = [c.value for c in at.caption]
    assert any("Probabilities are the model's own. [UNK]" in c and "never written" in c for c in captions)
    (info,) = [i.value for i in at.info if "[UNK] probability" in i.value]
    assert not at.dataframe, "the per-token table is built while its expander is closed"
    at.session_state["translate_per_token"] = True  # open it, as a click on it does
    at.run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["output token", "probability", "p([UNK]), never written"]
    unk = table["p([UNK]), never written"].to_numpy()
    assert unk.max() >= 0.5 and f"{unk.max():.2f}" in info
    # every written token's probability leaves room for p([UNK]): nothing was renormalised
    assert all(p + u <= 1.0 + 1e-3 for p, u in zip(table["probability"], unk, strict=True))


def test_the_unk_note_says_would_rather_only_when_unk_beat_the_written_word():
    """The note's claim follows the numbers: "would rather" only when p([UNK]) exceeded the written word's p."""
    for sentence in ("Mr. Xylophone visited Kyoto with Quentin.", "The zorblax is on the table."):
        at = translate(open_app(), sentence)
        notes = [i.value for i in at.info if "[UNK] probability" in i.value]
        at.session_state["translate_per_token"] = True
        at.run()
        table = at.dataframe[0].value if at.dataframe else None
        if not notes:
            assert table is None or "p([UNK]), never written" not in table.columns
            continue
        unk, p = table["p([UNK]), never written"].to_numpy(), table["probability"].to_numpy()
        i = int(unk.argmax())
        (note,) = notes
        assert f"{unk[i]:.2f}" in note and f"{p[i]:.2f}" in note
        if unk[i] > p[i]:
            assert "would rather" in note, note
        else:
            assert "would rather" not in note and "preferred" in note, note
