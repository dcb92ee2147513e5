"""Attention next to attribution: did the words the model looked at move its output?"""

import numpy as np
import pandas as pd
import streamlit as st

from core.attribution import effective_cross_attention, spearman_rows
from core.attribution.gradients import BASELINES
from ui import levels
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads, download_name
from ui.explain import get_attributor, mean_defined, reading
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lesson import mark_shown, stale
from ui.models import selected_model
from ui.panels import heatmap_width, wrap_css
from ui.present import chart_style, fit_cell
from ui.sentence import run_model, sentence_form
from ui.share import from_link, int_in, one_of, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "attribution", "attribution_"
STEPS = (32, 64, 128)
MAX_LAYERS = 24


def _options() -> tuple[str, int]:
    left, right = st.columns(2)
    baseline = left.radio(t("attribution.baseline"), BASELINES, horizontal=True, key=PREFIX + "baseline",
                          index=widget_index(PREFIX + "baseline", BASELINES),
                          format_func={b: t(f"attribution.baseline_{b}") for b in BASELINES}.get)  # fmt: skip
    steps = right.select_slider(
        t("attribution.steps"), STEPS, value=widget_value(PREFIX + "steps"), key=PREFIX + "steps"
    )
    return baseline, steps


def _panels(maps: dict, tr, model_name: str, style, level: str) -> None:
    """The maps side by side while they fit, in rows when not (``ui.panels``); one colour scale 0..1.

    At the words level every map is aggregated by one rule (``ui.levels.scores``): summed over a
    word's source pieces, averaged over its output pieces.
    """
    views = {name: (title, *levels.scores(tr, matrix, level)) for name, (title, matrix) in maps.items()}
    _, _, source, target = next(iter(views.values()))
    cell = fit_cell(len(source), style, style.panel_width)
    st.html(wrap_css(PREFIX + "panels", heatmap_width(source, target, cell, style.font)))
    columns = st.container(key=PREFIX + "panels").columns(len(views))
    suffix = f"-{level}" if levels.is_subword(tr) else ""
    for col, (name, (title, matrix, source, target)) in zip(columns, views.items(), strict=True):
        with col:
            st.markdown(f"**{title}**")
            vega_chart(attention_heatmap(matrix, source, target, cell=cell, style=style), width="content")
            attention_downloads(matrix, source, target, title=f"{model_name}: {title}",
                                key=f"{PREFIX}dl_{name}_", style=style,
                                name=download_name(model_name, tr.source_tokens, name + suffix))  # fmt: skip


st.title(t("attribution.title"))

model = selected_model()
if model is None:
    st.stop()

from_link(PAGE, "baseline", PREFIX + "baseline", one_of(BASELINES))
from_link(PAGE, "steps", PREFIX + "steps", lambda v: one_of(tuple(map(str, STEPS)))(v) and int(v))
from_link(PAGE, "layer", PREFIX + "layer", lambda v: int_in(1, MAX_LAYERS)(v) - 1)
st.session_state.setdefault(PREFIX + "baseline", "zero")
st.session_state.setdefault(PREFIX + "steps", 32)

submitted, text, (baseline, steps) = sentence_form(PREFIX, t("attribution.submit"), _options)
if submitted or stale(PREFIX, model.name):
    mark_shown(PREFIX, model.name)
    st.session_state.pop(PREFIX + "result", None)

    def work(translator, s):
        tr = translator.translate(s)
        return tr, get_attributor(str(model.path)).attribute_translation(tr, steps=steps, baseline=baseline)

    done = run_model(model, text, work, t("attribution.working"))
    if done is not None:
        st.session_state[PREFIX + "result"] = (model.name, *done)

stored = st.session_state.get(PREFIX + "result")
layer = None
if stored is not None:
    model_name, translated, (tr, result) = stored
    if not tr.source_tokens or not tr.target_tokens:
        st.info(t("translate.no_words"))
        st.stop()
    attention, attention_title = tr.attention, t("attribution.attention")
    maps = {}
    heading = st.columns([3, 1], vertical_alignment="bottom") if tr.layers is not None else [st.container()]
    heading[0].markdown(f"### {escape_markdown(tr.text)}")
    if tr.layers is not None:
        num_layers = tr.layers["cross"].shape[0]
        if st.session_state.get(PREFIX + "layer") is not None and st.session_state[PREFIX + "layer"] >= num_layers:
            del st.session_state[PREFIX + "layer"]
        st.session_state.setdefault(PREFIX + "layer", num_layers - 1)
        layer = heading[1].selectbox(t("attribution.layer"), range(num_layers), format_func=lambda i: f"{i + 1}",
                                     index=widget_index(PREFIX + "layer", range(num_layers)),
                                     key=PREFIX + "layer")  # fmt: skip
        attention = tr.cross_attention(layer, None)
        attention_title = t("attribution.attention_layer", layer=layer + 1)
        maps["rollout"] = (t("attribution.rollout", layer=layer + 1),
                           effective_cross_attention(tr.layers["cross"], tr.layers["encoder_self"], layer))  # fmt: skip
    maps = {
        "attention": (attention_title, attention),
        **maps,
        "integrated": (t("attribution.integrated", steps=result.steps), result.shares("integrated")),
        "grad_input": (t("attribution.grad_input"), result.shares("grad_input")),
    }
    level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
    style = chart_style()
    _panels(maps, tr, model_name, style, level)
    st.caption(t("attribution.about", model=escape_markdown(model_name), steps=result.steps,
                 baseline=t(f"attribution.baseline_{result.baseline}")))  # fmt: skip
    st.caption(t("attribution.scale"))

    rho = {name: spearman_rows(attention, m) for name, (_, m) in maps.items() if name != "attention"}
    st.subheader(t("attribution.agreement"))
    main = mean_defined(rho["integrated"])
    st.markdown(reading(main))
    table = pd.DataFrame(
        {
            t("translate.output_token"): tr.target_tokens,
            **{t(f"attribution.rho_{name}"): np.round(values, 3) for name, values in rho.items()},
            t("attribution.log_p"): np.round(result.log_probs, 3),
            t("attribution.gap"): np.round(result.gap, 4),
        }
    )
    st.dataframe(table, hide_index=True)
    if levels.is_subword(tr) and level == "words":
        st.caption(t("levels.table_pieces"))
    st.caption(
        t("attribution.gap_caption", gap=f"{np.abs(result.gap).max():.4f}", relative=f"{100 * result.relative_gap:.2f}")
    )
    st.download_button(t("common.download_csv"), table.to_csv(index=False).encode("utf-8"),
                       download_name(model_name, tr.source_tokens, "agreement") + ".csv", "text/csv",
                       key=PREFIX + "table_csv", on_click="ignore")  # fmt: skip
    st.latex(r"\mathrm{IG}_{ij} = \sum_d (e_{jd} - e'_{jd}) \int_0^1 \frac{\partial \log p(y_i)}{\partial e_{jd}}"
             r"\Big|_{e' + \alpha (e - e')} d\alpha")  # fmt: skip

st.caption(t("attribution.caption"))
publish(
    baseline=None if baseline == "zero" else baseline,
    steps=None if steps == 32 else steps,
    layer=None if layer is None else layer + 1,
)
