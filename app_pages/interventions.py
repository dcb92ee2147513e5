"""Interventions: switch off heads, replace an attention row, or edit the source — and watch the translation."""

import re

import numpy as np
import pandas as pd
import streamlit as st

from core.decoding.word_level import mean_rows
from core.interventions.head_mask import KINDS, MODES
from core.interventions.replace import ROW_KINDS, replacement_row
from core.interventions.source_edit import EDITS, changed_tokens, edit_pieces, edit_source
from core.text.pieces import join_pieces
from ui import levels
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
from ui.whatif import compared, marked, side_by_side

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


def _heads(model, tr, translated: str, level: str, style) -> tuple[list[str], str]:
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
    titles = (t("interventions.panel_original", layer=layer_shown + 1),
              t("interventions.panel_ablated", layer=layer_shown + 1))  # fmt: skip
    matrices = (result.original.cross_attention(layer_shown, None), result.ablated.cross_attention(layer_shown, None))
    side_by_side(compared(titles, result.original, result.ablated, matrices, level), PREFIX + "heads_", style,
                 download_name(model.name, tr.source_tokens, _view("heads", tr, level)))  # fmt: skip
    names = ", ".join(head_label(v) for v in heads) or t("interventions.none")
    st.info(t("interventions.named_heads", heads=names, mode=t(f"interventions.mode_{mode}")))
    delta = pd.DataFrame({t("translate.output_token"): result.original.target_tokens,
                          t("interventions.delta_log_p"): np.round(result.delta_log_p, 3)})  # fmt: skip
    st.dataframe(delta, hide_index=True)
    if level == "words" and levels.is_subword(tr):
        st.caption(t("levels.table_pieces"))
    st.download_button(t("common.download_csv"), delta.to_csv(index=False).encode("utf-8"),
                       download_name(model.name, tr.source_tokens, "delta-log-p") + ".csv", "text/csv",
                       key=PREFIX + "delta_csv", on_click="ignore")  # fmt: skip
    return heads, mode


def _view(name: str, tr, level: str) -> str:
    """A download's view name: the level is named for a subword model."""
    return f"{name}-{level}" if levels.is_subword(tr) else name


def _units(tr, level: str) -> tuple[list[list[int]], list[list[int]], np.ndarray, list[str], list[str]]:
    """Source and output units (words of pieces, or single tokens), the attention and both sides' labels at ``level``."""
    src, tgt = tr.word_groups() if level == "words" else ([], [])
    src = src or [[i] for i in range(len(tr.source_tokens))]
    tgt = tgt or [[i] for i in range(len(tr.target_tokens))]
    return src, tgt, *levels.cross(tr, tr.attention, level)


def _replacement(tr, kind: str, at: int, level: str) -> tuple[np.ndarray, np.ndarray]:
    """The replacement row over source pieces and the row as chosen (over source words at the words level)."""
    _, tgt, matrix, source, target = _units(tr, level)
    n = len(source)
    if kind == "row":
        other = st.selectbox(t("interventions.other_row"), range(len(target)), key=PREFIX + "other",
                             index=widget_index(PREFIX + "other", range(len(target))),
                             format_func=lambda i: f"{i + 1}. {target[i]}")  # fmt: skip
        row = replacement_row("row", len(tr.source_tokens), mean_rows(tr.attention, tgt), other)
        return row, levels.source_row(tr, row, level)[0]
    if kind == "typed":
        default = ", ".join(f"{w:.2f}" for w in matrix[at])
        typed = st.text_input(t("interventions.typed", n=n), value=widget_value(PREFIX + "typed", default),
                              key=PREFIX + "typed", max_chars=400)  # fmt: skip
        shown = replacement_row("typed", n, values=[float(v) for v in typed.replace(";", ",").split(",") if v.strip()])
    else:
        shown = replacement_row("uniform", n)
    return levels.spread(tr, shown, level), shown


def _row(model, tr, level: str, style) -> None:
    """Replace one attention row: where, every step or not, with what; the panels before and after."""
    _, tgt, _, _, target = _units(tr, level)
    steps = list(range(len(target)))
    if st.session_state.get(PREFIX + "at") is not None and st.session_state[PREFIX + "at"] not in steps:
        del st.session_state[PREFIX + "at"]
    c1, c2, c3 = st.columns([2, 1, 3], vertical_alignment="bottom")
    at = c1.selectbox(t("interventions.at"), steps, key=PREFIX + "at", index=widget_index(PREFIX + "at", steps),
                      format_func=lambda i: f"{i + 1}. {target[i]}")  # fmt: skip
    every = c2.toggle(t("interventions.every_step"), value=widget_value(PREFIX + "every", False), key=PREFIX + "every")
    kind = c3.radio(t("interventions.row_kind"), ROW_KINDS, horizontal=True, key=PREFIX + "row_kind",
                    index=widget_index(PREFIX + "row_kind", ROW_KINDS),
                    format_func=lambda k: t(f"interventions.row_{k}"))  # fmt: skip
    try:
        row, shown = _replacement(tr, kind, at, level)
    except ValueError as e:
        st.warning(t("interventions.bad_row", error=escape_markdown(str(e))))
        st.stop()
    changed = get_replacement(str(model.path)).translate(tr.source_tokens, row, -1 if every else tgt[at])
    titles = (t("interventions.panel_model"), t("interventions.panel_replaced"))
    side_by_side(compared(titles, tr, changed, (tr.attention, changed.attention), level), PREFIX + "row_", style,
                 download_name(model.name, tr.source_tokens, _view("row", tr, level)))  # fmt: skip
    where = t("interventions.every_step") if every else f"{at + 1}. {escape_markdown(target[at])}"
    st.info(t("interventions.named_row", kind=t(f"interventions.row_{kind}"), where=where,
              row=", ".join(f"{w:.2f}" for w in shown)))  # fmt: skip


def _edited(tr, units, edit: str, word: int, new_word: str, to: int) -> list[str]:
    """The edited source as text tokens to translate: a word model's words, a subword model's text."""
    if levels.is_subword(tr):
        return [join_pieces(edit_pieces(tr.source_tokens, units, edit, word, new_word, to))]
    return edit_source(tr.source_tokens, edit, word, new_word, to)


def _source(model, tr, level: str, style) -> tuple[str, int]:
    """Edit the English: the edit, the word and its argument on one row; the panels before and after."""
    units, _, _, source, _ = _units(tr, level)
    n_src = len(units)
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    edit = c1.radio(t("interventions.edit"), EDITS, horizontal=True, key=PREFIX + "edit",
                    index=widget_index(PREFIX + "edit", EDITS),
                    format_func=lambda e: t(f"interventions.edit_{e}"))  # fmt: skip
    if st.session_state.get(PREFIX + "word") is not None and st.session_state[PREFIX + "word"] >= n_src:
        del st.session_state[PREFIX + "word"]
    word = c2.selectbox(t("interventions.word"), range(n_src), key=PREFIX + "word",
                        index=widget_index(PREFIX + "word", range(n_src)),
                        format_func=lambda i: f"{i + 1}. {source[i]}")  # fmt: skip
    new_word, to = "", 0
    if edit == "replace":
        new_word = c3.text_input(t("interventions.new_word"), value=widget_value(PREFIX + "new_word", "dog"),
                                 max_chars=40, key=PREFIX + "new_word")  # fmt: skip
    elif edit == "move":
        to = c3.selectbox(t("interventions.move_to"), range(n_src), key=PREFIX + "to",
                          index=widget_index(PREFIX + "to", range(n_src)),
                          format_func=lambda i: f"{i + 1}")  # fmt: skip
    try:
        edited = _edited(tr, units, edit, word, new_word, to)
    except ValueError as e:
        st.warning(t("interventions.bad_edit", error=escape_markdown(str(e))))
        st.stop()
    if not edited or not "".join(edited).strip():
        st.info(t("translate.no_words"))
        st.stop()
    other = run_model(model, " ".join(edited), lambda trn, s: trn.translate(s), t("translate.working"))
    if other is None:
        st.stop()
    after = other[1]
    titles = (t("interventions.panel_model"), t("interventions.panel_edited"))
    side_by_side(compared(titles, tr, after, (tr.attention, after.attention), level), PREFIX + "src_", style,
                 download_name(model.name, tr.source_tokens, _view("edit", tr, level)))  # fmt: skip
    before_src, after_src = _units(tr, level)[3], _units(after, level)[3]
    src_old, src_new = changed_tokens(before_src, after_src)
    st.info(t("interventions.named_edit", before=marked(before_src, src_old), after=marked(after_src, src_new)))
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
    level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
    if level == "words" and levels.is_subword(tr):
        st.caption(t("levels.intervene"))
    if change == "heads":
        heads_param, mode = _heads(model, tr, translated, level, style)
    elif change == "row":
        if not tr.target_tokens:
            st.info(t("translate.empty_translation"))
            st.stop()
        _row(model, tr, level, style)
    else:
        edit, word = _source(model, tr, level, style)

st.caption(t("interventions.caption"))
publish(
    change=change,
    heads=heads_param or None,
    mode=None if mode in (None, "zero") else mode,
    edit=edit if change == "source" else None,
    word=None if word is None else word + 1,
)
