"""The equations of every mechanism next to the code that computes them, a positional-encoding
visualiser, and a toy attention on small Q, K, V matrices the user edits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.attention import additive, local, masking, multi_head, multiplicative, toy
from core.layers import feed_forward, positional
from ui.lesson_charts import matrix_heatmap, positional_heatmap, positional_lines
from ui.source import Snippet, assignment_of, docstring_math, source_of, stack_equations

PREFIX = "how_"

# (title, module whose docstring holds the equations, what the symbols mean, the code that computes them)
MECHANISMS = [
    (
        "Additive attention (Bahdanau)",
        additive,
        "At output step t the decoder state s_t is compared with every encoder state h_j by a small "
        "one-layer network; the softmax turns the scores e_tj into weights α_tj that sum to 1, and the "
        "context c_t is the weighted average of the encoder states.",
        [lambda: source_of(additive.AdditiveAttention.call), lambda: source_of(masking.attend),
         lambda: source_of(masking.masked_softmax)],
    ),
    (
        "Multiplicative attention (Luong): dot, general, concat",
        multiplicative,
        "The same softmax and context as additive attention, with a cheaper score: a dot product "
        "(dot), a learnt bilinear form W (general), or a network on the joined vectors [s_t; h_j] (concat).",
        [lambda: source_of(multiplicative.LuongAttention.project_keys),
         lambda: source_of(multiplicative.LuongAttention.scores)],
    ),
    (
        "Local-p attention: a predicted centre and a Gaussian window",
        local,
        "The decoder predicts where to look, a position p_t between 0 and the last source word (S_t), "
        "and only words within D of it count; a Gaussian with σ = D/2 favours the words nearest p_t.",
        [lambda: source_of(local.LocalPAttention.predict_positions), lambda: source_of(local.LocalPAttention.call)],
    ),
    (
        "Scaled dot-product and multi-head attention (Transformer)",
        multi_head,
        "Queries Q are compared with keys K by dot products, divided by √d_k so the softmax does not "
        "saturate as the vectors get longer, and the weights average the values V. Multi-head attention "
        "runs h such attentions on learnt projections of size d_model/h and joins them.",
        [lambda: source_of(multi_head.scaled_dot_product_attention), lambda: source_of(multi_head.causal_mask),
         lambda: source_of(multi_head.MultiHeadAttention.call)],
    ),
    (
        "Sinusoidal positional encoding",
        positional,
        "Attention alone ignores word order, so the Transformer adds to each word's embedding a vector "
        "that depends only on its position: sines and cosines whose wavelengths grow from 2π to 10000·2π "
        "across the dimensions.",
        [lambda: source_of(positional._inverse_frequencies), lambda: source_of(positional.positional_encoding),
         lambda: source_of(positional.PositionalEmbedding.call)],
    ),
    (
        "Feed-forward networks: ReLU, GLU, GEGLU, SwiGLU",
        feed_forward,
        "After attention every position goes through the same small network. The gated variants multiply "
        "one projection xW by a gate computed from another, xV (σ, GELU or Swish), element by element (⊙).",
        [lambda: assignment_of(feed_forward, "_GATES"), lambda: source_of(feed_forward.FeedForward.call)],
    ),
]  # fmt: skip


def show_mechanism(title: str, module, explanation: str, code) -> None:
    st.subheader(title)
    equations = docstring_math(module)
    if not equations:
        st.warning(f"No equation found in the docstring of {module.__name__}.")
    for latex in equations:
        st.latex(stack_equations(latex))
    st.caption(explanation)
    for read in code:
        try:
            snippet: Snippet = read()
        except (OSError, TypeError, LookupError) as e:  # e.g. sources not shipped: say where to look
            st.caption(f"Source not available here ({type(e).__name__}); see {module.__name__}.")
            continue
        with st.expander(
            f"Code: {snippet.name.removeprefix(module.__name__ + '.')}, {snippet.file} line {snippet.line}"
        ):
            st.code(snippet.code, language="python", line_numbers=True)


# -- toy attention ---------------------------------------------------------------------------
TOY_DEFAULTS = {
    "Q": pd.DataFrame({"d1": [2.0, 0.0, 1.0], "d2": [0.0, 2.0, 1.0]}, index=["q1", "q2", "q3"]),
    "K": pd.DataFrame({"d1": [1.0, 0.0, 1.0, -1.0], "d2": [0.0, 1.0, 1.0, 0.0]}, index=["k1", "k2", "k3", "k4"]),
    "V": pd.DataFrame({"v1": [1.0, 0.0, 1.0, 0.0], "v2": [0.0, 1.0, 1.0, 0.0]}, index=["k1", "k2", "k3", "k4"]),
}
TOY_HELP = {
    "Q": "queries, one row per word that is looking",
    "K": "keys, one row per word that can be looked at (as many columns d as Q)",
    "V": "values, what each looked-at word hands over (one row per key)",
}


def toy_section() -> None:
    st.caption(
        "Edit the small matrices below (double-click a cell). Each query row is compared with every key row; "
        "the scores become weights by a softmax along the row, and the output is the weighted mix of the value "
        "rows. " + "; ".join(f"{name}: {text}" for name, text in TOY_HELP.items()) + "."
    )
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
    causal = st.toggle(
        "Causal mask",
        key=PREFIX + "causal",
        help="As in the Transformer decoder: the queries are the last 3 of the 4 positions, "
        "and no query may look at a later position.",
    )
    try:
        matrices = {name: toy.as_matrix(table, name) for name, table in tables.items()}
        result = toy.toy_attention(matrices["Q"], matrices["K"], matrices["V"], causal=causal)
    except ValueError as e:
        st.error(f"Cannot compute the attention: {e}.")
        return
    queries, keys = list(TOY_DEFAULTS["Q"].index), list(TOY_DEFAULTS["K"].index)
    scores = pd.DataFrame(np.where(result.mask, result.scores, np.nan), index=queries, columns=keys)
    weights = pd.DataFrame(result.weights, index=queries, columns=keys)
    output = pd.DataFrame(result.output, index=queries, columns=list(TOY_DEFAULTS["V"].columns))
    top_left, top_right = st.columns(2)
    with top_left:
        st.markdown("**Scores** QKᵀ/√d")
        st.dataframe(scores.round(3))
        if causal:
            st.caption("Empty cells are masked: that query may not look at that key.")
    with top_right:
        st.markdown("**Weights** softmax of each row")
        st.dataframe(weights.round(3))
        st.caption(
            "Every row sums to 1: "
            + ", ".join(f"{q} {s:.2f}" for q, s in zip(queries, weights.sum(axis=1), strict=True))
        )
    bottom_left, bottom_right = st.columns(2)
    with bottom_left:
        st.markdown("**Output** weights × V")
        st.dataframe(output.round(3))
    with bottom_right:
        st.markdown("**The weights as a heatmap**")
        st.altair_chart(matrix_heatmap(result.weights, keys, queries, "key", "query"), width="content")


# -- positional encoding ---------------------------------------------------------------------
def positional_section() -> None:
    st.caption(
        "Each row is the vector added to the word at that position. Left dimensions oscillate fast, right "
        "ones slowly, so every position gets its own pattern, and the encoding of position pos + k is a fixed "
        "rotation of that of pos, which makes relative positions easy to learn."
    )
    c1, c2 = st.columns(2)
    length = c1.slider("Number of positions", 1, 100, 40, key=PREFIX + "positions")
    d_model = c2.slider("d_model (size of the vectors)", 2, 128, 64, step=2, key=PREFIX + "d_model")
    table = positional.positional_encoding(length, d_model)
    st.altair_chart(positional_heatmap(table))
    key = PREFIX + "dimensions"
    defaults = sorted({0, 1, 2 * (d_model // 8), 2 * (d_model // 4) + 1} & set(range(d_model)))
    if key not in st.session_state:
        st.session_state[key] = defaults
    else:  # a smaller d_model drops the dimensions beyond it
        st.session_state[key] = [j for j in st.session_state[key] if j < d_model] or defaults
    dims = st.multiselect(
        "Dimensions to plot", list(range(d_model)), key=key, max_selections=8, help="Even j: sine; odd j: cosine."
    )
    if dims:
        st.altair_chart(positional_lines(table, sorted(dims)))


st.title("How attention works")
st.caption(
    "The equations behind every model in this lab, each with the code that computes it, read from the "
    "project's source files as they are now; then two things to play with."
)
equations_tab, positional_tab, toy_tab = st.tabs(["Equations and code", "Positional encoding", "Try it: Q, K, V"])
with equations_tab:
    for mechanism in MECHANISMS:
        show_mechanism(*mechanism)
with positional_tab:
    positional_section()
with toy_tab:
    toy_section()
