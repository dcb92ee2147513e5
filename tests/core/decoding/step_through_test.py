"""Forced-prefix, step-by-step decoding for every architecture, on tiny untrained models."""

from __future__ import annotations

import numpy as np
import pytest

from core.decoding import StepThrough, Translator
from core.models.config import ARCHITECTURES
from core.text.vocab import END, PAD_ID, START_ID, UNK_ID
from tests.core.decoding.search_test import SEARCH_CONFIG, SENTENCES


@pytest.fixture(scope="module", params=ARCHITECTURES)
def translator(request, tiny_translator) -> Translator:
    return tiny_translator(request.param, **SEARCH_CONFIG)


def _check_steps(translator: Translator, st: StepThrough) -> None:
    s = len(st.source_tokens)
    tokens = [step.token for step in st.steps]
    assert tokens[: len(st.translation.target_tokens)] == st.translation.target_tokens
    assert len(st.steps) == len(st.translation.target_tokens) + st.finished
    assert END not in tokens[:-1]
    for step in st.steps:
        assert step.attention_row.shape == (s,)
        assert 0.0 <= step.probability <= 1.0
        assert 1 <= len(step.top_k) <= translator.top_k
        probs = [q for _, q in step.top_k]
        assert probs == sorted(probs, reverse=True)
        assert all(tok not in ("", "[UNK]", "[START]") for tok, _ in step.top_k)
        if not step.forced:
            assert step.token == step.model_choice
            assert step.probability == pytest.approx(step.top_k[0][1], abs=1e-6)
        if translator.config.arch == "local-p":
            assert step.position is not None and 0 <= step.position <= s - 1
        else:
            assert step.position is None


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.slow  # traces decoding for every architecture
def test_no_forced_prefix_equals_translate(translator, sentence):
    st = translator.step_through(sentence)
    t = translator.translate(sentence)
    assert st.source_tokens == t.source_tokens
    assert st.translation.target_tokens == t.target_tokens
    np.testing.assert_allclose(st.translation.attention, t.attention, atol=1e-5)
    np.testing.assert_allclose(st.translation.probabilities, t.probabilities, atol=1e-5)
    if t.positions is not None:
        np.testing.assert_allclose(st.translation.positions, t.positions, atol=1e-4)
    if t.layers is not None:
        for name, value in t.layers.items():
            np.testing.assert_allclose(st.translation.layers[name], value, atol=1e-5)
    assert not any(step.forced for step in st.steps)
    if sentence:
        _check_steps(translator, st)
        for i, step in enumerate(st.steps[: len(t.target_tokens)]):
            np.testing.assert_allclose(step.attention_row, t.attention[i], atol=1e-5)
    else:
        assert st.steps == []


def _own_steps(translator: Translator, sentence: str, tokens: list[str]) -> list[np.ndarray]:
    """The model's own next-token distribution before each of ``tokens``, from eager decoder steps."""
    import tensorflow as tf

    src = tf.constant(translator.encode_batch([translator.prepare(sentence)[0]]))
    memory, state = translator.model.init_decoding(src)
    token, out = tf.constant([START_ID]), []
    for t, word in enumerate(tokens):
        logits, state, _ = translator.model.decode_step(token, tf.constant(t), memory, state)
        out.append(tf.nn.softmax(logits)[0].numpy())
        token = tf.constant([translator.tgt_vocab.id(word)])
    return out


def test_forced_prefix_comes_first(translator):
    forced = ["ella", "es", "alta"]
    st = translator.step_through("I am cold.", forced)
    assert st.translation.target_tokens[:3] == forced
    assert [step.forced for step in st.steps[:3]] == [True, True, True]
    assert not any(step.forced for step in st.steps[3:])
    _check_steps(translator, st)
    # every step, forced or not: its probability is the model's own for that token after that prefix,
    # and its alternatives are the model's best allowed tokens there
    tokens = [step.token for step in st.steps]
    allowed = [i for i in range(len(translator.tgt_vocab)) if i not in (PAD_ID, UNK_ID, START_ID)]
    for step, p in zip(st.steps, _own_steps(translator, "I am cold.", tokens), strict=True):
        assert step.probability == pytest.approx(float(p[translator.tgt_vocab.id(step.token)]), abs=1e-5)
        best = sorted(allowed, key=lambda i: -p[i])[: translator.top_k]
        assert [q for _, q in step.top_k] == pytest.approx([float(p[i]) for i in best], abs=1e-5)
        assert step.unk_probability == pytest.approx(float(p[UNK_ID]), abs=1e-5)


def test_none_leaves_a_step_to_the_model(translator):
    free = translator.step_through("She is tall.")
    if not free.translation.target_tokens:
        pytest.skip("the untrained model stops at once")
    first = free.steps[0].token
    st = translator.step_through("She is tall.", [None, "frío"])
    assert st.translation.target_tokens[:2] == [first, "frío"]
    assert [step.forced for step in st.steps[:2]] == [False, True]


def test_forcing_the_end_stops(translator):
    st = translator.step_through("I am cold.", ["tengo", END])
    assert st.translation.target_tokens == ["tengo"]
    assert st.finished and st.steps[-1].forced
    with pytest.raises(ValueError, match="only be forced as the last"):
        translator.step_through("I am cold.", [END, "tengo"])


def test_unknown_forced_word_raises(translator):
    with pytest.raises(ValueError, match="'estoy'"):
        translator.step_through("I am cold.", ["estoy"])
    with pytest.raises(ValueError, match=r"'\[UNK\]'"):
        translator.step_through("I am cold.", ["[UNK]"])
    with pytest.raises(ValueError, match="at most 8 words"):
        translator.step_through("I am cold.", ["tengo"] * 9)
    with pytest.raises(ValueError, match="no words"):
        translator.step_through("", ["tengo"])


def test_full_length_prefix_and_reuse_of_the_trace(translator):
    forced = ["tengo"] * translator.config.max_decode_len
    st = translator.step_through("I am hot and she is cold.", forced)
    assert st.translation.target_tokens == forced and not st.finished
    _check_steps(translator, st)
    assert translator._forced_fn.experimental_get_tracing_count() == 1
