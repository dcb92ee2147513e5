"""Decode one sentence a token at a time, and force a different word to see how the model goes on."""

import streamlit as st

from core.text import MAX_INPUT_CHARS, detokenize, tokenize
from core.vocab import END
from ui.charts import attention_bars, attention_heatmap, candidates_chart
from ui.models import get_translator, selected_model
from ui.text import escape_markdown

PREFIX = "step_"
RUN, RESULT, POS, ERROR = PREFIX + "run", PREFIX + "result", PREFIX + "pos", PREFIX + "error"
END_LABEL = "(end the sentence)"


def _word(token: str) -> str:
    return END_LABEL if token == END else token


def _decode(forced: tuple, pos: int) -> None:
    """Decode the current sentence with ``forced`` first and show step ``pos``; errors become a message."""
    run = st.session_state[RUN]
    try:
        result = get_translator(run["path"]).step_through(run["sentence"], forced)
    except ValueError as e:
        st.session_state[ERROR] = str(e)
        return
    except Exception as e:  # the page shows a message, never a traceback
        st.session_state[ERROR] = f"The model {run['model']} could not decode this sentence: {type(e).__name__}: {e}"
        return
    st.session_state[RESULT] = result
    st.session_state[POS] = max(0, min(pos, len(result.steps) - 1))


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
    words = tokenize(st.session_state.get(PREFIX + "typed", ""))
    if not words:
        st.session_state[ERROR] = "Type one or more Spanish words for the translation to start with."
        return
    _decode(tuple(words), len(words))


st.title("Step through")
st.caption(
    "Watch the model write its Spanish one word at a time: where it looks, and which words it considered. "
    "Pick another word — what if it had said *estoy* instead of *tengo*? — and see how it carries on."
)

model = selected_model()
if model is None:
    st.stop()

with st.form(PREFIX + "form"):
    sentence = st.text_area("English sentence", value="I am cold.", height=80, key=PREFIX + "sentence",
                            help=f"Up to {MAX_INPUT_CHARS} characters.")  # fmt: skip
    submitted = st.form_submit_button("Start", type="primary")

if submitted:
    st.session_state.pop(RESULT, None)
    if not sentence or not tokenize(sentence):
        st.info("Type an English sentence to translate.")
    else:
        if len(sentence) > MAX_INPUT_CHARS:
            st.warning(f"Your text has {len(sentence)} characters; only the first {MAX_INPUT_CHARS} are translated.")
            sentence = sentence[:MAX_INPUT_CHARS]
        st.session_state[RUN] = {"model": model.name, "path": str(model.path), "sentence": sentence}
        with st.spinner("Translating…"):
            _decode((), 0)

error = st.session_state.pop(ERROR, None)
if error:
    st.error(escape_markdown(error))

result = st.session_state.get(RESULT)
run = st.session_state.get(RUN)
if result is None or run is None:
    st.stop()
if run["model"] != model.name:
    st.info(f"The sidebar now shows {model.name}; press **Start** to step through it.")
    st.stop()
steps, pos = result.steps, st.session_state[POS]
t = result.translation
if t.truncated_from is not None:
    st.warning(f"The sentence has {t.truncated_from} tokens; the model translates the first {len(t.source_tokens)}.")

nav = st.columns([1, 1, 1, 3])
nav[0].button("Previous", key=PREFIX + "prev", on_click=_move, args=(-1,), disabled=pos == 0,
              icon=":material/arrow_back:", width="stretch")  # fmt: skip
nav[1].button("Next", key=PREFIX + "next", on_click=_move, args=(1,), disabled=pos >= len(steps) - 1,
              icon=":material/arrow_forward:", width="stretch")  # fmt: skip
nav[2].button("Undo forcing", key=PREFIX + "reset", on_click=_decode, args=((), 0),
              disabled=not any(s.forced for s in steps), width="stretch")  # fmt: skip
nav[3].progress((pos + 1) / len(steps), text=f"Step {pos + 1} of {len(steps)}")

step = steps[pos]
so_far = [s.token for s in steps[:pos]]
st.markdown(f"#### So far: {escape_markdown(detokenize(so_far)) if so_far else '*(nothing yet)*'}")
word = f"**{escape_markdown(_word(step.token))}**"
if step.forced:
    own = step.model_choice
    said = f"; the model itself would have written *{escape_markdown(_word(own))}*" if own != step.token else ""
    st.markdown(f"Step {pos + 1}: you forced {word} (the model gave it probability {step.probability:.2f}{said}).")
elif step.is_end:
    st.markdown(f"Step {pos + 1}: the model ends the sentence (probability {step.probability:.2f}).")
else:
    st.markdown(f"Step {pos + 1}: the model writes {word} with probability {step.probability:.2f}.")

left, right = st.columns(2)
with left:
    st.markdown("**Where it looks while choosing this word**")
    st.altair_chart(attention_bars(step.attention_row, t.source_labels, step.position), width="content")
    if step.position is not None:
        st.caption(f"The triangle marks the window centre p = {step.position:.2f} that local-p predicted.")
with right:
    st.markdown(f"**Its top {len(step.top_k)} candidates for this word**")
    st.altair_chart(candidates_chart([(_word(w), p) for w, p in step.top_k], _word(step.token)), width="content")
    alternatives = [w for w, _ in step.top_k if w != step.token]
    if alternatives:
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.selectbox("Make it write instead", alternatives, key=PREFIX + "pick", format_func=_word)
        c2.button("Use this word", key=PREFIX + "use", on_click=_use_pick, type="primary")

with st.form(PREFIX + "typed_form", border=False):
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.text_input("…or type how the Spanish should start", key=PREFIX + "typed", placeholder="estoy")
    c2.form_submit_button("Continue from these words", on_click=_use_typed)

st.divider()
st.markdown(f"#### Whole translation: {escape_markdown(t.text) if t.target_tokens else '*(empty)*'}")
forced_words = [f"{escape_markdown(s.token)} (step {i + 1})" for i, s in enumerate(steps) if s.forced and not s.is_end]
if forced_words:
    st.caption("✎ marks the words you forced: " + ", ".join(forced_words) + ". ▶ marks the step shown above.")
if t.target_tokens:
    labels = [("▶ " if i == pos else "") + s.token + (" ✎" if s.forced else "") for i, s in enumerate(steps)]
    st.altair_chart(
        attention_heatmap(t.attention, t.source_labels, labels[: len(t.target_tokens)], centres=t.positions),
        width="content",
    )
if not result.finished:
    st.caption(f"The model did not end the sentence within {len(steps)} words, its length limit.")
