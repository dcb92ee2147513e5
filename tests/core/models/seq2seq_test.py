"""The recurrent encoder-decoder with attention."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.models import build_model
from core.models.seq2seq import Seq2SeqAttention
from core.train.losses import masked_accuracy, masked_loss

SRC_V, TGT_V = 30, 40


def _batch():
    # 3 sentences; source lengths 5, 3, 1 and target lengths 4, 6, 2 (0 = padding)
    src = np.array([[5, 6, 7, 8, 9], [10, 11, 12, 0, 0], [13, 0, 0, 0, 0]], dtype="int32")
    tgt_in = np.array([[2, 4, 5, 6, 0, 0], [2, 7, 8, 9, 10, 11], [2, 12, 0, 0, 0, 0]], dtype="int32")
    tgt_out = np.array([[4, 5, 6, 3, 0, 0], [7, 8, 9, 10, 11, 3], [12, 3, 0, 0, 0, 0]], dtype="int32")
    return src, tgt_in, tgt_out


@pytest.fixture()
def config(tiny_config):
    return tiny_config(SRC_V, TGT_V)


@pytest.fixture()
def model(config):
    keras.utils.set_random_seed(1)
    return build_model(config)


def test_build_model_creates_variables(model, config):
    assert isinstance(model, Seq2SeqAttention)
    assert model.built
    assert len(model.trainable_weights) > 0
    assert model.config == config


def test_call_shapes_and_attention(model):
    src, tgt_in, _ = _batch()
    logits, weights = model((src, tgt_in), return_attention_scores=True)
    logits, weights = np.asarray(logits), np.asarray(weights)
    assert logits.shape == (3, 6, TGT_V)
    assert weights.shape == (3, 6, 5)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    pad = src == 0  # (batch, src_len)
    assert np.all(weights[np.broadcast_to(pad[:, None, :], weights.shape)] == 0.0)
    np.testing.assert_allclose(weights[2, :, 0], 1.0, atol=1e-6)  # one real source token takes it all
    assert np.all(np.isfinite(logits))


def test_call_without_scores_returns_logits_only(model):
    src, tgt_in, _ = _batch()
    logits = model((src, tgt_in))
    with_scores, _ = model((src, tgt_in), return_attention_scores=True)
    np.testing.assert_allclose(np.asarray(logits), np.asarray(with_scores), rtol=1e-6)


def test_source_padding_does_not_change_the_output(model):
    src, tgt_in, _ = _batch()
    wide = np.concatenate([src, np.zeros((3, 4), dtype="int32")], axis=1)
    a = np.asarray(model((src, tgt_in)))
    b = np.asarray(model((wide, tgt_in)))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_decode_step_matches_teacher_forced_call(model):
    src, tgt_in, _ = _batch()
    logits, weights = model((src, tgt_in), return_attention_scores=True)
    memory, state = model.init_decoding(src)
    for t in range(2):  # every sentence has at least 2 real target inputs
        step_logits, state, step_attention = model.decode_step(tgt_in[:, t], t, memory, state)
        np.testing.assert_allclose(np.asarray(step_logits), np.asarray(logits)[:, t], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(np.asarray(step_attention["cross"]), np.asarray(weights)[:, t], rtol=1e-4, atol=1e-6)


def test_save_and_load_weights_round_trip(model, config, tmp_path):
    src, tgt_in, _ = _batch()
    expected = np.asarray(model((src, tgt_in)))
    path = tmp_path / "model.weights.h5"
    model.save_weights(str(path))
    keras.utils.set_random_seed(99)
    fresh = build_model(config)
    assert not np.allclose(np.asarray(fresh((src, tgt_in))), expected)  # really a different init
    fresh.load_weights(str(path))
    np.testing.assert_array_equal(np.asarray(fresh((src, tgt_in))), expected)


def test_get_config_round_trip(model):
    clone = Seq2SeqAttention.from_config(model.get_config())
    assert clone.config == model.config


@pytest.mark.slow
def test_a_few_training_steps_lower_the_loss(model):
    src, tgt_in, tgt_out = _batch()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=masked_loss, metrics=[masked_accuracy])
    before = float(np.mean(masked_loss(tgt_out, model((src, tgt_in)))))
    history = model.fit((src, tgt_in), tgt_out, batch_size=3, epochs=15, verbose=0, shuffle=False)
    after = float(np.mean(masked_loss(tgt_out, model((src, tgt_in)))))
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert after < 0.7 * before
    assert np.isclose(before, np.log(TGT_V), rtol=0.2)  # untrained: about uniform over the vocabulary


def test_dropout_only_in_training(tiny_config):
    keras.utils.set_random_seed(2)
    model = build_model(tiny_config(SRC_V, TGT_V, dropout=0.5))
    src, tgt_in, _ = _batch()
    a, b = np.asarray(model((src, tgt_in))), np.asarray(model((src, tgt_in)))
    np.testing.assert_array_equal(a, b)
    c = np.asarray(model((src, tgt_in), training=True))
    assert not np.allclose(a, c)
