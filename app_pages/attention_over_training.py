"""The probe sentences' attention after every training epoch, from the selected model's run folder."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import runs
from core.probes import attention_sharpness
from core.text import detokenize
from ui.charts import attention_figure, attention_heatmap, figure_bytes, matrix_csv
from ui.lesson_charts import sharpness_chart
from ui.models import probe_epochs, read_probes, selected_model
from ui.text import escape_markdown

PREFIX = "attention_over_training_"
EPOCH_KEY = PREFIX + "epoch"
PLAYING_KEY = PREFIX + "playing"
FRAME_SECONDS = 0.6  # per epoch while playing
PLAY_SECONDS = 10.0  # a whole play lasts at most about this long
MAX_FRAMES = 40  # long runs play a sample of their epochs, always ending on the last


@dataclass(frozen=True)
class ProbeView:
    """One probe sentence at one epoch, checked: labels, output tokens and a (target, source) matrix."""

    labels: list[str]
    target: list[str]
    matrix: np.ndarray
    unknown: list[str]

    @property
    def text(self) -> str:
        return detokenize(self.target)


def probe_view(probe: dict) -> ProbeView:
    """Check one saved probe; ``ValueError`` (or ``KeyError``/``TypeError``) when malformed."""
    source = [str(t) for t in probe["source_tokens"]]
    target = [str(t) for t in probe["target_tokens"]]
    unknown = [bool(u) for u in probe.get("unknown") or [False] * len(source)]
    if len(unknown) != len(source):
        raise ValueError(f"{len(unknown)} unknown flags for {len(source)} source tokens")
    matrix = np.asarray(probe["attention"], dtype=float) if target else np.zeros((0, len(source)))
    if matrix.shape != (len(target), len(source)):
        raise ValueError(f"attention shape {matrix.shape} != (target {len(target)}, source {len(source)})")
    labels = [f"{t} [UNK]" if unk else t for t, unk in zip(source, unknown, strict=True)]
    return ProbeView(labels, target, matrix, [t for t, unk in zip(source, unknown, strict=True) if unk])


def find_probe(probes: list[dict], sentence: str) -> dict | None:
    return next((p for p in probes if isinstance(p, dict) and p.get("source") == sentence), None)


def draw_epoch(epoch: int, view: ProbeView | None, error: str | None, last: int) -> None:
    """The translation and heatmap of one epoch (one frame of the animation)."""
    if error is not None:
        st.error(f"Epoch {epoch}: this probe cannot be shown: {escape_markdown(error)}")
        return
    if view is None:
        st.info(f"Epoch {epoch} has no probe for this sentence.")
        return
    translation = escape_markdown(view.text) if view.target else "*(nothing: the model wrote no word yet)*"
    st.markdown(f"#### Epoch {epoch} of {last}: {translation}")
    if view.target:
        st.altair_chart(attention_heatmap(view.matrix, view.labels, view.target, vmax=1.0), width="content")


def _play(last_epoch: int) -> None:
    # runs before the script: the slider ends on the last epoch, where the animation ends
    st.session_state[EPOCH_KEY] = last_epoch
    st.session_state[PLAYING_KEY] = True


st.title("Attention over training")
st.caption(
    "After every training epoch the model translated a few fixed probe sentences and saved where it looked. "
    "Early on the attention is a blur; as the model learns, each Spanish word looks at the English words it "
    "translates. The colour scale is the same for every epoch (0 to 1)."
)

model = selected_model()
if model is None:
    st.stop()

try:
    epochs = probe_epochs(model.path)
except (OSError, ValueError) as e:
    st.error(f"Cannot list the probe files of {model.name}: {e}")
    st.stop()
if not epochs:
    st.info(
        f"{model.name} has no saved probe attention: its folder has no probes/epoch_NNN.json files. "
        "Runs trained with `python -m core.train` save them after every epoch; pick another model in the sidebar."
    )
    st.stop()

saved: dict[int, list[dict]] = {}
unreadable = []
for e in epochs:
    try:
        probes = read_probes(model.path, e)
        if not isinstance(probes, list):
            raise runs.RunError("'probes' is not a list")
        saved[e] = probes
    except (runs.RunError, KeyError, TypeError, OSError) as err:
        unreadable.append(f"epoch {e} ({err})")
if unreadable:
    st.warning(
        "Skipped probe files that could not be read (a run that is still training may be writing one): "
        + escape_markdown("; ".join(unreadable))
    )
epochs = sorted(saved)
sentences = list(
    dict.fromkeys(p["source"] for e in reversed(epochs) for p in saved[e] if isinstance(p, dict) and "source" in p)
)
if not sentences:
    st.info(f"The probe files of {model.name} hold no sentence.")
    st.stop()

if st.session_state.get(PREFIX + "sentence") not in sentences:
    st.session_state[PREFIX + "sentence"] = sentences[0]
if st.session_state.get(EPOCH_KEY) not in epochs:  # first visit, or another model
    st.session_state[EPOCH_KEY] = epochs[-1]

left, middle, right = st.columns([3, 4, 1], vertical_alignment="bottom")
sentence = left.selectbox("Probe sentence", sentences, key=PREFIX + "sentence")
epoch = middle.select_slider(
    "Epoch", options=epochs, key=EPOCH_KEY, help="The attention saved at the end of this training epoch."
)
right.button(
    "Play",
    icon=":material/play_arrow:",
    key=PREFIX + "play",
    on_click=_play,
    args=(epochs[-1],),
    disabled=len(epochs) < 2,
    help="Step through every saved epoch, first to last.",
)

views: dict[int, ProbeView | None] = {}
errors: dict[int, str] = {}
for e in epochs:
    probe = find_probe(saved[e], sentence)
    try:
        views[e] = None if probe is None else probe_view(probe)
    except (KeyError, TypeError, ValueError) as err:
        views[e], errors[e] = None, f"{type(err).__name__}: {err}"

frame = st.empty()
if st.session_state.pop(PLAYING_KEY, False):
    picks = np.linspace(0, len(epochs) - 1, min(len(epochs), MAX_FRAMES)).round().astype(int)
    shown = [epochs[i] for i in dict.fromkeys(picks)]  # first and last always, in order
    pause = min(FRAME_SECONDS, PLAY_SECONDS / len(shown))
    for e in shown[:-1]:  # a finite list: the animation always ends
        with frame.container():
            draw_epoch(e, views[e], errors.get(e), epochs[-1])
        time.sleep(pause)
with frame.container():
    draw_epoch(epoch, views[epoch], errors.get(epoch), epochs[-1])

view = views[epoch]
if view is not None and view.unknown:
    st.caption(
        "Not in the model's vocabulary (marked [UNK]): " + ", ".join(f"'{escape_markdown(w)}'" for w in view.unknown)
    )
if view is not None and view.target:
    fig = attention_figure(view.matrix, view.labels, view.target, title=f"{model.name}, epoch {epoch}: {view.text}")
    name = f"attention_epoch_{epoch:03d}"
    d1, d2, d3 = st.columns(3)
    d1.download_button("PNG", figure_bytes(fig, "png"), f"{name}.png", "image/png", key=PREFIX + "png")
    d2.download_button("SVG", figure_bytes(fig, "svg"), f"{name}.svg", "image/svg+xml", key=PREFIX + "svg")
    d3.download_button(
        "Matrix (CSV)",
        matrix_csv(view.matrix, view.labels, view.target),
        f"{name}.csv",
        "text/csv",
        key=PREFIX + "csv",
    )

rows = []
for e in epochs:
    v = views[e]
    if v is not None:
        rows.append(
            {"epoch": e, "translation": v.text, "output tokens": len(v.target), **attention_sharpness(v.matrix)}
        )
if rows:
    table = pd.DataFrame(rows)
    st.subheader("How sharp the attention got")
    st.caption(
        "Peak weight: the average, over the Spanish words, of the largest weight in their row "
        "(1 = each word looks at a single English word). Focus: 1 minus the rows' average entropy "
        "relative to spreading evenly (0 = a uniform blur, 1 = sharp)."
    )
    st.altair_chart(sharpness_chart(table[["epoch", "peak", "focus"]], epoch))
    with st.expander("The translation after every epoch"):
        st.dataframe(table.round({"peak": 3, "focus": 3}), hide_index=True)
