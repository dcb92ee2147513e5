"""Translate a sentence and show the attention behind the translation.

The form and its result are one fragment: pressing Translate reruns only that part of the
page, not the sidebar and the navigation around it (a class presses it thirty times at once).
"""

from contextlib import nullcontext

import numpy as np
import streamlit as st

from ui import levels
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads, download_name
from ui.examples import example_clicked, try_these
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lazy import lazy_expander
from ui.lesson import mark_shown, stale
from ui.models import decode, read_metrics, selected_model
from ui.present import chart_style
from ui.sentence import run_model, sentence_form
from ui.share import from_link, int_in, one_of, publish
from ui.text import escape_markdown
from ui.turns import click_turn
from ui.vega import vega_chart

PAGE, PREFIX = "translate", "translate_"
DECODINGS = ("greedy", "beam")
MAX_LAYERS, MAX_HEADS = 24, 32  # bounds for link parameters; the model's own sizes are checked when drawing


def _from_link() -> None:
    """Choices from the page's link (first visit only); the sentence is the lesson's (``ui.lesson``)."""
    from_link(PAGE, "decoding", PREFIX + "decoding", one_of(DECODINGS))
    from_link(PAGE, "width", PREFIX + "width", int_in(2, 8))
    from_link(PAGE, "layer", PREFIX + "layer", lambda v: int_in(1, MAX_LAYERS)(v) - 1)
    from_link(PAGE, "head", PREFIX + "head", lambda v: None if v == "mean" else int_in(1, MAX_HEADS)(v) - 1)
    st.session_state.setdefault(PREFIX + "width", 4)


def _options() -> tuple[str, int]:
    left, right = st.columns(2)
    decoding = left.radio(t("translate.decoding"), DECODINGS, horizontal=True, key=PREFIX + "decoding",
                          index=widget_index(PREFIX + "decoding", DECODINGS),
                          format_func={d: t(f"translate.decoding_{d}") for d in DECODINGS}.get)  # fmt: skip
    width = right.slider(t("translate.width"), 2, 8, value=widget_value(PREFIX + "width"), key=PREFIX + "width",
                         help=t("translate.width_help"))  # fmt: skip
    return decoding, width


def _form() -> tuple[bool, str, str, int]:
    """The sentence box, decoding and beam width; (submitted, text, decoding, width)."""
    submitted, text, (decoding, width) = sentence_form(PREFIX, t("translate.submit"), _options)
    return example_clicked(PREFIX) or submitted, text, decoding, width


def _translate(model, text: str, decoding: str, width: int) -> None:
    """Decode ``text`` and keep the result in the session (identical requests are decoded once)."""
    st.session_state.pop(PREFIX + "result", None)
    mark_shown(PREFIX, model.name)

    def work(translator, s):
        if decoding == "greedy":
            return decode(str(model.path), s, "greedy")
        return decode(str(model.path), s, "nbest", width)

    done = run_model(model, text, work, t("translate.working"))
    if done is not None:
        st.session_state[PREFIX + "result"] = (model.name, *done)


def _warnings(tr) -> None:
    if tr.truncated_from is not None:
        st.warning(t("translate.too_long_tokens", n=tr.truncated_from, kept=len(tr.source_tokens)))
    unknown = [tok for tok, unk in zip(tr.source_tokens, tr.unknown, strict=True) if unk]
    if unknown:
        st.warning(t("translate.unknown", words=", ".join(f"'{escape_markdown(w)}'" for w in unknown)))


def _heading(hypotheses) -> tuple[object, int | None, int | None]:
    """The translation on one row with its choices (n-best pick; a Transformer's layer and head).

    Returns the hypothesis shown and the (layer, head) picked (None, None for a recurrent model).
    """
    tr = hypotheses[0]
    beam, layered = len(hypotheses) > 1, tr.layers is not None
    widths = [3] + ([2] if beam else []) + ([1, 1] if layered else [])
    cols = st.columns(widths, vertical_alignment="bottom")
    if beam:
        labels = [f"{i + 1}. {h.text}  ({t('translate.score')} {h.score:.2f})" for i, h in enumerate(hypotheses)]
        pick = cols[1].selectbox(t("translate.hypotheses"), range(len(hypotheses)), format_func=labels.__getitem__,
                                 index=widget_index(PREFIX + "hypothesis", range(len(hypotheses))),
                                 key=PREFIX + "hypothesis")  # fmt: skip
        tr = hypotheses[pick]
    layer = head = None
    if layered:
        layer, head = _layer_and_head(tr, cols[-2], cols[-1])
    cols[0].markdown(f"### {escape_markdown(tr.text) if tr.target_tokens else t('translate.empty_translation')}")
    return tr, layer, head


def _numbers(model, model_name: str, tr) -> None:
    """The model, the output's length and mean probability, the model's test scores: one line under the chart."""
    mean_p = float(np.mean(tr.probabilities)) if len(tr.probabilities) else 0.0
    line = t("lesson.numbers", model=escape_markdown(model_name), n=len(tr.target_tokens), p=f"{mean_p:.2f}")
    metrics = read_metrics(model.path) if model.name == model_name else None
    if metrics and "bleu" in metrics:
        line += " · " + t("translate.scores", bleu=f"{metrics['bleu']:.1f}", chrf=f"{metrics['chrf']:.1f}")
    st.markdown(line)
    st.caption(t("translate.own_probabilities"))
    if tr.unk_notable:
        unk = tr.unk_probabilities
        at = int(unk.argmax())
        key = "translate.unk_large" if unk[at] > tr.probabilities[at] else "lesson.unk_considered"
        st.info(t(key, p=f"{float(unk[at]):.2f}", word=escape_markdown(tr.target_tokens[at]),
                  q=f"{float(tr.probabilities[at]):.2f}"))  # fmt: skip


def _layer_and_head(tr, left, right) -> tuple[int, int | None]:
    """A Transformer's cross-attention layer and head (None: their mean), out-of-range link values dropped."""
    num_layers, num_heads = tr.layers["cross"].shape[:2]
    for key, n in ((PREFIX + "layer", num_layers), (PREFIX + "head", num_heads)):
        value = st.session_state.get(key)
        if value is not None and not isinstance(value, int):  # never expected: drop, don't crash
            del st.session_state[key]
        elif value is not None and value >= n:
            st.warning(t("translate.out_of_range", value=st.session_state[key] + 1, n=n))
            del st.session_state[key]
    st.session_state.setdefault(PREFIX + "layer", num_layers - 1)
    layer = left.selectbox(t("translate.layer"), range(num_layers), index=widget_index(PREFIX + "layer", range(num_layers)),
                           format_func=lambda i: f"{i + 1}", key=PREFIX + "layer")  # fmt: skip
    mean_label = t("translate.mean_of_heads")  # format_func must not look up the language later
    head = right.selectbox(t("translate.head"), [None, *range(num_heads)], key=PREFIX + "head",
                           index=widget_index(PREFIX + "head", [None, *range(num_heads)]),
                           format_func=lambda h: mean_label if h is None else f"{h + 1}")  # fmt: skip
    return layer, head


def _attention(tr, model_name: str, layer: int | None, head: int | None) -> None:
    """The heatmap with its downloads; what it shows is said under it."""
    matrix, title, view = tr.attention, f"{model_name}: {tr.text}", "translate"
    if layer is not None:  # Transformer: a layer and a head (or their mean) of the cross-attention
        matrix = tr.cross_attention(layer, head)
        which = t("translate.mean_of_heads") if head is None else f"{t('translate.head')} {head + 1}"
        title += f" ({t('translate.layer')} {layer + 1}, {which})"
        view += f"-layer{layer + 1}-" + ("mean" if head is None else f"head{head + 1}")
    st.markdown(f"**{t('translate.where')}**")
    level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
    matrix, source, target = levels.cross(tr, matrix, level)
    centres = levels.centres(tr, tr.positions, level)
    style = chart_style()
    heatmap = attention_heatmap(matrix, source, target, centres=centres, style=style)
    vega_chart(heatmap, width="content")
    attention_downloads(matrix, source, target, title=title, key=PREFIX, style=style,
                        name=download_name(model_name, tr.source_tokens, f"{view}-{level}" if levels.is_subword(tr) else view))  # fmt: skip
    st.caption(t("translate.where_caption"))
    if tr.positions is not None:
        st.caption(t("translate.rings"))


def _per_token(tr) -> None:
    per_token = lazy_expander(t("translate.per_token"), PREFIX + "per_token")
    if per_token is not None:  # the table is built only while its expander is open
        table = {
            t("translate.output_token"): tr.target_tokens,
            t("translate.probability"): [round(float(p), 4) for p in tr.probabilities],
        }
        if tr.unk_notable:
            table[t("translate.unk_probability")] = [round(float(p), 4) for p in tr.unk_probabilities]
        per_token.dataframe(table, hide_index=True)


def _result(model) -> tuple[int | None, int | None]:
    """The stored result, drawn; the Transformer layer and head shown (None, None otherwise)."""
    stored = st.session_state.get(PREFIX + "result")
    if stored is None:
        return None, None
    model_name, _, hypotheses = stored
    if not hypotheses[0].source_tokens:
        st.info(t("translate.no_words"))
        st.stop()
    _warnings(hypotheses[0])
    tr, layer, head = _heading(hypotheses)
    if tr.target_tokens:
        _attention(tr, model_name, layer, head)
    _numbers(model, model_name, tr)
    _per_token(tr)
    return layer, head


@st.fragment
def translate_view(model) -> None:
    """The form and its result; publishes what it shows into the address bar.

    A click's decoding and drawing wait for their turn (``ui.turns``): when a class clicks at
    once, greedy clicks come before the beam searches that arrived just before them.
    """
    _from_link()
    submitted, text, decoding, width = _form()
    work = submitted or stale(PREFIX, model.name)
    with click_turn(decoding) if work else nullcontext():
        if work:
            _translate(model, text, decoding, width)
        layer, head = _result(model)
    try_these(PREFIX)
    publish(
        decoding=decoding if decoding != "greedy" else None,
        width=width if decoding != "greedy" else None,
        layer=None if layer is None else layer + 1,
        head=None if layer is None else ("mean" if head is None else head + 1),
    )


st.title(t("translate.title"))
model = selected_model()
if model is None:
    st.stop()
translate_view(model)
st.caption(t("translate.caption"))
