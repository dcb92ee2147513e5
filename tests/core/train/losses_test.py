"""Masked loss and accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from core.train.losses import masked_accuracy, masked_loss


def _loss(y_true, y_pred) -> float:
    """The batch loss as Keras reduces it: the mean of what ``masked_loss`` returns (a scalar or one value a row)."""
    return float(np.mean(np.asarray(masked_loss(y_true, y_pred))))


def _log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _example():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 4, 6)).astype("float32")
    y_true = np.array([[4, 5, 3, 0], [2, 3, 0, 0]], dtype="int32")  # 0 = padding
    return y_true, logits


def test_masked_loss_matches_manual_computation():
    y_true, logits = _example()
    logp = _log_softmax(logits.astype("float64"))
    real = [(b, t) for b in range(2) for t in range(4) if y_true[b, t] != 0]
    expected = -np.mean([logp[b, t, y_true[b, t]] for b, t in real])
    assert len(real) == 5
    np.testing.assert_allclose(_loss(y_true, logits), expected, rtol=1e-5)


def test_masked_loss_ignores_logits_at_padding():
    y_true, logits = _example()
    changed = logits.copy()
    changed[y_true == 0] = 50.0 * np.random.default_rng(1).normal(size=changed[y_true == 0].shape)
    np.testing.assert_allclose(_loss(y_true, changed), _loss(y_true, logits), rtol=1e-6)


def test_masked_loss_all_padding_is_zero_not_nan():
    logits = np.zeros((1, 3, 5), dtype="float32")
    assert _loss(np.zeros((1, 3), dtype="int32"), logits) == 0.0


def test_masked_accuracy_counts_only_real_tokens():
    y_true = np.array([[4, 5, 3, 0, 0]], dtype="int32")
    pred_ids = np.array([[4, 1, 3, 0, 9]])  # 2 of 3 real tokens right; padding positions ignored
    logits = np.eye(10, dtype="float32")[pred_ids]
    np.testing.assert_allclose(float(masked_accuracy(y_true, logits)), 2 / 3, rtol=1e-6)


@pytest.mark.slow
def test_keras_reports_the_mean_over_the_batches(overfit_translator, tiny_pairs):
    """``model.evaluate`` on a ``make_dataset`` pipeline averages exactly the dataset's batches (no phantom batch)."""
    from core.data import make_dataset
    from core.text import tokenize

    translator = overfit_translator
    model = translator.model
    ds = make_dataset(
        [translator.src_vocab.encode(tokenize(en)) for en, _ in tiny_pairs],
        [translator.tgt_vocab.encode(tokenize(es), add_start_end=True) for _, es in tiny_pairs],
        batch_size=6,
        shuffle=False,
    )
    batches = [(_loss(y, model(x)), float(masked_accuracy(y, model(x)))) for x, y in ds]
    assert len(batches) > 2
    logs = model.evaluate(ds, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["masked_accuracy"], np.mean([a for _, a in batches]), rtol=1e-5)
    assert logs["masked_accuracy"] > 0.9
