"""The Transformer: shapes and masks of every attention tensor, norms and feed-forwards, the
decoding cache against teacher forcing and the uncached baseline, and a tiny overfit."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.models import build_model
from core.models.config import ModelConfig
from core.models.transformer import Transformer
from core.text.vocab import END_ID, SPECIALS, START_ID
from core.train.losses import masked_loss

SRC_V, TGT_V, L, H, DM, MAX_DEC = 20, 24, 2, 2, 16, 9


def _config(**overrides) -> ModelConfig:
    sizes = dict(
        arch="transformer",
        src_vocab_size=SRC_V,
        tgt_vocab_size=TGT_V,
        num_layers=L,
        num_heads=H,
        d_model=DM,
        ff_dim=32,
        dropout=0.0,
        max_decode_len=MAX_DEC,
    )
    sizes.update(overrides)
    return ModelConfig(**sizes)


def _batch():
    # 3 sentences; source lengths 5, 3, 1 and target lengths 6, 4, 2 (0 = padding)
    src = np.array([[5, 6, 7, 8, 9], [10, 11, 12, 0, 0], [13, 0, 0, 0, 0]], dtype="int32")
    tgt_in = np.array([[2, 4, 5, 6, 7, 8], [2, 9, 10, 11, 0, 0], [2, 12, 0, 0, 0, 0]], dtype="int32")
    return src, tgt_in


@pytest.fixture(scope="module", params=["post", "pre"])
def model(request):
    keras.utils.set_random_seed(1)
    return build_model(_config(norm=request.param, ffn="swiglu"))


def test_build_model_makes_a_built_transformer(model):
    assert isinstance(model, Transformer)
    assert model.built and len(model.trainable_weights) > 0
    assert len(model.encoder_layers) == len(model.decoder_layers) == L


def test_logits_and_attention_shapes(model):
    src, tgt_in = _batch()
    logits, attention = model((src, tgt_in), return_attention_scores=True)
    assert tuple(logits.shape) == (3, 6, TGT_V)
    assert sorted(attention) == ["cross", "decoder_self", "encoder_self"]
    assert tuple(attention["encoder_self"].shape) == (3, L, H, 5, 5)
    assert tuple(attention["decoder_self"].shape) == (3, L, H, 6, 6)
    assert tuple(attention["cross"].shape) == (3, L, H, 6, 5)
    for w in attention.values():
        np.testing.assert_allclose(np.asarray(w).sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.asarray(model((src, tgt_in))), np.asarray(logits), rtol=1e-6)


def test_decoder_self_attention_is_lower_triangular(model):
    src, tgt_in = _batch()
    _, attention = model((src, tgt_in), return_attention_scores=True)
    w = np.asarray(attention["decoder_self"])
    assert np.all(w[..., np.triu(np.ones((6, 6), bool), k=1)] == 0.0)
    # target padding is masked too: the second sentence's real rows see only its 4 tokens
    assert np.all(w[1, :, :, :, 4:] == 0.0)


def test_source_padding_gets_no_attention(model):
    src, tgt_in = _batch()
    _, attention = model((src, tgt_in), return_attention_scores=True)
    pad = src == 0  # (batch, src_len)
    for name in ("cross", "encoder_self"):
        w = np.asarray(attention[name])  # (batch, layers, heads, rows, src_len)
        assert np.all(w[np.broadcast_to(pad[:, None, None, None, :], w.shape)] == 0.0), name
    np.testing.assert_allclose(np.asarray(attention["cross"])[2, ..., 0], 1.0, atol=1e-6)  # one real token


def test_source_padding_does_not_change_the_output(model):
    src, tgt_in = _batch()
    wide = np.concatenate([src, np.zeros((3, 3), dtype="int32")], axis=1)
    np.testing.assert_allclose(np.asarray(model((wide, tgt_in))), np.asarray(model((src, tgt_in))), atol=1e-5)


@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("ffn", ["relu", "glu", "geglu", "swiglu"])
def test_every_norm_and_feed_forward_builds_and_runs(norm, ffn):
    model = build_model(_config(norm=norm, ffn=ffn, num_layers=1))
    src, tgt_in = _batch()
    logits = np.asarray(model((src, tgt_in)))
    assert logits.shape == (3, 6, TGT_V) and np.all(np.isfinite(logits))
    assert model.decoder_layers[0].feed_forward.kind == ffn
    assert hasattr(model, "decoder_norm") == (norm == "pre")  # pre-norm adds a final LayerNorm


def test_dropout_acts_only_in_training():
    model = build_model(_config(dropout=0.3, num_layers=1))
    src, tgt_in = _batch()
    a = np.asarray(model((src, tgt_in)))
    np.testing.assert_array_equal(np.asarray(model((src, tgt_in), training=False)), a)
    assert not np.allclose(np.asarray(model((src, tgt_in), training=True)), a)


def test_save_and_load_weights_round_trip(model, tmp_path):
    src, tgt_in = _batch()
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    clone = build_model(model.config)
    clone.load_weights(path)
    a, att_a = model((src, tgt_in), return_attention_scores=True)
    b, att_b = clone((src, tgt_in), return_attention_scores=True)
    np.testing.assert_array_equal(np.asarray(b), np.asarray(a))
    for name in att_a:
        np.testing.assert_array_equal(np.asarray(att_b[name]), np.asarray(att_a[name]))


def test_get_config_round_trip(model):
    config = model.get_config()
    assert config["config"] == model.config.to_dict()
    clone = Transformer.from_config(config)
    assert clone.config == model.config


def test_init_decoding_shapes(model):
    src, _ = _batch()
    memory, state = model.init_decoding(src)
    dh = DM // H
    assert tuple(memory["encoder"].shape) == (3, 5, DM)
    assert tuple(memory["mask"].shape) == (3, 5)
    assert tuple(memory["cross_key"].shape) == tuple(memory["cross_value"].shape) == (3, L, H, 5, dh)
    assert tuple(memory["encoder_self"].shape) == (3, L, H, 5, 5)
    assert sorted(state) == ["key", "value"]
    assert tuple(state["key"].shape) == tuple(state["value"].shape) == (3, L, H, MAX_DEC, dh)


@pytest.mark.slow  # traces decoding for every architecture
def test_cached_decode_steps_equal_teacher_forcing_and_the_uncached_path(model):
    src, tgt_in = _batch()
    logits, attention = model((src, tgt_in), return_attention_scores=True)
    logits, self_w, cross_w = (np.asarray(x) for x in (logits, attention["decoder_self"], attention["cross"]))
    memory, state = model.init_decoding(src)
    memory_u, state_u = model.init_decoding_uncached(src)
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    for t in range(6):
        real = tgt_in[:, t] != 0  # padded positions are masked differently by teacher forcing
        step_logits, state, step_att = model.decode_step(tgt_in[:, t], t, memory, state)
        u_logits, state_u, u_att = model.decode_step_uncached(tgt_in[:, t], t, memory_u, state_u)
        assert {k: tuple(v.shape) for k, v in state.items()} == shapes
        assert tuple(step_logits.shape) == (3, TGT_V)
        assert tuple(step_att["cross"].shape) == (3, L, H, 5)
        assert tuple(step_att["self"].shape) == (3, L, H, MAX_DEC)
        s = np.asarray(step_att["self"])
        assert np.all(s[..., t + 1 :] == 0.0)
        np.testing.assert_allclose(np.asarray(step_logits)[real], logits[real, t], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(s[real, ..., : t + 1], self_w[real, :, :, t, : t + 1], atol=1e-5)
        np.testing.assert_allclose(np.asarray(step_att["cross"])[real], cross_w[real, :, :, t], atol=1e-5)
        # the uncached baseline agrees everywhere, padded positions included
        np.testing.assert_allclose(np.asarray(u_logits), np.asarray(step_logits), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(np.asarray(u_att["self"]), s, atol=1e-5)
        np.testing.assert_allclose(np.asarray(u_att["cross"]), np.asarray(step_att["cross"]), atol=1e-5)


def _greedy_fn(decoder, max_len):
    """Greedy search with ``decoder.init_decoding`` / ``decode_step`` in a ``tf.function`` loop."""

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
    def greedy(src):
        memory, state = decoder.init_decoding(src)
        token = tf.fill([tf.shape(src)[0]], START_ID)
        ids = tf.TensorArray(tf.int32, size=max_len)
        cross = tf.TensorArray(tf.float32, size=max_len)
        for t in tf.range(max_len):
            logits, state, attention = decoder.decode_step(token, t, memory, state)
            token = tf.argmax(logits, axis=-1, output_type=tf.int32)
            ids = ids.write(t, token)
            cross = cross.write(t, attention["cross"])
        return tf.transpose(ids.stack()), tf.transpose(cross.stack(), [1, 0, 2, 3, 4])

    return greedy


@pytest.mark.slow  # traces decoding for every architecture
def test_cached_and_uncached_greedy_agree_inside_tf_function():
    keras.utils.set_random_seed(2)
    model = build_model(_config(num_layers=1, norm="pre"))  # one model: tracing is the slow part
    src, _ = _batch()
    ids, cross = _greedy_fn(model, MAX_DEC)(tf.constant(src))
    ids_u, cross_u = _greedy_fn(model.uncached(), MAX_DEC)(tf.constant(src))
    assert tuple(ids.shape) == (3, MAX_DEC)
    assert tuple(cross.shape) == (3, MAX_DEC, 1, H, 5)
    np.testing.assert_array_equal(ids.numpy(), ids_u.numpy())
    np.testing.assert_allclose(cross.numpy(), cross_u.numpy(), atol=1e-5)


# -- a tiny corpus learnt by heart ----------------------------------------------------------
def _encode_pairs(pairs):
    def vocab(sentences):
        words = sorted({w for s in sentences for w in s.split()})
        return {w: i + len(SPECIALS) for i, w in enumerate(words)}

    def pad(seqs):
        out = np.zeros((len(seqs), max(map(len, seqs))), dtype="int32")
        for i, s in enumerate(seqs):
            out[i, : len(s)] = s
        return out

    sv, tv = vocab([en for en, _ in pairs]), vocab([es for _, es in pairs])
    src = pad([[sv[w] for w in en.split()] for en, _ in pairs])
    tgt = pad([[START_ID, *(tv[w] for w in es.split()), END_ID] for _, es in pairs])
    return src, tgt, len(sv) + len(SPECIALS), len(tv) + len(SPECIALS)


@pytest.mark.slow
def test_overfits_a_tiny_corpus_and_greedy_decoding_reproduces_it(tiny_pairs):
    src, tgt, src_v, tgt_v = _encode_pairs(tiny_pairs[:12])
    tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
    keras.utils.set_random_seed(0)
    config = _config(src_vocab_size=src_v, tgt_vocab_size=tgt_v, d_model=32, ff_dim=64, num_layers=1, max_decode_len=8)
    model = build_model(config)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss)
    model.fit(tf.data.Dataset.from_tensors(((src, tgt_in), tgt_out)).repeat(100), epochs=1, verbose=0)

    ids, _ = _greedy_fn(model, config.max_decode_len)(tf.constant(src))
    ids = ids.numpy()
    hits = 0
    for row, want in zip(ids, tgt_out, strict=True):
        n = list(want).index(END_ID) + 1  # the words and the end token
        hits += list(row[:n]) == list(want[:n])
    assert hits >= 10, f"greedy decoding reproduced only {hits} of 12 targets"
