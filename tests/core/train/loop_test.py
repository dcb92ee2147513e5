"""The custom loop (core.train.loop) and Keras ``fit`` optimise the same loss: same batches, same losses, same weights."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import TINY_PAIRS, _tiny_config, tiny_pair_vocabularies

TOLERANCE = 1e-5  # relative: the two paths run the same float32 ops in another order


def _model_and_batches(smoothing: float):
    import keras

    from core.data import make_dataset
    from core.models import build_model
    from core.train.losses import masked_accuracy, masked_loss, smoothed_loss

    src_tok, tgt_tok, src_vocab, tgt_vocab = tiny_pair_vocabularies()
    config = _tiny_config(len(src_vocab), len(tgt_vocab))

    def model():
        keras.utils.set_random_seed(3)
        m = build_model(config)
        loss = smoothed_loss(smoothing) if smoothing else masked_loss
        # a small clipnorm, so that clipping acts and must act on the gradient of the whole batch
        m.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=0.05), loss=loss, metrics=[masked_accuracy])
        return m

    ds = make_dataset(
        [src_vocab.encode(t) for t in src_tok],
        [tgt_vocab.encode(t, add_start_end=True) for t in tgt_tok],
        batch_size=6,
        shuffle=False,
    )
    return model, ds


@pytest.mark.parametrize("smoothing", [0.0, pytest.param(0.1, marks=pytest.mark.slow)])
def test_the_loop_and_fit_give_the_same_loss_on_the_same_batches(smoothing):
    import tensorflow as tf

    from core.train.loop import Steps

    make_model, ds = _model_and_batches(smoothing)
    fitted, looped = make_model(), make_model()
    for a, b in zip(fitted.get_weights(), looped.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    steps = Steps(tf.distribute.get_strategy(), looped, smoothing)
    batches = list(ds) * 3  # three passes: Adam's moments and the clipping matter
    fit_losses = [float(fitted.train_on_batch(x, y, return_dict=True)["loss"]) for x, y in batches]
    loop_losses = [float(steps.train_step(batch)[0]) for batch in batches]
    assert len(batches) > 3
    np.testing.assert_allclose(loop_losses, fit_losses, rtol=TOLERANCE)
    assert loop_losses[-1] < loop_losses[0]  # it learns
    for a, b in zip(fitted.get_weights(), looped.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)
    assert int(looped.optimizer.iterations.numpy()) == len(batches)


@pytest.mark.slow
def test_the_loops_epoch_logs_are_fits(tmp_path):
    """``loop.fit`` reports the epoch's loss and validation loss as ``model.fit`` does."""
    import tensorflow as tf

    from core.train import loop

    make_model, ds = _model_and_batches(0.0)
    fitted, looped = make_model(), make_model()
    history = fitted.fit(ds, validation_data=ds, epochs=2, verbose=0).history
    logs = loop.fit(tf.distribute.get_strategy(), looped, ds, ds, epochs=2, initial_epoch=0, callbacks=[])
    for key in ("loss", "val_loss", "masked_accuracy", "val_masked_accuracy"):
        assert logs[key] == pytest.approx(history[key][-1], rel=TOLERANCE), key
    assert len(TINY_PAIRS) % 6  # the last batch is a short one, weighted by its sequences as Keras does
