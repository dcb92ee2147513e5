"""Beam search: the n-best list, each hypothesis's own attention, and the tree of the beam's expansions."""

import re

import pandas as pd
import streamlit as st

from ui import levels
from ui.beam_tree import beam_tree_dot, visible_nodes
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads, download_name
from ui.examples import example_clicked, try_these
from ui.i18n import t
from ui.language import widget_value
from ui.lesson import mark_shown, stale
from ui.models import decode, selected_model
from ui.present import chart_style, presenting
from ui.sentence import run_model, sentence_form
from ui.share import Refused, from_link, int_in, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "beam", "beam_"
MIN_WIDTH, MAX_WIDTH = 2, 8
MAX_ALPHA = 2.0


def _alpha(value: str) -> float:
    """A length-penalty α from a link: one decimal at most, in [0, MAX_ALPHA]."""
    if not re.fullmatch(r"[0-9](\.[0-9])?", value.strip()) or float(value) > MAX_ALPHA:
        raise Refused(value)
    return round(float(value), 1)


def _options() -> tuple[int, float]:
    left, right = st.columns(2)
    # each widget's current value is also its default (see ui.sentence.sentence_area)
    width = left.slider(t("beam.width"), MIN_WIDTH, MAX_WIDTH, value=st.session_state[PREFIX + "width"],
                        key=PREFIX + "width", help=t("beam.width_help"))  # fmt: skip
    alpha = right.slider(t("beam.alpha"), 0.0, MAX_ALPHA, value=st.session_state[PREFIX + "alpha"], step=0.1,
                         key=PREFIX + "alpha", help=t("beam.alpha_help"))  # fmt: skip
    return width, alpha


st.title(t("beam.title"))

model = selected_model()
if model is None:
    st.stop()

from_link(PAGE, "width", PREFIX + "width", int_in(MIN_WIDTH, MAX_WIDTH))
from_link(PAGE, "alpha", PREFIX + "alpha", _alpha)
st.session_state.setdefault(PREFIX + "width", 4)
st.session_state.setdefault(PREFIX + "alpha", 0.6)

submitted, text, (width, alpha) = sentence_form(PREFIX, t("beam.submit"), _options)
submitted = example_clicked(PREFIX) or submitted
if submitted or stale(PREFIX, model.name):
    mark_shown(PREFIX, model.name)
    st.session_state.pop(PREFIX + "result", None)
    st.session_state.pop(PREFIX + "hypothesis", None)
    done = run_model(model, text, lambda tr, s: decode(str(model.path), s, "tree", width, alpha), t("beam.working"))
    if done is not None:
        st.session_state[PREFIX + "result"] = (model.name, done[0], width, alpha, done[1])

stored = st.session_state.get(PREFIX + "result")
if stored is not None:
    model_name, translated, used_width, used_alpha, tree = stored
    best = tree.nbest[0]
    if not best.source_tokens:
        st.info(t("translate.no_words"))
        st.stop()
    if best.truncated_from is not None:
        st.warning(t("translate.too_long_tokens", n=best.truncated_from, kept=len(best.source_tokens)))
    unknown = [tok for tok, unk in zip(best.source_tokens, best.unknown, strict=True) if unk]
    if unknown:
        st.warning(t("translate.unknown", words=", ".join(f"'{escape_markdown(w)}'" for w in unknown)))

    # -- the hypothesis picked and its attention ---------------------------------------------
    score_word = t("beam.col_score")
    labels = [
        f"{i + 1}. {escape_markdown(h.text) or '∅'}  ({score_word} {h.score:.2f})" for i, h in enumerate(tree.nbest)
    ]
    chosen = st.session_state.get(PREFIX + "hypothesis")
    index = chosen if isinstance(chosen, int) and 0 <= chosen < len(tree.nbest) else 0
    heading, picker = st.columns([3, 2], vertical_alignment="bottom")
    pick = picker.selectbox(t("beam.pick"), range(len(tree.nbest)), index=index, format_func=labels.__getitem__,
                            key=PREFIX + "hypothesis")  # fmt: skip
    tr = tree.nbest[pick]
    heading.markdown(f"### {escape_markdown(tr.text) if tr.target_tokens else t('translate.empty_translation')}")
    st.markdown(f"**{t('beam.heatmap', rank=pick + 1)}**")
    if not tr.target_tokens:
        st.info(t("beam.empty_hypothesis"))
    else:
        level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
        matrix, source, target = levels.cross(tr, tr.attention, level)
        style = chart_style()
        vega_chart(
            attention_heatmap(matrix, source, target, centres=levels.centres(tr, tr.positions, level), style=style),
            width="content",
        )
        view = f"beam-{pick + 1}" + (f"-{level}" if levels.is_subword(tr) else "")
        attention_downloads(
            matrix,
            source,
            target,
            title=f"{model_name}: {tr.text} (#{pick + 1})",
            key=PREFIX + "dl_",
            style=style,
            name=download_name(model_name, tr.source_tokens, view),
        )
    st.caption(t("beam.used", model=escape_markdown(model_name), width=used_width, alpha=f"{used_alpha:.1f}"))

    # -- the n-best list ------------------------------------------------------------------
    st.subheader(t("beam.nbest"))
    finished = [key is not None and tree.node(key).finished for key in tree.ends]
    if not any(finished):
        st.info(t("beam.unfinished"))
    st.dataframe(
        pd.DataFrame(
            {
                "#": range(1, len(tree.nbest) + 1),
                t("beam.col_translation"): [h.text for h in tree.nbest],
                t("beam.col_score"): [round(h.score, 4) for h in tree.nbest],
                t("beam.col_log_prob"): [round(h.log_prob, 4) for h in tree.nbest],
                t("beam.col_tokens"): [len(h.target_tokens) for h in tree.nbest],
                t("beam.col_finished"): finished,
            }
        ),
        hide_index=True,
    )
    st.caption(t("beam.score_caption"))

    # -- the tree of expansions -------------------------------------------------------------
    st.subheader(t("beam.tree"))
    st.caption(t("beam.tree_caption"))
    show_pruned = st.toggle(t("beam.show_pruned"), value=widget_value(PREFIX + "pruned", True), key=PREFIX + "pruned")
    last = tree.last_step
    searched = max((n.step for n in tree.nodes), default=-1)
    if searched > last:
        st.caption(t("beam.tree_cut", step=last + 1, steps=searched + 1))

    def tooltip(n) -> str:
        return t("beam.tooltip", step=n.step + 1, beam=n.beam + 1, log_prob=f"{n.log_prob:.3f}", score=f"{n.score:.3f}")

    dot = beam_tree_dot(
        tree.nodes,
        last_step=last,
        highlight={n.key for n in tree.path(pick)},
        pruned=show_pruned,
        tooltip=tooltip,
        font_size=16 if presenting() else 11,
    )
    st.graphviz_chart(dot, width="stretch", alt=t("beam.tree_alt", hypotheses=", ".join(h.text for h in tree.nbest)))
    status = {True: t("beam.status_kept"), False: t("beam.status_pruned")}
    shown = visible_nodes(tree.nodes, last, show_pruned)
    with st.expander(t("beam.nodes_table", n=len(shown))):
        st.dataframe(
            pd.DataFrame(
                {
                    t("beam.col_step"): [n.step + 1 for n in shown],
                    t("beam.col_beam"): [n.beam + 1 for n in shown],
                    t("beam.col_token"): [n.token for n in shown],
                    t("beam.col_parent"): [None if n.parent is None else n.parent + 1 for n in shown],
                    t("beam.col_log_prob"): [round(n.log_prob, 4) for n in shown],
                    t("beam.col_score"): [round(n.score, 4) for n in shown],
                    t("beam.col_status"): [
                        t("beam.status_nbest", rank=n.rank + 1) if n.rank is not None else status[n.kept] for n in shown
                    ],
                }
            ),
            hide_index=True,
        )
        st.download_button(t("beam.download_dot"), dot.encode("utf-8"),
                           download_name(model_name, best.source_tokens, "beam-tree") + ".dot", "text/vnd.graphviz",
                           key=PREFIX + "dot", on_click="ignore")  # fmt: skip

try_these(PREFIX)
st.caption(t("beam.caption"))
publish(
    width=stored[2] if stored else None,
    alpha=f"{stored[3]:.1f}" if stored else None,
)
