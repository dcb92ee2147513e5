"""The equations of every mechanism next to the code that computes them, a positional-encoding
visualiser, and a toy attention on small Q, K, V matrices the user edits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from core.attention import additive, local, masking, multi_head, multiplicative, toy
from core.layers import feed_forward, positional
from ui.i18n import LANGUAGES, t, translate
from ui.language import widget_value
from ui.lesson_charts import matrix_heatmap, positional_heatmap, positional_lines
from ui.present import ChartStyle, chart_style
from ui.share import Refused, from_link, int_in, one_of, publish
from ui.source import Snippet, assignment_of, docstring_math, source_of, stack_equations
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "how_attention_works", "how_"
SECTION_KEY = PREFIX + "section"
SECTIONS = ("equations", "positional", "toy")  # link values; the tab labels are translated
POSITIONS = (1, 100, 40)  # slider range and default
D_MODEL = (2, 128, 64)

# (catalogue key of the title and explanation, module whose docstring holds the equations, the code that computes them)
MECHANISMS = [
    ("additive", additive,
     [lambda: source_of(additive.AdditiveAttention.call), lambda: source_of(masking.attend),
      lambda: source_of(masking.masked_softmax)]),
    ("multiplicative", multiplicative,
     [lambda: source_of(multiplicative.LuongAttention.project_keys),
      lambda: source_of(multiplicative.LuongAttention.scores)]),
    ("local", local,
     [lambda: source_of(local.LocalPAttention.predict_positions), lambda: source_of(local.LocalPAttention.call)]),
    ("multi_head", multi_head,
     [lambda: source_of(multi_head.scaled_dot_product_attention), lambda: source_of(multi_head.causal_mask),
      lambda: source_of(multi_head.MultiHeadAttention.call)]),
    ("positional", positional,
     [lambda: source_of(positional._inverse_frequencies), lambda: source_of(positional.positional_encoding),
      lambda: source_of(positional.PositionalEmbedding.call)]),
    ("feed_forward", feed_forward,
     [lambda: assignment_of(feed_forward, "_GATES"), lambda: source_of(feed_forward.FeedForward.call)]),
]  # fmt: skip


def mechanism_text(name: str) -> tuple[str, str]:
    """The title and the explanation of one mechanism in the current language."""
    texts = {
        "additive": (t("howto.additive_title"), t("howto.additive_text")),
        "multiplicative": (t("howto.multiplicative_title"), t("howto.multiplicative_text")),
        "local": (t("howto.local_title"), t("howto.local_text")),
        "multi_head": (t("howto.multi_head_title"), t("howto.multi_head_text")),
        "positional": (t("howto.positional_title"), t("howto.positional_text")),
        "feed_forward": (t("howto.feed_forward_title"), t("howto.feed_forward_text")),
    }
    return texts[name]


def show_mechanism(name: str, module, code: list[Callable[[], Snippet]]) -> None:
    title, explanation = mechanism_text(name)
    st.subheader(title)
    equations = docstring_math(module)
    if not equations:
        st.warning(t("howto.no_equation", module=module.__name__))
    for latex in equations:
        st.latex(stack_equations(latex))
    st.caption(explanation)
    for read in code:
        try:
            snippet = read()
        except (OSError, TypeError, LookupError) as e:  # e.g. sources not shipped: say where to look
            st.caption(t("howto.no_source", error=type(e).__name__, module=module.__name__))
            continue
        label = t(
            "howto.code",
            name=snippet.name.removeprefix(module.__name__ + "."),
            file=snippet.file,
            line=snippet.line,
        )
        with st.expander(label):
            st.code(snippet.code, language="python", line_numbers=True)


# -- toy attention ---------------------------------------------------------------------------
TOY_DEFAULTS = {
    "Q": pd.DataFrame({"d1": [2.0, 0.0, 1.0], "d2": [0.0, 2.0, 1.0]}, index=["q1", "q2", "q3"]),
    "K": pd.DataFrame({"d1": [1.0, 0.0, 1.0, -1.0], "d2": [0.0, 1.0, 1.0, 0.0]}, index=["k1", "k2", "k3", "k4"]),
    "V": pd.DataFrame({"v1": [1.0, 0.0, 1.0, 0.0], "v2": [0.0, 1.0, 1.0, 0.0]}, index=["k1", "k2", "k3", "k4"]),
}


def first_bad_cell(name: str, table: pd.DataFrame) -> tuple[str, str] | None:
    """(row, column) of the first cell of ``table`` that is not a finite number, by core's own rule."""
    for row in table.index:
        for column in table.columns:
            try:
                toy.as_matrix([[table.at[row, column]]], name)
            except ValueError:
                return str(row), str(column)
    return None


def toy_section(style: ChartStyle) -> None:
    st.caption(t("howto.toy_caption"))
    for latex in docstring_math(toy):
        st.latex(stack_equations(latex))
    tables = {}
    for col, (name, default) in zip(st.columns(3), TOY_DEFAULTS.items(), strict=True):
        with col:
            st.markdown(f"**{name}** ({default.shape[0]} × {default.shape[1]})")
            tables[name] = st.data_editor(
                default,
                key=PREFIX + name.lower(),
                num_rows="fixed",
                column_config={c: st.column_config.NumberColumn(c, format="%.2f") for c in default.columns},
            )
    causal = st.toggle(t("howto.causal"), value=widget_value(PREFIX + "causal", False), key=PREFIX + "causal",
                       help=t("howto.causal_help"))  # fmt: skip
    for name, table in tables.items():
        bad = first_bad_cell(name, table)
        if bad is not None:
            st.error(t("howto.toy_bad_cell", matrix=name, row=bad[0], column=bad[1]))
            return
    try:
        matrices = {name: toy.as_matrix(table, name) for name, table in tables.items()}
        result = toy.toy_attention(matrices["Q"], matrices["K"], matrices["V"], causal=causal)
    except ValueError as e:  # e.g. numbers too large to exponentiate
        st.error(t("howto.toy_failed", error=escape_markdown(str(e))))
        return
    queries, keys = list(TOY_DEFAULTS["Q"].index), list(TOY_DEFAULTS["K"].index)
    scores = pd.DataFrame(np.where(result.mask, result.scores, np.nan), index=queries, columns=keys)
    weights = pd.DataFrame(result.weights, index=queries, columns=keys)
    output = pd.DataFrame(result.output, index=queries, columns=list(TOY_DEFAULTS["V"].columns))
    top_left, top_right = st.columns(2)
    with top_left:
        st.markdown(t("howto.scores"))
        st.dataframe(scores.round(3))
        if causal:
            st.caption(t("howto.masked"))
    with top_right:
        st.markdown(t("howto.weights"))
        st.dataframe(weights.round(3))
        sums = ", ".join(f"{q} {s:.2f}" for q, s in zip(queries, weights.sum(axis=1), strict=True))
        st.caption(t("howto.row_sums", sums=sums))
    bottom_left, bottom_right = st.columns(2)
    with bottom_left:
        st.markdown(t("howto.output"))
        st.dataframe(output.round(3))
    with bottom_right:
        st.markdown(t("howto.weights_heatmap"))
        chart = matrix_heatmap(result.weights, keys, queries, t("howto.key"), t("howto.query"), style=style)
        vega_chart(chart, width="content")


# -- positional encoding ---------------------------------------------------------------------
def even(value: str) -> int:
    """Link parser of ``d_model``: an even integer in the slider's range."""
    number = int_in(*D_MODEL[:2])(value)
    if number % 2:
        raise Refused(value)
    return number


def positional_section(style: ChartStyle) -> None:
    st.caption(t("howto.positional_caption"))
    c1, c2 = st.columns(2)
    st.session_state.setdefault(PREFIX + "positions", POSITIONS[2])  # a default here, not in the widget: links set it
    st.session_state.setdefault(PREFIX + "d_model", D_MODEL[2])
    length = c1.slider(
        t("howto.positions"), *POSITIONS[:2], value=widget_value(PREFIX + "positions"), key=PREFIX + "positions"
    )
    d_model = c2.slider(
        t("howto.d_model"), *D_MODEL[:2], step=2, value=widget_value(PREFIX + "d_model"), key=PREFIX + "d_model"
    )
    table = positional.positional_encoding(length, d_model)  # (length, d_model)
    vega_chart(positional_heatmap(table, style=style))
    key = PREFIX + "dimensions"
    defaults = sorted({0, 1, 2 * (d_model // 8), 2 * (d_model // 4) + 1} & set(range(d_model)))
    if key not in st.session_state:
        st.session_state[key] = defaults
    else:  # a smaller d_model drops the dimensions beyond it
        st.session_state[key] = [j for j in st.session_state[key] if j < d_model] or defaults
    dims = st.multiselect(
        t("howto.dimensions"),
        list(range(d_model)),
        default=widget_value(key),
        key=key,
        max_selections=8,
        help=t("howto.dimensions_help"),
    )
    if dims:
        vega_chart(positional_lines(table, sorted(dims), style=style))


# -- the page --------------------------------------------------------------------------------
def section_labels() -> dict[str, str]:
    return {
        "equations": t("howto.section_equations"),
        "positional": t("howto.section_positional"),
        "toy": t("howto.section_toy"),
    }


def keep_section(labels: dict[str, str]) -> None:
    """The tabs remember their label: after a language switch, map it to the same tab's new label."""
    stored = st.session_state.get(SECTION_KEY)
    if stored is None or stored in labels.values():
        return
    for section in SECTIONS:
        if any(translate(f"howto.section_{section}", lang) == stored for lang in LANGUAGES):
            st.session_state[SECTION_KEY] = labels[section]
            return


st.title(t("howto.title"))
st.caption(t("howto.caption"))

labels = section_labels()
keep_section(labels)
from_link(PAGE, "section", SECTION_KEY, lambda value: labels[one_of(SECTIONS)(value)])
from_link(PAGE, "positions", PREFIX + "positions", int_in(*POSITIONS[:2]))
from_link(PAGE, "d_model", PREFIX + "d_model", even)
from_link(PAGE, "causal", PREFIX + "causal", lambda value: one_of(("0", "1"))(value) == "1")

style = chart_style()
equations_tab, positional_tab, toy_tab = st.tabs(list(labels.values()), key=SECTION_KEY, on_change="rerun")
with equations_tab:
    for name, module, code in MECHANISMS:
        show_mechanism(name, module, code)
with positional_tab:
    positional_section(style)
with toy_tab:
    toy_section(style)

section = next((s for s, label in labels.items() if label == st.session_state.get(SECTION_KEY)), SECTIONS[0])
positions, d_model = st.session_state.get(PREFIX + "positions"), st.session_state.get(PREFIX + "d_model")
publish(
    section=None if section == SECTIONS[0] else section,
    positions=None if positions == POSITIONS[2] else positions,
    d_model=None if d_model == D_MODEL[2] else d_model,
    causal="1" if st.session_state.get(PREFIX + "causal") else None,
)
