"""The loss under tf.distribute is the token mean of the global batch, even when replicas get unequal shares of its tokens.

(Keras 3 does not fit a global batch that splits into unequal numbers of sequences: its
eager per-replica sums need equal shapes. Unequal token counts are what padding makes common.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# One SGD step (rate 1) of a tiny model on a global batch of 4 sequences that MirroredStrategy
# splits 2 / 2 over two logical CPUs: 12 real target tokens on the first replica, 3 on the
# second. Prints the largest difference between the weights after the step and the step of the
# true token mean (computed without a strategy), and how far the step of the mean of
# per-replica token means would have been.
SCRIPT = r"""
import json, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from core.train.losses import masked_loss

V, L = 7, 6
y = np.array([[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 1], [4, 0, 0, 0, 0, 0], [5, 3, 0, 0, 0, 0]], "int32")
x = np.eye(V, dtype="float32")[y]  # (4, L, V) one-hot inputs: every gradient is dense
def build():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((L, V)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(V)])

def token_mean(model, rows):
    logits = model(x[rows])
    ce = keras.ops.sparse_categorical_crossentropy(y[rows], logits, from_logits=True)
    mask = tf.cast(y[rows] != 0, tf.float32)
    return tf.reduce_sum(ce * mask) / tf.reduce_sum(mask)

reference = build()
start = [w.numpy().copy() for w in reference.trainable_weights]
with tf.GradientTape() as tape:
    true_loss = token_mean(reference, slice(0, 4))
grads = tape.gradient(true_loss, reference.trainable_weights)
expected = [w - g.numpy() for w, g in zip(start, grads)]
with tf.GradientTape() as tape:
    per_replica = 0.5 * (token_mean(reference, slice(0, 2)) + token_mean(reference, slice(2, 4)))
other = [w - g.numpy() for w, g in zip(start, tape.gradient(per_replica, reference.trainable_weights))]

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    model = build()
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=masked_loss)
assert all(np.array_equal(a, b) for a, b in zip(start, [w.numpy() for w in model.trainable_weights]))
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
model.fit(ds, epochs=1, verbose=0)
after = [w.numpy() for w in model.trainable_weights]
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "weight_error": max(float(np.abs(a - e).max()) for a, e in zip(after, expected)),
    "step_size": max(float(np.abs(e - s).max()) for e, s in zip(expected, start)),
    "true_loss": float(true_loss),
    "objective_gap": max(float(np.abs(o - e).max()) for o, e in zip(other, expected)),
}))
"""


@pytest.mark.slow
def test_uneven_replica_batches_give_the_global_token_mean(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    # the step of the mean of per-replica token means lands elsewhere, so the check can tell them apart
    assert result["objective_gap"] > 1e-3
    assert result["weight_error"] < 1e-6 * max(1.0, result["step_size"])
