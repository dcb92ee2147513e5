"""Every layer and head of a Transformer's attention as a grid of small heatmaps; enlarge one."""

from dataclasses import replace

import streamlit as st

from core import runs
from core.runs.model_files import read_config
from core.text.vocab import START
from ui import levels
from ui.charts import attention_heatmap
from ui.charts_grid import PICK, attention_grid, picked_panel
from ui.downloads import attention_downloads, download_name
from ui.examples import example_clicked, try_these
from ui.explain import show_head_importance
from ui.i18n import t
from ui.language import widget_index
from ui.lesson import mark_shown, stale
from ui.models import MODEL_KEY, best_first, list_models, selected_model
from ui.present import chart_style
from ui.sentence import run_model, sentence_form
from ui.share import from_link, int_in, one_of, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "layers", "layers_"
KINDS = ("encoder_self", "decoder_self", "cross")
MAX_LAYERS, MAX_HEADS = 24, 32  # bounds for link parameters; the model's own sizes are checked when drawing


def _arch(info: runs.RunInfo) -> str | None:
    try:
        return read_config(info.path).arch
    except (OSError, ValueError, TypeError):
        return None


def _view(tr, kind: str, level: str):
    """``(weights, column labels, row labels)`` of ``kind`` at ``level``; weights (layers, heads, rows, cols)."""
    weights = tr.layers[kind]
    if kind == "cross":
        return levels.cross(tr, weights, level)
    if kind == "decoder_self":  # what the decoder had read when it wrote each output token
        return levels.decoder_self(tr, weights, START, level)
    matrix, labels = levels.square(tr, weights, "source", level)
    return matrix, labels, labels


def _use_model(name: str) -> None:
    st.session_state[MODEL_KEY] = name  # a callback: runs before the sidebar's picker is drawn again


st.title(t("layers.title"))
st.caption(t("layers.caption"))

model = selected_model()
if model is None:
    st.stop()

arch = _arch(model)
if arch != "transformer":
    transformers = best_first([m for m in list_models() if m.error is None and _arch(m) == "transformer"])
    message = t("layers.needs_transformer", model=escape_markdown(model.name), arch=arch or "?")
    if transformers:
        st.info(message + " " + t("layers.available", models=", ".join(escape_markdown(n) for n in transformers)))
        st.button(
            t("layers.use_model", model=escape_markdown(transformers[0])),
            on_click=_use_model,
            args=(transformers[0],),
            type="primary",
            key=PREFIX + "use_transformer",
        )
    else:
        st.info(message + " " + t("layers.none_available"))
    st.stop()

from_link(PAGE, "kind", PREFIX + "kind", one_of(KINDS))
from_link(PAGE, "layer", PREFIX + "layer", lambda v: int_in(1, MAX_LAYERS)(v) - 1)
from_link(PAGE, "head", PREFIX + "head", lambda v: int_in(1, MAX_HEADS)(v) - 1)
st.session_state.setdefault(PREFIX + "kind", "cross")

submitted, text, _ = sentence_form(PREFIX, t("layers.submit"))
submitted = example_clicked(PREFIX) or submitted
if submitted or stale(PREFIX, model.name):
    mark_shown(PREFIX, model.name)
    st.session_state.pop(PREFIX + "result", None)
    done = run_model(model, text, lambda tr, s: tr.translate(s), t("translate.working"))
    if done is not None:
        st.session_state[PREFIX + "result"] = (model.name, *done)

kind = st.radio(
    t("layers.kind"),
    KINDS,
    horizontal=True,
    index=widget_index(PREFIX + "kind", KINDS),
    key=PREFIX + "kind",
    format_func={k: t(f"layers.kind_{k}") for k in KINDS}.get,
)

stored = st.session_state.get(PREFIX + "result")
layer = head = None
if stored is not None:
    model_name, translated, tr = stored
    if not tr.source_tokens:
        st.info(t("translate.no_words"))
        st.stop()
    if tr.layers is None:  # the result of a model that is no Transformer
        st.info(t("layers.press_again"))
        st.stop()
    if tr.truncated_from is not None:
        st.warning(t("translate.too_long_tokens", n=tr.truncated_from, kept=len(tr.source_tokens)))
    unknown = [tok for tok, unk in zip(tr.source_tokens, tr.unknown, strict=True) if unk]
    if unknown:
        st.warning(t("translate.unknown", words=", ".join(f"'{escape_markdown(w)}'" for w in unknown)))
    st.markdown(f"### {escape_markdown(tr.text) if tr.target_tokens else t('translate.empty_translation')}")
    st.caption(t("layers.model", model=escape_markdown(model_name)))

    level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
    style = chart_style()
    weights, cols, rows = _view(tr, kind, level)  # (layers, heads, rows, cols) and the labels
    titles = {
        "encoder_self": (t("chart.source"), t("chart.source")),
        "decoder_self": (t("chart.target"), t("layers.decoder_input")),
        "cross": (t("chart.target"), t("chart.source")),
    }[kind]
    num_layers, num_heads = weights.shape[:2]
    if not rows:
        st.info(t("layers.no_output"))
    else:
        # a click on a panel of the grid (its selection state is kept under the chart's key)
        picked = picked_panel(st.session_state.get(PREFIX + "grid"))
        if picked is not None and picked != st.session_state.get(PREFIX + "picked"):
            st.session_state[PREFIX + "picked"] = picked
            st.session_state[PREFIX + "layer"], st.session_state[PREFIX + "head"] = picked
        for key, n in ((PREFIX + "layer", num_layers), (PREFIX + "head", num_heads)):
            if st.session_state.get(key) is not None and not 0 <= st.session_state[key] < n:
                st.warning(t("layers.out_of_range", value=st.session_state[key] + 1, n=n))
                del st.session_state[key]
        st.session_state.setdefault(PREFIX + "layer", num_layers - 1)
        st.session_state.setdefault(PREFIX + "head", 0)
        chosen = (st.session_state[PREFIX + "layer"], st.session_state[PREFIX + "head"])

        st.subheader(t(f"layers.kind_{kind}"))
        st.caption(t(f"layers.about_{kind}") + " " + t("layers.grid_caption"))
        vega_chart(
            attention_grid(
                weights,
                rows,
                cols,
                chosen=chosen,
                style=style,
                layer_title=t("translate.layer"),
                head_title=t("translate.head"),
                row_title=titles[0],
                col_title=titles[1],
            ),
            width="content",
            on_select="rerun",
            selection_mode=PICK,
            key=PREFIX + "grid",
        )

        c1, c2 = st.columns(2)
        layer = c1.selectbox(t("translate.layer"), range(num_layers), format_func=lambda i: f"{i + 1}",
                             index=widget_index(PREFIX + "layer", range(num_layers)), key=PREFIX + "layer")  # fmt: skip
        head = c2.selectbox(t("translate.head"), range(num_heads), format_func=lambda i: f"{i + 1}",
                            index=widget_index(PREFIX + "head", range(num_heads)), key=PREFIX + "head")  # fmt: skip
        heading = t("layers.enlarged", kind=t(f"layers.kind_{kind}"), layer=layer + 1, head=head + 1)
        with st.expander(t("explain.importance_expander")):
            show_head_importance(model.path, kind, num_layers, num_heads)
        st.subheader(heading)
        matrix = weights[layer, head]  # (rows, cols)
        suffix = f"-{level}" if levels.is_subword(tr) else ""
        big = replace(style, target_title=titles[0], source_title=titles[1])
        vega_chart(attention_heatmap(matrix, cols, rows, style=big), width="content")
        attention_downloads(
            matrix,
            cols,
            rows,
            title=f"{model_name}: {tr.text} ({heading})",
            key=PREFIX + "dl_",
            style=big,
            name=download_name(model_name, tr.source_tokens, f"{kind}-layer{layer + 1}-head{head + 1}{suffix}"),
        )

try_these(PREFIX)
publish(
    kind=kind,
    layer=None if layer is None else layer + 1,
    head=None if head is None else head + 1,
)
