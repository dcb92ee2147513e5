"""Interventions: switch off heads, replace an attention row, or edit the source — and watch the translation."""

import re

import numpy as np
import pandas as pd
import streamlit as st

from core.interventions.head_mask import KINDS, MODES
from core.interventions.replace import ROW_KINDS, replacement_row
from core.interventions.source_edit import EDITS, changed_tokens, edit_source
from ui.downloads import download_name
from ui.explain import get_head_ablation, get_replacement
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lesson import mark_shown, stale
from ui.models import selected_model
from ui.present import chart_style
from ui.sentence import run_model, sentence_form
from ui.share import from_link, from_link_list, int_in, one_of, publish
from ui.text import escape_markdown
from ui.whatif import marked, side_by_side

PAGE, PREFIX = "interventions", "interventions_"
HEAD_RE = re.compile(r"^(encoder_self|decoder_self|cross)-([1-9][0-9]?)-([1-9][0-9]?)$")
MAX_WORDS = 40


def head_label(value: str) -> str:
    kind, layer, head = HEAD_RE.match(value).groups()
    return t("interventions.head_label", kind=t(f"layers.kind_{kind}"), layer=layer, head=head)


def head_value(value: str) -> str:
    if not HEAD_RE.match(value):
        from ui.share import Refused

        raise Refused(value)
    return value


def _heads(model, tr, translated: str, source, style) -> tuple[list[str], str]:
    """Switch off heads: the heads, the mode and the layer shown on one row; the panels; the Δ log p table."""
    c = ModelConfig.load(model.path / CONFIG)
    options = [f"{k}-{layer}-{h}" for k in KINDS for layer in range(1, c.num_layers + 1)
               for h in range(1, c.num_heads + 1)]  # fmt: skip
    chosen = [v for v in st.session_state.get(PREFIX + "heads", []) if v in options]
    if len(chosen) != len(st.session_state.get(PREFIX + "heads", [])):
        st.warning(t("interventions.heads_out_of_range", n=c.num_layers, h=c.num_heads))
    st.session_state[PREFIX + "heads"] = chosen
    c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
    heads = c1.multiselect(t("interventions.heads"), options, key=PREFIX + "heads", format_func=head_label,
                           default=chosen)  # fmt: skip
    mode = c2.radio(t("interventions.mode"), MODES, horizontal=True, key=PREFIX + "mode",
                    index=widget_index(PREFIX + "mode", MODES),
                    format_func=lambda m: t(f"interventions.mode_{m}"))  # fmt: skip
    num_layers = c.num_layers
    layer_shown = c3.selectbox(t("translate.layer"), range(num_layers),
                               index=widget_index(PREFIX + "layer", range(num_layers), num_layers - 1),
                               format_func=lambda i: f"{i + 1}", key=PREFIX + "layer")  # fmt: skip
    ablation = get_head_ablation(str(model.path))
    keep = ablation.keep_all()
    for v in heads:
        kind, layer, head = HEAD_RE.match(v).groups()
        keep[KINDS.index(kind), int(layer) - 1, int(head) - 1] = 0.0
    result = ablation.compare(translated, keep, mode)
    old, new = changed_tokens(result.original.target_tokens, result.ablated.target_tokens)
    side_by_side([
        (t("interventions.panel_original", layer=layer_shown + 1), marked(result.original.target_tokens, old),
         result.original.cross_attention(layer_shown, None), source, result.original.target_tokens),
        (t("interventions.panel_ablated", layer=layer_shown + 1), marked(result.ablated.target_tokens, new),
         result.ablated.cross_attention(layer_shown, None), source, result.ablated.target_tokens),
    ], PREFIX + "heads_", style, download_name(model.name, tr.source_tokens, "heads"))  # fmt: skip
    names = ", ".join(head_label(v) for v in heads) or t("interventions.none")
    st.info(t("interventions.named_heads", heads=names, mode=t(f"interventions.mode_{mode}")))
    delta = pd.DataFrame({t("translate.output_token"): result.original.target_tokens,
                          t("interventions.delta_log_p"): np.round(result.delta_log_p, 3)})  # fmt: skip
    st.dataframe(delta, hide_index=True)
    st.download_button(t("common.download_csv"), delta.to_csv(index=False).encode("utf-8"),
                       download_name(model.name, tr.source_tokens, "delta-log-p") + ".csv", "text/csv",
                       key=PREFIX + "delta_csv", on_click="ignore")  # fmt: skip
    return heads, mode


def _row(model, tr, source, n_src: int, style) -> None:
    """Replace one attention row: where, every step or not, with what; the panels before and after."""
    steps = list(range(len(tr.target_tokens)))
    c1, c2, c3 = st.columns([2, 1, 3], vertical_alignment="bottom")
    at = c1.selectbox(t("interventions.at"), steps, key=PREFIX + "at", index=widget_index(PREFIX + "at", steps),
                      format_func=lambda i: f"{i + 1}. {tr.target_tokens[i]}")  # fmt: skip
    every = c2.toggle(t("interventions.every_step"), value=widget_value(PREFIX + "every", False), key=PREFIX + "every")
    kind = c3.radio(t("interventions.row_kind"), ROW_KINDS, horizontal=True, key=PREFIX + "row_kind",
                    index=widget_index(PREFIX + "row_kind", ROW_KINDS),
                    format_func=lambda k: t(f"interventions.row_{k}"))  # fmt: skip
    try:
        if kind == "row":
            other = st.selectbox(t("interventions.other_row"), steps, key=PREFIX + "other",
                                 index=widget_index(PREFIX + "other", steps),
                                 format_func=lambda i: f"{i + 1}. {tr.target_tokens[i]}")  # fmt: skip
            row = replacement_row("row", n_src, tr.attention, other)
        elif kind == "typed":
            default = ", ".join(f"{w:.2f}" for w in tr.attention[at])
            typed = st.text_input(t("interventions.typed", n=n_src), value=widget_value(PREFIX + "typed", default),
                                  key=PREFIX + "typed", max_chars=400)  # fmt: skip
            values = [float(v) for v in typed.replace(";", ",").split(",") if v.strip()]
            row = replacement_row("typed", n_src, values=values)
        else:
            row = replacement_row("uniform", n_src)
    except ValueError as e:
        st.warning(t("interventions.bad_row", error=escape_markdown(str(e))))
        st.stop()
    changed = get_replacement(str(model.path)).translate(tr.source_tokens, row, -1 if every else at)
    old, new = changed_tokens(tr.target_tokens, changed.target_tokens)
    side_by_side([(t("interventions.panel_model"), marked(tr.target_tokens, old), tr.attention, source,
                   tr.target_tokens),
                  (t("interventions.panel_replaced"), marked(changed.target_tokens, new), changed.attention, source,
                   changed.target_tokens)],
                 PREFIX + "row_", style, download_name(model.name, tr.source_tokens, "row"))  # fmt: skip
    where = t("interventions.every_step") if every else f"{at + 1}. {escape_markdown(tr.target_tokens[at])}"
    st.info(t("interventions.named_row", kind=t(f"interventions.row_{kind}"), where=where,
              row=", ".join(f"{w:.2f}" for w in row)))  # fmt: skip


def _source(model, tr, source, n_src: int, style) -> tuple[str, int]:
    """Edit the English: the edit, the word and its argument on one row; the panels before and after."""
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    edit = c1.radio(t("interventions.edit"), EDITS, horizontal=True, key=PREFIX + "edit",
                    index=widget_index(PREFIX + "edit", EDITS),
                    format_func=lambda e: t(f"interventions.edit_{e}"))  # fmt: skip
    if st.session_state.get(PREFIX + "word") is not None and st.session_state[PREFIX + "word"] >= n_src:
        del st.session_state[PREFIX + "word"]
    word = c2.selectbox(t("interventions.word"), range(n_src), key=PREFIX + "word",
                        index=widget_index(PREFIX + "word", range(n_src)),
                        format_func=lambda i: f"{i + 1}. {tr.source_tokens[i]}")  # fmt: skip
    new_word, to = "", 0
    if edit == "replace":
        new_word = c3.text_input(t("interventions.new_word"), value=widget_value(PREFIX + "new_word", "dog"),
                                 max_chars=40, key=PREFIX + "new_word")  # fmt: skip
    elif edit == "move":
        to = c3.selectbox(t("interventions.move_to"), range(n_src), key=PREFIX + "to",
                          index=widget_index(PREFIX + "to", range(n_src)),
                          format_func=lambda i: f"{i + 1}")  # fmt: skip
    try:
        edited = edit_source(tr.source_tokens, edit, word, new_word, to)
    except ValueError as e:
        st.warning(t("interventions.bad_edit", error=escape_markdown(str(e))))
        st.stop()
    if not edited:
        st.info(t("translate.no_words"))
        st.stop()
    other = run_model(model, " ".join(edited), lambda trn, s: trn.translate(s), t("translate.working"))
    if other is None:
        st.stop()
    after = other[1]
    old, new = changed_tokens(tr.target_tokens, after.target_tokens)
    side_by_side([(t("interventions.panel_model"), marked(tr.target_tokens, old), tr.attention, source,
                   tr.target_tokens),
                  (t("interventions.panel_edited"), marked(after.target_tokens, new), after.attention,
                   after.source_labels, after.target_tokens)],
                 PREFIX + "src_", style, download_name(model.name, tr.source_tokens, "edit"))  # fmt: skip
    src_old, src_new = changed_tokens(tr.source_tokens, after.source_tokens)
    st.info(t("interventions.named_edit", before=marked(tr.source_tokens, src_old),
              after=marked(after.source_tokens, src_new)))  # fmt: skip
    return edit, word


st.title(t("interventions.title"))
model = selected_model()
if model is None:
    st.stop()
from core.models.config import ModelConfig  # noqa: E402
from core.runs import CONFIG  # noqa: E402

arch = ModelConfig.load(model.path / CONFIG).arch
what = ("heads" if arch == "transformer" else "row", "source")

from_link(PAGE, "change", PREFIX + "what", one_of(what))
from_link_list(PAGE, "heads", PREFIX + "heads", head_value, limit=64)
from_link(PAGE, "mode", PREFIX + "mode", one_of(MODES))
from_link(PAGE, "edit", PREFIX + "edit", one_of(EDITS))
from_link(PAGE, "word", PREFIX + "word", lambda v: int_in(1, MAX_WORDS)(v) - 1)

submitted, text, _ = sentence_form(PREFIX, t("interventions.submit"))
if submitted or stale(PREFIX, model.name):
    mark_shown(PREFIX, model.name)
    st.session_state.pop(PREFIX + "result", None)
    done = run_model(model, text, lambda tr, s: tr.translate(s), t("translate.working"))
    if done is not None:
        st.session_state[PREFIX + "result"] = (model.name, *done)

stored = st.session_state.get(PREFIX + "result")
heading, choice = st.columns([3, 2], vertical_alignment="bottom")
change = choice.radio(t("interventions.what"), what, horizontal=True, key=PREFIX + "what",
                      index=widget_index(PREFIX + "what", what),
                      format_func=lambda w: t(f"interventions.what_{w}"))  # fmt: skip
style = chart_style()
heads_param = mode = edit = word = None
if stored is not None:
    model_name, translated, tr = stored
    if not tr.source_tokens:
        st.info(t("translate.no_words"))
        st.stop()
    heading.markdown(f"### {escape_markdown(tr.text) if tr.target_tokens else t('translate.empty_translation')}")
    source, n_src = tr.source_labels, len(tr.source_tokens)
    if change == "heads":
        heads_param, mode = _heads(model, tr, translated, source, style)
    elif change == "row":
        if not tr.target_tokens:
            st.info(t("translate.empty_translation"))
            st.stop()
        _row(model, tr, source, n_src, style)
    else:
        edit, word = _source(model, tr, source, n_src, style)

st.caption(t("interventions.caption"))
publish(
    change=change,
    heads=heads_param or None,
    mode=None if mode in (None, "zero") else mode,
    edit=edit if change == "source" else None,
    word=None if word is None else word + 1,
)
