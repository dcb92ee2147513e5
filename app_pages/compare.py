"""One sentence, several models side by side, every heatmap on one colour scale."""

import math

import streamlit as st

from core.text import MAX_INPUT_CHARS, tokenize
from ui import levels
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads, download_name
from ui.examples import example_clicked, try_these
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lesson import mark_shown, stale
from ui.models import arch_label, error_text, get_translator, list_models, read_metrics, selected_model
from ui.panels import heatmap_width, wrap_css
from ui.present import chart_style, fit_cell
from ui.sentence import sentence_form
from ui.share import from_link, from_link_list, one_of, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "compare", "compare_"
MAX_MODELS = 4
SCALES = ("shared", "unit")


def _models_option(usable: dict, picked: dict) -> list[str]:
    return st.multiselect(t("compare.models"), list(usable), key=PREFIX + "models", **picked,
                          max_selections=MAX_MODELS, help=t("compare.models_help", n=MAX_MODELS))  # fmt: skip


def _column(i: int, name: str, path, label: str | None, tr, err: str | None, cell: int, vmax: float, style,
            level: str) -> None:  # fmt: skip
    """One model's column: its name and scores on one line, its translation, its heatmap; notes under it."""
    metrics = read_metrics(path)
    scores = (f"BLEU {metrics['bleu']:.1f} · chrF {metrics.get('chrf', float('nan')):.1f}"
              if metrics and "bleu" in metrics else t("compare.no_scores"))  # fmt: skip
    st.subheader(name)
    st.caption(scores + (f" · {label}" if label else ""))
    if err is not None:
        st.error(t("compare.failed", error=escape_markdown(err)))
        return
    if not tr.target_tokens:
        st.markdown(t("translate.empty_translation"))
        return
    st.markdown(f"**{escape_markdown(tr.text)}**")
    matrix, source, target = levels.cross(tr, tr.attention, level)  # a word-level model: as it is
    vega_chart(
        attention_heatmap(matrix, source, target, cell=cell, vmax=vmax,
                          centres=levels.centres(tr, tr.positions, level), style=style),
        width="content",
    )  # fmt: skip
    view = f"compare-{level}" if levels.is_subword(tr) else "compare"
    attention_downloads(matrix, source, target, title=f"{name}: {tr.text}",
                        key=f"{PREFIX}{i}_", style=style, name=download_name(name, tr.source_tokens, view))  # fmt: skip
    if tr.layers is not None:
        st.caption(t("compare.transformer_note"))
    if tr.positions is not None:
        st.caption(t("compare.rings"))


st.title(t("compare.title"))

models = list_models()
usable = {m.name: m for m in models if m.error is None}
broken = [m for m in models if m.error is not None]
if not usable:
    st.info(t("sidebar.no_model"))
    st.stop()

current = selected_model()
first = [current.name] if current is not None else []
from_link_list(PAGE, "models", PREFIX + "models", one_of(list(usable)), MAX_MODELS)
from_link(PAGE, "scale", PREFIX + "scale", one_of(SCALES))
if PREFIX + "models" in st.session_state:  # from a link or an earlier visit; a model folder may have gone
    if any(n not in usable for n in st.session_state[PREFIX + "models"]):
        st.session_state[PREFIX + "models"] = [n for n in st.session_state[PREFIX + "models"] if n in usable]
    picked = {"default": widget_value(PREFIX + "models")}
else:
    picked = {"default": (first + [n for n in usable if n not in first])[:3]}

submitted, text, chosen = sentence_form(PREFIX, t("compare.submit"), lambda: _models_option(usable, picked))
submitted = example_clicked(PREFIX) or submitted
if submitted or stale(PREFIX):
    mark_shown(PREFIX)
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
scale = st.session_state.get(PREFIX + "scale", "shared")
if stored:
    _, columns = stored
    drawn = [tr for *_, tr, err in columns if err is None and tr.target_tokens and tr.source_tokens]
    subword = any(levels.is_subword(tr) for tr in drawn)
    level = levels.level_picker("bpe" if subword else "word")  # one switch for every subword column
    if subword:
        st.caption(t("levels.compare"))
    views = [levels.cross(tr, tr.attention, level) for tr in drawn]
    vmax = 1.0
    if scale == "shared" and views:
        vmax = min(1.0, max(0.05, math.ceil(max(float(m.max()) for m, _, _ in views) * 20) / 20))
    style = chart_style()
    longest = max((len(source) for _, source, _ in views), default=1)
    cell = fit_cell(longest, style, style.panel_width)  # one size for all: the panels compare cell for cell
    panel = max((heatmap_width(source, target, cell, style.font) for _, source, target in views), default=0)
    st.html(wrap_css(PREFIX + "grid", panel))  # panels side by side while they fit, else in rows
    grid = st.container(key=PREFIX + "grid")
    places = grid.columns(len(columns))
    for i, (col, (name, path, label, tr, err)) in enumerate(zip(places, columns, strict=True)):
        with col:
            _column(i, name, path, label, tr, err, cell, vmax, style, level)
    scale_labels = {"shared": t("compare.scale_shared"), "unit": t("compare.scale_unit")}
    scale = st.radio(t("compare.scale"), SCALES, horizontal=True, key=PREFIX + "scale",
                     index=widget_index(PREFIX + "scale", SCALES),
                     format_func=scale_labels.get, help=t("compare.scale_help"))  # fmt: skip
    st.caption(t("compare.scale_note", vmax=f"{vmax:.2f}"))

for m in broken:
    st.warning(t("compare.broken", name=escape_markdown(m.name), error=escape_markdown(m.error)))
try_these(PREFIX)
st.caption(t("compare.caption"))

publish(
    models=st.session_state.get(PREFIX + "models"),
    scale=scale if stored and scale != "shared" else None,
)
