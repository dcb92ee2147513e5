"""The decoding interface as the searches use it: attention names known without a probe step, one
traced decoder step per search, ``encoder_self`` kept once per sentence, the KV cache written one row a step."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from core.decoding.beam_search import make_beam_search_fn
from core.decoding.search import greedy_search
from core.models.config import ARCHITECTURES
from core.text import tokenize
from core.text.vocab import START_ID


class Spy:
    """A model that counts the decoder steps a search traces and records the memory each receives."""

    def __init__(self, model):
        self.model = model
        self.config = model.config
        self.step_attention_names = model.step_attention_names
        self.calls: list[dict] = []

    def init_decoding(self, src):
        return self.model.init_decoding(src)

    def decode_step(self, token, step, memory, state):
        self.calls.append({name: tuple(value.shape) for name, value in memory.items()})
        return self.model.decode_step(token, step, memory, state)


def _src(translator, sentences=("I am cold.", "She is tall.")):
    """Source ids (2, src_len) of two sentences of different lengths."""
    return tf.constant(translator.encode_batch([tokenize(s) for s in sentences]), tf.int32)


@pytest.mark.parametrize("arch", [*ARCHITECTURES, "transformer-uncached"])
def test_static_attention_names_are_those_a_step_returns(tiny_translator, arch):
    translator = tiny_translator(arch.removesuffix("-uncached"))
    model = translator.model.uncached() if arch.endswith("-uncached") else translator.model
    src = _src(translator)
    memory, state = model.init_decoding(src)
    _, _, attention = model.decode_step(tf.fill([2], START_ID), tf.constant(0), memory, state)
    assert sorted(model.step_attention_names) == sorted(attention)


@pytest.mark.parametrize("arch", ["additive", "local-p", "transformer"])
def test_greedy_search_traces_one_decoder_step(tiny_translator, arch):
    """The loop body is traced once; no extra step runs just to learn the attention's names."""
    translator = tiny_translator(arch)
    spy = Spy(translator.model)
    banned = tf.zeros([translator.config.tgt_vocab_size])
    search = tf.function(lambda src: greedy_search(spy, banned, src, max_len=5))
    out = search(_src(translator))
    assert len(spy.calls) == 1
    assert sorted(out["attention"]) == sorted(translator.model.step_attention_names)


@pytest.mark.parametrize("arch", ["additive", "transformer"])
@pytest.mark.slow
def test_beam_search_steps_never_see_encoder_self_and_it_is_not_repeated(tiny_translator, arch):
    translator = tiny_translator(arch)
    spy = Spy(translator.model)
    k, src = 3, _src(translator)
    banned = np.zeros(translator.config.tgt_vocab_size, "float32")
    raw = make_beam_search_fn(spy, k, 6, banned)(src, tf.constant(0.6))
    assert len(spy.calls) == 1  # one traced step, no probe
    (memory,) = spy.calls
    assert "encoder_self" not in memory
    assert set(memory) == set(translator.model.init_decoding(src)[0]) - {"encoder_self"}
    if arch == "transformer":
        assert raw["encoder_self"].shape[0] == 2  # one copy per sentence
        memory, _ = translator.model.init_decoding(src)
        np.testing.assert_array_equal(raw["encoder_self"].numpy(), memory["encoder_self"].numpy())
    else:
        assert "encoder_self" not in raw


def test_kv_cache_is_written_one_row_per_step(tiny_translator):
    """``call_cached`` updates row ``step`` in place (a slice update), not the whole cache through a select."""
    translator = tiny_translator("transformer")
    layer = translator.model.decoder_layers[0].self_attention
    d_model, heads, max_len = translator.config.d_model, translator.config.num_heads, translator.config.max_decode_len
    d_head = d_model // heads
    query = tf.random.stateless_normal([2, 1, d_model], seed=[1, 2])
    cache = tf.random.stateless_normal([2, heads, max_len, d_head], seed=[3, 4])

    fn = tf.function(lambda q, s, kc, vc: layer.call_cached(q, s, kc, vc))
    graph = fn.get_concrete_function(query, tf.constant(3), cache, cache).graph
    ops = [op.type for op in graph.get_operations()]
    assert ops.count("XlaDynamicUpdateSlice") == 2  # the key and the value cache, one row each
    selects = [op for op in graph.get_operations() if op.type in ("Select", "SelectV2")]
    assert not [op for op in selects if op.outputs[0].shape.rank == 4 and op.outputs[0].shape[2] == max_len
                and op.outputs[0].shape[3] == d_head]  # fmt: skip

    _, _, key_cache, value_cache = fn(query, tf.constant(3), cache, cache)
    k, v = layer.project_key_value(query)
    expected_k, expected_v = cache.numpy().copy(), cache.numpy().copy()
    expected_k[:, :, 3:4], expected_v[:, :, 3:4] = k.numpy(), v.numpy()
    np.testing.assert_array_equal(key_cache.numpy(), expected_k)
    np.testing.assert_array_equal(value_cache.numpy(), expected_v)
