"""Translate a sentence and show the attention behind the translation."""

import numpy as np
import streamlit as st

from core.text import MAX_INPUT_CHARS
from ui.charts import attention_figure, attention_heatmap, figure_bytes, matrix_csv
from ui.models import get_translator, read_metrics, selected_model
from ui.text import escape_markdown

PREFIX = "translate_"

st.title("Translate")
st.caption(
    "Type an English sentence; the model writes Spanish and shows which English words it looked at for each word."
)

model = selected_model()
if model is None:
    st.stop()

with st.form(PREFIX + "form"):
    sentence = st.text_area(
        "English sentence",
        value="I am cold.",
        help=f"Up to {MAX_INPUT_CHARS} characters; longer text is cut with a notice.",
        height=80,
        key=PREFIX + "sentence",
    )
    left, right = st.columns(2)
    decoding = left.radio("Decoding", ["Greedy", "Beam search"], horizontal=True, key=PREFIX + "decoding")
    width = right.slider("Beam width", 2, 8, 4, key=PREFIX + "width", help="Used by beam search only.")
    submitted = st.form_submit_button("Translate", type="primary")

if submitted:
    st.session_state.pop(PREFIX + "result", None)
    if not sentence or not sentence.strip():
        st.info("Type an English sentence to translate.")
    else:
        if len(sentence) > MAX_INPUT_CHARS:
            st.warning(f"Your text has {len(sentence)} characters; only the first {MAX_INPUT_CHARS} are translated.")
            sentence = sentence[:MAX_INPUT_CHARS]
        try:
            translator = get_translator(str(model.path))
            with st.spinner("Translating…"):
                if decoding == "Greedy":
                    hypotheses = [translator.translate(sentence)]
                else:
                    hypotheses = translator.nbest(sentence, beam_width=width)
        except Exception as e:  # the page shows a message, never a traceback
            st.error(f"The model {model.name} could not translate this sentence: {type(e).__name__}: {e}")
        else:
            st.session_state[PREFIX + "result"] = (model.name, hypotheses)

stored = st.session_state.get(PREFIX + "result")
if stored is not None:
    model_name, hypotheses = stored
    t = hypotheses[0]
    if not t.source_tokens:
        st.info("Nothing to translate: the text holds no words.")
        st.stop()
    if t.truncated_from is not None:
        st.warning(
            f"The sentence has {t.truncated_from} tokens; the model translated the first {len(t.source_tokens)}."
        )
    unknown = [tok for tok, unk in zip(t.source_tokens, t.unknown, strict=True) if unk]
    if unknown:
        st.warning(
            "Not in the model's vocabulary (marked [UNK] in the heatmap): "
            + ", ".join(f"'{escape_markdown(w)}'" for w in unknown)
        )
    if len(hypotheses) > 1:
        labels = [f"{i + 1}. {h.text}  (score {h.score:.2f})" for i, h in enumerate(hypotheses)]
        pick = st.radio("Beam hypotheses, best first", range(len(hypotheses)), format_func=labels.__getitem__,
                        key=PREFIX + "hypothesis")  # fmt: skip
        t = hypotheses[pick]
    st.markdown(f"### {escape_markdown(t.text) if t.target_tokens else '*(empty translation)*'}")
    metrics = read_metrics(model.path) if model.name == model_name else None
    cols = st.columns(3)
    cols[0].metric("Model", model_name)
    cols[1].metric("Output tokens", len(t.target_tokens))
    cols[2].metric("Mean token probability", f"{float(np.mean(t.probabilities)) if len(t.probabilities) else 0:.2f}")
    if metrics and "bleu" in metrics:
        st.caption(f"Test-set scores of this model: BLEU {metrics['bleu']:.1f}, chrF {metrics['chrf']:.1f}.")

    if t.target_tokens:
        st.subheader("Where the model looked")
        st.caption(
            "Each row is a Spanish output token; its cells show how much attention it paid to each English token."
        )
        matrix, title = t.attention, f"{model_name}: {t.text}"
        if t.layers is not None:  # Transformer: pick a layer and a head of the cross-attention
            num_layers, num_heads = t.layers["cross"].shape[:2]
            c1, c2 = st.columns(2)
            layer = c1.selectbox("Layer", range(num_layers), index=num_layers - 1, format_func=lambda i: f"{i + 1}",
                                 key=PREFIX + "layer")  # fmt: skip
            head = c2.selectbox("Head", [None, *range(num_heads)], key=PREFIX + "head",
                                format_func=lambda h: "average of heads" if h is None else f"{h + 1}")  # fmt: skip
            matrix = t.cross_attention(layer, head)
            title += f" (layer {layer + 1}, {'mean of heads' if head is None else f'head {head + 1}'})"
        if t.positions is not None:
            st.caption("Rings mark the window centre p that local-p attention predicted for each output token.")
        st.altair_chart(
            attention_heatmap(matrix, t.source_labels, t.target_tokens, centres=t.positions), width="content"
        )
        fig = attention_figure(matrix, t.source_labels, t.target_tokens, title=title)
        d1, d2, d3 = st.columns(3)
        d1.download_button("PNG", figure_bytes(fig, "png"), "attention.png", "image/png", key=PREFIX + "png")
        d2.download_button("SVG", figure_bytes(fig, "svg"), "attention.svg", "image/svg+xml", key=PREFIX + "svg")
        d3.download_button(
            "Matrix (CSV)",
            matrix_csv(matrix, t.source_labels, t.target_tokens),
            "attention.csv",
            "text/csv",
            key=PREFIX + "csv",
        )
        with st.expander("Per-token probabilities"):
            st.dataframe(
                {"output token": t.target_tokens, "probability": [round(float(p), 4) for p in t.probabilities]},
                hide_index=True,
            )
