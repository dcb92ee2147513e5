"""One sentence, several models side by side, every heatmap on one colour scale."""

import math

import streamlit as st

from core.text import MAX_INPUT_CHARS, tokenize
from ui.charts import attention_heatmap
from ui.models import get_translator, list_models, read_metrics, selected_model
from ui.text import escape_markdown

PREFIX = "compare_"
MAX_MODELS = 4
CELL = {1: 44, 2: 40, 3: 34}  # heatmap cell size by column count; smaller beyond

st.title("Compare")
st.caption(
    "Translate one sentence with several models and look at their attention side by side. "
    "All heatmaps share one colour scale, so the same colour means the same weight in every column."
)

models = list_models()
usable = {m.name: m for m in models if m.error is None}
broken = [m for m in models if m.error is not None]
if not usable:
    st.info("No model found. Shipped models live in assets/; train one with `python -m core.train`.")
    st.stop()

current = selected_model()
first = [current.name] if current is not None else []
default = (first + [n for n in usable if n not in first])[:3]

with st.form(PREFIX + "form"):
    sentence = st.text_area("English sentence", value="I am cold.", height=80, key=PREFIX + "sentence",
                            help=f"Up to {MAX_INPUT_CHARS} characters.")  # fmt: skip
    chosen = st.multiselect("Models", list(usable), default=default, key=PREFIX + "models",
                            max_selections=MAX_MODELS, help=f"Up to {MAX_MODELS} models.")  # fmt: skip
    submitted = st.form_submit_button("Compare", type="primary")

if submitted:
    st.session_state.pop(PREFIX + "result", None)
    if not sentence or not tokenize(sentence):
        st.info("Type an English sentence to translate.")
    elif not chosen:
        st.info("Pick at least one model.")
    else:
        sentence = sentence[:MAX_INPUT_CHARS]
        columns = []
        with st.spinner("Translating…"):
            for name in chosen:
                info = usable[name]
                try:  # one model failing leaves the others be
                    translator = get_translator(str(info.path))
                    columns.append((name, info.path, translator.config.label, translator.translate(sentence), None))
                except Exception as e:
                    columns.append((name, info.path, None, None, f"{type(e).__name__}: {e}"))
        st.session_state[PREFIX + "result"] = columns

columns = st.session_state.get(PREFIX + "result")
if columns:
    scale = st.radio("Colour scale", ["Shared maximum", "0 to 1"], horizontal=True, key=PREFIX + "scale",
                     help="Shared maximum: the strongest weight of all the heatmaps is the brightest colour.")  # fmt: skip
    drawn = [t for *_, t, err in columns if err is None and t.target_tokens and t.source_tokens]
    vmax = 1.0
    if scale == "Shared maximum" and drawn:
        vmax = min(1.0, max(0.05, math.ceil(max(float(t.attention.max()) for t in drawn) * 20) / 20))
    st.caption(f"Colour scale of every heatmap: 0 to {vmax:.2f}.")
    cell = CELL.get(len(columns), 28)
    for col, (name, path, label, t, err) in zip(st.columns(len(columns)), columns, strict=True):
        with col:
            st.subheader(name)
            metrics = read_metrics(path)
            if metrics and "bleu" in metrics:
                st.caption(f"BLEU {metrics['bleu']:.1f} · chrF {metrics.get('chrf', float('nan')):.1f}")
            else:
                st.caption("No test scores yet.")
            if err is not None:
                st.error(f"This model could not translate: {escape_markdown(err)}")
                continue
            st.caption(label)
            if not t.target_tokens:
                st.markdown("*(empty translation)*")
                continue
            st.markdown(f"**{escape_markdown(t.text)}**")
            if t.layers is not None:
                st.caption("Last layer's cross-attention, mean of the heads.")
            if t.positions is not None:
                st.caption("Rings mark local-p's predicted window centres.")
            st.altair_chart(
                attention_heatmap(
                    t.attention, t.source_labels, t.target_tokens, cell=cell, vmax=vmax, centres=t.positions
                ).configure_axis(labelOverlap=False),  # narrow columns: keep every token's label
                width="content",
            )

for m in broken:
    st.warning(f"{escape_markdown(m.name)} cannot be used: {escape_markdown(m.error)}")
