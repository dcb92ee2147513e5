"""The probe sentences' attention after every training epoch, from the selected model's run folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import runs
from core.data.probes import attention_sharpness
from core.runs.model_files import read_config
from core.text import detokenize
from core.text.pieces import join_pieces
from ui import levels
from ui.charts import attention_heatmap
from ui.downloads import attention_downloads, download_name
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lesson_charts import sharpness_chart
from ui.models import error_text, probe_epochs, read_probes, selected_model
from ui.present import ChartStyle, chart_style
from ui.share import Refused, from_link, int_in, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "attention_over_training", "attention_over_training_"
SENTENCE_KEY = PREFIX + "sentence"
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
    subword: bool = False  # tokens are SentencePiece pieces

    @property
    def text(self) -> str:
        return join_pieces(self.target) if self.subword else detokenize(self.target)

    def at(self, level: str) -> tuple[np.ndarray, list[str], list[str]]:
        """``(matrix, source labels, target labels)`` at ``level`` (``ui.levels``: words sum, rows mean)."""
        return levels.tokens_view(self.matrix, self.labels, self.target, level, subword=self.subword)


def probe_view(probe: dict, subword: bool = False) -> ProbeView:
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
    return ProbeView(labels, target, matrix, [t for t, unk in zip(source, unknown, strict=True) if unk], subword)


def find_probe(probes: list[dict], sentence: str) -> dict | None:
    return next((p for p in probes if isinstance(p, dict) and p.get("source") == sentence), None)


def draw_epoch(
    epoch: int, view: ProbeView | None, error: str | None, last: int, style: ChartStyle, level: str = "pieces"
) -> None:
    """The translation and heatmap of one epoch (one frame of the animation)."""
    if error is not None:
        st.error(t("overtime.cannot_show", epoch=epoch, error=escape_markdown(error)))
        return
    if view is None:
        st.info(t("overtime.no_probe", epoch=epoch))
        return
    translation = escape_markdown(view.text) if view.target else t("overtime.no_words")
    st.markdown(t("overtime.heading", epoch=epoch, last=last, translation=translation))
    if view.target:
        chart = attention_heatmap(*view.at(level), vmax=1.0, style=style)
        vega_chart(chart, width="content")


def epoch_of(epochs: list[int]) -> Callable[[str], int]:
    """Link parser of ``epoch``: one of the epochs with saved probes."""

    def parse(value: str) -> int:
        epoch = int_in(epochs[0], epochs[-1])(value)
        if epoch not in epochs:
            raise Refused(value)
        return epoch

    return parse


def probe_of(sentences: list[str]) -> Callable[[str], str]:
    """Link parser of ``probe``: the index of a probe sentence, read as that sentence."""
    return lambda value: sentences[int_in(0, len(sentences) - 1)(value)]


def _tokenizer(info: runs.RunInfo) -> str:
    """The model's tokenizer kind (``"word"`` when its config cannot be read: the probes then show as saved)."""
    try:
        return read_config(info.path).tokenizer
    except (OSError, ValueError, TypeError):
        return "word"


def _play(last_epoch: int) -> None:
    # runs before the script: the slider ends on the last epoch, where the animation ends
    st.session_state[EPOCH_KEY] = last_epoch
    st.session_state[PLAYING_KEY] = True


st.title(t("overtime.title"))
st.caption(t("overtime.caption"))

model = selected_model()
if model is None:
    st.stop()

try:
    epochs = probe_epochs(model.path)
except (OSError, ValueError) as e:
    st.error(t("overtime.cannot_list", name=escape_markdown(model.name), error=escape_markdown(error_text(e))))
    st.stop()
if not epochs:
    st.info(t("overtime.no_probes", name=escape_markdown(model.name)))
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
        unreadable.append(t("overtime.unreadable_file", epoch=e, error=error_text(err)))
if unreadable:
    st.warning(t("overtime.unreadable", files=escape_markdown("; ".join(unreadable))))
epochs = sorted(saved)
tokenizer = _tokenizer(model)
subword = levels.is_subword(tokenizer)
sentences = list(
    dict.fromkeys(p["source"] for e in reversed(epochs) for p in saved[e] if isinstance(p, dict) and "source" in p)
)
if not sentences:
    st.info(t("overtime.no_sentence", name=escape_markdown(model.name)))
    st.stop()

from_link(PAGE, "probe", SENTENCE_KEY, probe_of(sentences))
from_link(PAGE, "epoch", EPOCH_KEY, epoch_of(epochs))
if st.session_state.get(SENTENCE_KEY) not in sentences:
    st.session_state[SENTENCE_KEY] = sentences[0]
if st.session_state.get(EPOCH_KEY) not in epochs:  # first visit, or another model
    st.session_state[EPOCH_KEY] = epochs[-1]

left, middle, right = st.columns([3, 3, 2], vertical_alignment="bottom")
sentence = left.selectbox(t("overtime.sentence"), sentences, index=widget_index(SENTENCE_KEY, sentences),
                          key=SENTENCE_KEY)  # fmt: skip
slider_place = middle.empty()  # the slider: while the animation plays, a stand-in that shows its epoch


def epoch_slider(value: int, key: str, disabled: bool = False) -> int:
    return slider_place.select_slider(t("overtime.epoch_label"), options=epochs, value=value, key=key,
                                      help=t("overtime.epoch_help"), disabled=disabled)  # fmt: skip


right.button(
    t("overtime.play"),
    icon=":material/play_arrow:",
    key=PREFIX + "play",
    on_click=_play,
    args=(epochs[-1],),
    disabled=len(epochs) < 2,
    help=t("overtime.play_help"),
)

views: dict[int, ProbeView | None] = {}
errors: dict[int, str] = {}
for e in epochs:
    probe = find_probe(saved[e], sentence)
    try:
        views[e] = None if probe is None else probe_view(probe, subword)
    except (KeyError, TypeError, ValueError) as err:
        views[e], errors[e] = None, error_text(err)

level = levels.level_picker(tokenizer)  # a subword model: its pieces, or words summed from them
style = chart_style()
frame = st.empty()
if st.session_state.pop(PLAYING_KEY, False):
    picks = np.linspace(0, len(epochs) - 1, min(len(epochs), MAX_FRAMES)).round().astype(int)
    shown = [epochs[i] for i in dict.fromkeys(picks)]  # first and last always, in order
    pause = min(FRAME_SECONDS, PLAY_SECONDS / len(shown))
    for e in shown[:-1]:  # a finite list: the animation always ends
        with frame.container():
            draw_epoch(e, views[e], errors.get(e), epochs[-1], style, level)
        epoch_slider(e, key=f"{PREFIX}frame_{e}", disabled=True)  # the slider follows the frame shown
        time.sleep(pause)
epoch = epoch_slider(widget_value(EPOCH_KEY), key=EPOCH_KEY)  # after a play: the last epoch (see _play)
with frame.container():
    draw_epoch(epoch, views[epoch], errors.get(epoch), epochs[-1], style, level)

view = views[epoch]
if view is not None and view.unknown:
    words = ", ".join(f"'{escape_markdown(w)}'" for w in view.unknown)
    st.caption(t("overtime.unknown", words=words))
if view is not None and view.target:
    matrix, source, target = view.at(level)
    attention_downloads(
        matrix,
        source,
        target,
        title=f"{model.name}, {t('overtime.col_epoch')} {epoch}: {view.text}",
        key=PREFIX,
        style=style,
        name=download_name(model.name, source, f"epoch-{epoch:03d}" + (f"-{level}" if subword else "")),
    )

rows = []
for e in epochs:
    v = views[e]
    if v is not None:
        rows.append({"epoch": e, "translation": v.text, "tokens": len(v.target), **attention_sharpness(v.matrix)})
if rows:
    table = pd.DataFrame(rows)
    st.subheader(t("overtime.sharpness_title"))
    st.caption(t("overtime.sharpness_caption"))
    vega_chart(sharpness_chart(table[["epoch", "peak", "focus"]], epoch, style=style))
    columns = {
        "epoch": t("overtime.col_epoch"),
        "translation": t("overtime.col_translation"),
        "tokens": t("overtime.col_tokens"),
        "peak": t("overtime.col_peak"),
        "focus": t("overtime.col_focus"),
    }
    with st.expander(t("overtime.table")):
        st.dataframe(table.round({"peak": 3, "focus": 3}).rename(columns=columns), hide_index=True)

publish(epoch=epoch, probe=sentences.index(sentence))
