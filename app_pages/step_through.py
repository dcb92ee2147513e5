"""Decode one sentence a token at a time, and force a different word to see how the model goes on."""

import streamlit as st

from core.decoding.results import UNK_NOTABLE
from core.text import MAX_INPUT_CHARS, detokenize, tokenize
from core.text.pieces import join_pieces
from core.text.vocab import END
from core.text.words import normalize
from ui import levels
from ui.charts import attention_bars, attention_heatmap, candidates_chart
from ui.downloads import attention_downloads, download_name
from ui.examples import example_clicked, try_these
from ui.i18n import t
from ui.language import widget_index, widget_value
from ui.lesson import mark_shown, stale
from ui.models import error_text, get_translator, selected_model
from ui.present import chart_style
from ui.sentence import sentence_form
from ui.share import from_link, int_in, publish
from ui.text import escape_markdown
from ui.vega import vega_chart

PAGE, PREFIX = "step", "step_"
RUN, RESULT, POS, ERROR = PREFIX + "run", PREFIX + "result", PREFIX + "pos", PREFIX + "error"
LINK_STEP = PREFIX + "link_step"  # the step a link asks for, until the sentence is decoded
MAX_STEP = 200  # bound of the ``step`` link parameter; the decoded length is checked when applied


def _word(token: str, end_label: str) -> str:
    return end_label if token == END else token


def _decode(forced: tuple, pos: int) -> None:
    """Decode the current sentence with ``forced`` first and show step ``pos``; errors become a message."""
    run = st.session_state[RUN]
    try:
        result = get_translator(run["path"]).step_through(run["sentence"], forced)
    except ValueError as e:
        st.session_state[ERROR] = error_text(e).split(": ", 1)[1]
        return
    except Exception as e:  # the page shows a message, never a traceback
        st.session_state[ERROR] = t("translate.failed", model=run["model"], error=error_text(e))
        return
    st.session_state[RESULT] = result
    st.session_state[POS] = max(0, min(pos, len(result.steps) - 1))


def _join(tr, tokens: list[str]) -> str:
    """The text ``tokens`` spell, as the model's tokenizer joins them."""
    return join_pieces(tokens) if levels.is_subword(tr) else detokenize(tokens)


def _heatmap_labels(tr, steps, pos: int, level: str, texts: list[str]) -> list[str]:
    """Output tokens (or words, ``texts``) marked: ▶ the current step, ✎ a forced one."""
    groups = tr.word_groups()[1] if level == "words" else [[i] for i in range(len(tr.target_tokens))]
    return [("▶ " if pos in g else "") + text + (" ✎" if any(steps[i].forced for i in g) else "")
            for g, text in zip(groups, texts, strict=True)]  # fmt: skip


def _move(delta: int) -> None:
    st.session_state[POS] += delta


def _forced_so_far(result, pos: int) -> list:
    """The steps before ``pos`` as a prefix: forced words kept, the model's own choices left to it."""
    return [s.token if s.forced else None for s in result.steps[:pos]]


def _use_pick() -> None:
    result, pos = st.session_state[RESULT], st.session_state[POS]
    pick = st.session_state.get(PREFIX + "pick")
    if pick is not None:
        _decode((*_forced_so_far(result, pos), pick), pos + 1)


def _use_typed() -> None:
    """Force the typed start, split by the model's own tokenizer (words, or subword pieces)."""
    typed = normalize(st.session_state.get(PREFIX + "typed", ""))
    try:
        words = get_translator(st.session_state[RUN]["path"]).tokenizer.split(typed) if typed else []
    except Exception as e:  # the page shows a message, never a traceback
        st.session_state[ERROR] = t("translate.failed", model=st.session_state[RUN]["model"], error=error_text(e))
        return
    if not words:
        st.session_state[ERROR] = t("step.typed_empty")
        return
    _decode(tuple(words), len(words))


st.title(t("step.title"))
END_LABEL = t("step.end")

model = selected_model()
if model is None:
    st.stop()

from_link(PAGE, "step", LINK_STEP, int_in(1, MAX_STEP))
submitted, text, _ = sentence_form(PREFIX, t("step.start"))
submitted = example_clicked(PREFIX) or submitted
if submitted or stale(PREFIX, model.name):
    mark_shown(PREFIX, model.name)
    st.session_state.pop(RESULT, None)
    if not text or not tokenize(text):
        st.info(t("translate.empty"))
    else:
        if len(text) > MAX_INPUT_CHARS:
            st.warning(t("translate.too_long_chars", n=len(text), cap=MAX_INPUT_CHARS))
            text = text[:MAX_INPUT_CHARS]
        st.session_state[RUN] = {"model": model.name, "path": str(model.path), "sentence": text}
        with st.spinner(t("translate.working")):
            _decode((), st.session_state.pop(LINK_STEP, 1) - 1)  # a link reopens at its step

error = st.session_state.pop(ERROR, None)
if error:
    st.error(escape_markdown(error))

result = st.session_state.get(RESULT)
run = st.session_state.get(RUN)
if result is None or run is None:
    publish(step=None)
    try_these(PREFIX)
    st.caption(t("step.caption"))
    st.stop()
steps, pos = result.steps, st.session_state[POS]
if not steps:  # the model's first choice was padding: nothing to step through
    st.info(t("guard.no_steps"))
    st.stop()
tr = result.translation
if tr.truncated_from is not None:
    st.warning(t("translate.too_long_tokens", n=tr.truncated_from, kept=len(tr.source_tokens)))

nav_row, progress_row = st.columns([3, 2], vertical_alignment="center")
nav = nav_row.container(horizontal=True)  # buttons as wide as their words, wrapping on a phone
nav.button(t("step.previous"), key=PREFIX + "prev", on_click=_move, args=(-1,), disabled=pos == 0,
           icon=":material/arrow_back:")  # fmt: skip
nav.button(t("step.next"), key=PREFIX + "next", on_click=_move, args=(1,), disabled=pos >= len(steps) - 1,
           icon=":material/arrow_forward:")  # fmt: skip
nav.button(t("step.undo"), key=PREFIX + "reset", on_click=_decode, args=((), 0),
           disabled=not any(s.forced for s in steps))  # fmt: skip
progress_row.progress((pos + 1) / len(steps), text=t("step.progress", i=pos + 1, n=len(steps)))

step = steps[pos]
so_far = [s.token for s in steps[:pos]]
st.markdown(t("step.so_far", text=escape_markdown(_join(tr, so_far)) if so_far else t("step.nothing_yet")))
word = f"**{escape_markdown(_word(step.token, END_LABEL))}**"
p = f"{step.probability:.2f}"
if step.forced:
    own = step.model_choice
    said = t("step.own_choice", word=escape_markdown(_word(own, END_LABEL))) if own != step.token else ""
    st.markdown(t("step.forced", i=pos + 1, word=word, p=p, said=said))
elif step.is_end:
    st.markdown(t("step.ends", i=pos + 1, p=p))
else:
    st.markdown(t("step.writes", i=pos + 1, word=word, p=p))

level = levels.level_picker(tr)  # a subword model: its pieces, or words summed from them
style = chart_style()
left, right = st.columns([3, 2])
with left:
    st.markdown(t("step.looks"))
    row, row_labels = levels.source_row(tr, step.attention_row, level)
    position = levels.source_position(tr, step.position, level)
    vega_chart(attention_bars(row, row_labels, position, style), width="content")
    if step.position is not None:
        st.caption(t("step.triangle", p=f"{step.position:.2f}"))
with right:
    st.markdown(t("step.candidates", k=len(step.top_k)))
    chart = candidates_chart([(_word(w, END_LABEL), q) for w, q in step.top_k], _word(step.token, END_LABEL), style)
    vega_chart(chart, width="stretch")  # as wide as its column, however narrow the screen
    alternatives = [w for w, _ in step.top_k if w != step.token]
    if alternatives:
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        labels = {w: _word(w, END_LABEL) for w in alternatives}
        c1.selectbox(t("step.instead"), alternatives, index=widget_index(PREFIX + "pick", alternatives),
                     key=PREFIX + "pick", format_func=labels.get)  # fmt: skip
        c2.button(t("step.use"), key=PREFIX + "use", on_click=_use_pick, type="primary")
st.caption(t("step.own_probabilities"))
if step.unk_probability >= UNK_NOTABLE:
    st.info(t("step.unk_large", p=f"{step.unk_probability:.2f}"))

with st.form(PREFIX + "typed_form", border=False):
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.text_input(t("step.typed"), value=widget_value(PREFIX + "typed", ""), key=PREFIX + "typed", placeholder="estoy")
    c2.form_submit_button(t("step.continue"), on_click=_use_typed)

st.divider()
st.markdown(t("step.whole", text=escape_markdown(tr.text) if tr.target_tokens else t("step.empty")))
forced_words = [
    t("step.forced_word", word=escape_markdown(s.token), i=i + 1)
    for i, s in enumerate(steps)
    if s.forced and not s.is_end
]
if forced_words:
    st.caption(t("step.marks", words=", ".join(forced_words)))
if tr.target_tokens:
    matrix, source, target = levels.cross(tr, tr.attention, level)
    centres = levels.centres(tr, tr.positions, level)
    vega_chart(
        attention_heatmap(matrix, source, _heatmap_labels(tr, steps, pos, level, target), centres=centres, style=style),
        width="content",
    )
    view = f"step-through-{level}" if levels.is_subword(tr) else "step-through"
    attention_downloads(matrix, source, target, title=f"{run['model']}: {tr.text}",
                        key=PREFIX, style=style, name=download_name(run["model"], tr.source_tokens, view))  # fmt: skip
if not result.finished:
    st.caption(t("step.unfinished", n=len(steps)))
try_these(PREFIX)  # listed under the charts; a click is handled at the top of the next run
st.caption(t("step.caption"))
publish(step=pos + 1 if pos else None)
