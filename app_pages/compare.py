"""One sentence, several models side by side, every heatmap on one colour scale."""

import math

import streamlit as st

from core.text import MAX_INPUT_CHARS, tokenize
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads
from ui.examples import DEFAULT_SENTENCE, example_clicked, try_these
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.models import arch_label, error_text, get_translator, list_models, read_metrics, selected_model
from ui.present import chart_style, fit_cell
from ui.share import from_link, from_link_list, one_of, publish, sentence
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "compare", "compare_"
MAX_MODELS = 4
SCALES = ("shared", "unit")
WRAP_CSS = """<style>
.st-key-compare_grid [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
.st-key-compare_grid [data-testid="stColumn"] { min-width: min(100%, 380px); }
</style>"""

st.title(t("compare.title"))
st.caption(t("compare.caption"))

models = list_models()
usable = {m.name: m for m in models if m.error is None}
broken = [m for m in models if m.error is not None]
if not usable:
    st.info(t("sidebar.no_model"))
    st.stop()

current = selected_model()
first = [current.name] if current is not None else []
linked = from_link(PAGE, "text", PREFIX + "sentence", sentence)
from_link_list(PAGE, "models", PREFIX + "models", one_of(list(usable)), MAX_MODELS)
from_link(PAGE, "scale", PREFIX + "scale", one_of(SCALES))
st.session_state.setdefault(PREFIX + "sentence", DEFAULT_SENTENCE)
if PREFIX + "models" in st.session_state:  # from a link or an earlier visit; a model folder may have gone
    if any(n not in usable for n in st.session_state[PREFIX + "models"]):
        st.session_state[PREFIX + "models"] = [n for n in st.session_state[PREFIX + "models"] if n in usable]
    picked = {"default": widget_value(PREFIX + "models")}
else:
    picked = {"default": (first + [n for n in usable if n not in first])[:3]}

with st.form(PREFIX + "form"):
    text = st.text_area(t("translate.sentence"), value=widget_value(PREFIX + "sentence", ""), height=80,
                        key=PREFIX + "sentence", help=t("compare.sentence_help", n=MAX_INPUT_CHARS))  # fmt: skip
    chosen = st.multiselect(t("compare.models"), list(usable), key=PREFIX + "models", **picked,
                            max_selections=MAX_MODELS, help=t("compare.models_help", n=MAX_MODELS))  # fmt: skip
    submitted = st.form_submit_button(t("compare.submit"), type="primary")

try_these(PREFIX)
submitted = example_clicked(PREFIX) or submitted
if submitted or linked:
    st.session_state.pop(PREFIX + "result", None)
    if not text or not tokenize(text):
        st.info(t("translate.empty"))
    elif not chosen:
        st.info(t("compare.pick_one"))
    else:
        if len(text) > MAX_INPUT_CHARS:
            st.warning(t("compare.cut", n=MAX_INPUT_CHARS))
        text = text[:MAX_INPUT_CHARS]
        columns = []
        with st.spinner(t("translate.working")):
            for name in chosen:
                info = usable[name]
                try:  # one model failing leaves the others be
                    translator = get_translator(str(info.path))
                    columns.append((name, info.path, arch_label(translator.config), translator.translate(text), None))
                except Exception as e:
                    columns.append((name, info.path, None, None, error_text(e)))
        st.session_state[PREFIX + "result"] = (text, columns)

stored = st.session_state.get(PREFIX + "result")
scale = None
if stored:
    _, columns = stored
    scale_labels = {"shared": t("compare.scale_shared"), "unit": t("compare.scale_unit")}
    scale = st.radio(t("compare.scale"), SCALES, horizontal=True, key=PREFIX + "scale",
                     index=widget_index(PREFIX + "scale", SCALES),
                     format_func=scale_labels.get, help=t("compare.scale_help"))  # fmt: skip
    drawn = [tr for *_, tr, err in columns if err is None and tr.target_tokens and tr.source_tokens]
    vmax = 1.0
    if scale == "shared" and drawn:
        vmax = min(1.0, max(0.05, math.ceil(max(float(tr.attention.max()) for tr in drawn) * 20) / 20))
    st.caption(t("compare.scale_note", vmax=f"{vmax:.2f}"))
    style = chart_style()
    per_row = 1 if style.presenting else min(2, len(columns))  # a heatmap needs ~400 px: two side by side at most
    longest = max((len(tr.source_labels) for tr in drawn), default=1)
    cell = fit_cell(longest, style, style.grid_width // per_row + (60 if per_row > 1 else 0))  # one size for all
    st.html(WRAP_CSS)  # a column narrower than a heatmap goes under its neighbour instead
    grid = st.container(key=PREFIX + "grid")
    places = [c for _ in range(0, len(columns), per_row) for c in grid.columns(per_row)][: len(columns)]
    for i, (col, (name, path, label, tr, err)) in enumerate(zip(places, columns, strict=True)):
        with col:
            st.subheader(name)
            metrics = read_metrics(path)
            if metrics and "bleu" in metrics:
                st.caption(f"BLEU {metrics['bleu']:.1f} · chrF {metrics.get('chrf', float('nan')):.1f}")
            else:
                st.caption(t("compare.no_scores"))
            if err is not None:
                st.error(t("compare.failed", error=escape_markdown(err)))
                continue
            st.caption(label)
            if not tr.target_tokens:
                st.markdown(t("translate.empty_translation"))
                continue
            st.markdown(f"**{escape_markdown(tr.text)}**")
            if tr.layers is not None:
                st.caption(t("compare.transformer_note"))
            if tr.positions is not None:
                st.caption(t("compare.rings"))
            vega_chart(
                attention_heatmap(
                    tr.attention,
                    tr.source_labels,
                    tr.target_tokens,
                    cell=cell,
                    vmax=vmax,
                    centres=tr.positions,
                    style=style,
                ),
                width="content",
            )
            attention_downloads(
                tr.attention, tr.source_labels, tr.target_tokens, title=f"{name}: {tr.text}",
                key=f"{PREFIX}{i}_", style=style, name=f"attention-{i + 1}",
            )  # fmt: skip

for m in broken:
    st.warning(t("compare.broken", name=escape_markdown(m.name), error=escape_markdown(m.error)))

publish(
    text=stored[0] if stored else None,
    models=st.session_state.get(PREFIX + "models"),
    scale=scale if scale != "shared" else None,
)
