"""A cosine learning-rate decay over the epochs one training command trains, resumes included.

``lr(i) = lr₀ · ½(1 + cos(π · min(1, (i − i₀) / n)))`` where ``i`` is the optimiser's update
count, ``i₀`` its value when this command's training begins and ``n`` the number of updates
from the epoch it begins at to the last one. A resume restores the optimiser (and its update
count) from the checkpoint, so ``i₀`` and ``n`` are set when ``fit`` starts, by
:class:`StartCosine`, from the epoch the checkpoint holds.
"""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="attention_lab")
class CosineFrom(keras.optimizers.schedules.LearningRateSchedule):
    """Cosine decay from ``learning_rate`` to 0 over ``decay_steps`` updates, counted from update ``start``."""

    def __init__(self, learning_rate: float, decay_steps: int, start: int = 0):
        self.learning_rate = float(learning_rate)
        self.start = keras.Variable(float(start), trainable=False, dtype="float32", name="schedule_start")
        self.decay_steps = keras.Variable(float(decay_steps), trainable=False, dtype="float32", name="decay_steps")

    def __call__(self, step):
        done = (ops.cast(step, "float32") - self.start) / ops.maximum(self.decay_steps, 1.0)
        done = ops.clip(done, 0.0, 1.0)
        return self.learning_rate * 0.5 * (1.0 + ops.cos(math.pi * done))

    def restart(self, start: int, decay_steps: int) -> None:
        """Decay anew from ``learning_rate`` at update ``start`` to 0 at update ``start + decay_steps``."""
        if decay_steps < 1:
            raise ValueError(f"a cosine schedule needs at least one step to decay over, got {decay_steps}")
        self.start.assign(float(start))
        self.decay_steps.assign(float(decay_steps))

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "decay_steps": int(self.decay_steps.numpy()),
            "start": int(self.start.numpy()),
        }


class StartCosine(keras.callbacks.Callback):
    """Points a :class:`CosineFrom` at this command's epochs when ``fit`` starts, after any checkpoint is restored.

    ``initial_epoch`` is the epoch the restored checkpoint holds. ``from_epoch`` (default
    ``initial_epoch``) is the epoch the decay began at: a run stopped and resumed with the same
    settings continues the curve it was on instead of starting a new one.
    """

    def __init__(
        self, schedule: CosineFrom, epochs: int, steps_per_epoch: int, initial_epoch: int = 0,
        from_epoch: int | None = None,
    ):  # fmt: skip
        super().__init__()
        self.schedule = schedule
        self.epochs, self.steps_per_epoch, self.initial_epoch = epochs, steps_per_epoch, int(initial_epoch)
        self.from_epoch = self.initial_epoch if from_epoch is None else min(int(from_epoch), self.initial_epoch)

    def on_train_begin(self, logs=None):
        steps = (self.epochs - self.from_epoch) * self.steps_per_epoch
        if steps < 1:
            raise ValueError(
                f"--epochs {self.epochs} leaves nothing to train after epoch {self.initial_epoch}; "
                "a cosine schedule needs at least one step"
            )
        done = (self.initial_epoch - self.from_epoch) * self.steps_per_epoch  # updates already on this curve
        self.schedule.restart(int(self.model.optimizer.iterations.numpy()) - done, steps)
