"""The custom training loop: one training step for one process and for a cluster of workers.

Every worker reads the same global batches (the same pipeline and shuffle seed: epoch ``k`` is the
dataset's ``k``-th pass) and hands each of its replicas its own slice of each batch
(:func:`split`, ``strategy.experimental_distribute_values_from_function``); ``strategy.run`` runs
:meth:`Steps.replica_train` on every replica's slice:

- the replica's loss is its summed token losses (:func:`core.train.losses.sequence_losses`, the
  loss ``fit`` optimises too) over the real target tokens of the *global* batch, a count
  all-reduced across replicas: ``tf.nn.compute_average_loss(sums, global_batch_size=N)``;
- its gradients are all-reduced (summed) once, so every replica holds the gradient of the global
  batch's token mean, and Keras's optimizer clips (``clipnorm``) and applies that gradient on every
  replica. The optimizer's own all-reduce is switched off (:func:`_reduced_by_the_loop`): it would
  sum the replicas' copies again. Embedding gradients stay ``tf.IndexedSlices`` (gathered across
  replicas), so clipping and Adam see the same slices as in one process, where ``fit`` trains.

The loop drives Keras callbacks (the run logger, the cosine schedule, a clean stop) as ``fit``
does: ``on_train_batch_end`` logs the epoch's running mean, ``on_epoch_end`` the epoch's loss,
accuracy and validation loss. Under the default strategy the loop is the step of one process.
A collective step that fails (a worker that died or stopped answering within the strategy's
timeout) ends the loop with :class:`WorkerLost`.
"""

from __future__ import annotations

import math

from core.train.cluster import WorkerLost
from core.train.losses import accuracy_counts, sequence_losses

__all__ = ["Steps", "WorkerLost", "fit", "split"]


class Steps:
    """The compiled train and evaluation steps of ``model`` (compiled with an optimizer) under ``strategy``."""

    def __init__(self, strategy, model, smoothing: float = 0.0):
        import tensorflow as tf

        self.strategy, self.model, self.smoothing = strategy, model, float(smoothing)
        _reduced_by_the_loop(model.optimizer)
        # batches differ in length: traced for a few shapes, then for any (every worker traces alike)
        self.train_step = tf.function(self._train_step, reduce_retracing=True)
        self.eval_step = tf.function(self._eval_step, reduce_retracing=True)

    def _counts(self, targets, logits, sums, tokens):
        """The replica's loss over the global batch's real tokens, its hits, tokens and sequences."""
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        total = context.all_reduce(tf.distribute.ReduceOp.SUM, tokens)
        loss = tf.nn.compute_average_loss(sums, global_batch_size=tf.cast(tf.round(total), tf.int64))
        hits, _ = accuracy_counts(targets, logits)
        return loss, hits, tokens, tf.cast(tf.shape(targets)[0], tf.float32)

    def replica_train(self, inputs, targets):
        """One replica's part of a step: forward, loss, all-reduced gradients, update."""
        import tensorflow as tf

        model = self.model
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)
            sums, tokens = sequence_losses(targets, logits, self.smoothing)
            loss, hits, tokens, sequences = self._counts(targets, logits, sums, tokens)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        grads = tape.gradient(loss, model.trainable_variables)
        grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
        model.optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss, hits, tokens, sequences

    def replica_eval(self, inputs, targets):
        """One replica's part of a validation step: the same loss, no update."""
        logits = self.model(inputs, training=False)
        sums, tokens = sequence_losses(targets, logits, self.smoothing)
        return self._counts(targets, logits, sums, tokens)

    def _reduced(self, values):
        import tensorflow as tf

        return [self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) for v in values]

    def _train_step(self, batch):
        inputs, targets = batch
        return self._reduced(self.strategy.run(self.replica_train, args=(inputs, targets)))

    def _eval_step(self, batch):
        inputs, targets = batch
        return self._reduced(self.strategy.run(self.replica_eval, args=(inputs, targets)))


def _reduced_by_the_loop(optimizer) -> None:
    """Make ``optimizer`` apply the gradients it is given as they are: the loop has all-reduced them already."""
    if not hasattr(optimizer, "_all_reduce_sum_gradients"):
        import keras

        raise RuntimeError(
            f"Keras {keras.__version__}'s {type(optimizer).__name__} has no _all_reduce_sum_gradients to "
            "switch off: the loop would sum the replicas' gradients twice"
        )
    optimizer._all_reduce_sum_gradients = lambda grads_and_vars: grads_and_vars


class _Means:
    """An epoch's running loss (weighted by sequences, as Keras's) and accuracy (mean of batches, as Keras's)."""

    def __init__(self):
        self.loss = self.sequences = self.accuracy = 0.0
        self.batches = 0

    def add(self, loss: float, hits: float, tokens: float, sequences: float) -> None:
        self.loss += loss * sequences
        self.sequences += sequences
        self.accuracy += hits / max(tokens, 1.0)
        self.batches += 1

    def logs(self, prefix: str = "") -> dict:
        return {
            f"{prefix}loss": self.loss / self.sequences if self.sequences else math.nan,
            f"{prefix}masked_accuracy": self.accuracy / self.batches if self.batches else math.nan,
        }


def split(strategy, batch):
    """One global batch as per-replica values: replica ``r`` of ``R`` gets rows ``[r·⌈B/R⌉, (r+1)·⌈B/R⌉)``."""
    import tensorflow as tf

    def slice_of(context):
        size = tf.shape(batch[1])[0]
        share = (size + context.num_replicas_in_sync - 1) // context.num_replicas_in_sync
        low = tf.minimum(context.replica_id_in_sync_group * share, size)
        high = tf.minimum(low + share, size)
        return tf.nest.map_structure(lambda t: t[low:high], batch)

    return strategy.experimental_distribute_values_from_function(slice_of)


def fit(strategy, model, train_ds, val_ds, epochs: int, initial_epoch: int, callbacks: list, smoothing: float = 0.0):
    """Train ``model`` from ``initial_epoch`` to ``epochs`` as ``model.fit`` would, with :class:`Steps`.

    Every worker prints a line per epoch (its steps and the global batch's loss). Returns the
    last epoch's logs. Raises :class:`WorkerLost` when a collective step fails.
    """
    import keras
    import tensorflow as tf

    if not model.optimizer.built:
        with strategy.scope():
            model.optimizer.build(model.trainable_variables)
    steps = Steps(strategy, model, smoothing)
    steps_per_epoch = int(train_ds.cardinality())
    hooks = keras.callbacks.CallbackList(callbacks, model=model, epochs=epochs, steps=steps_per_epoch, verbose=0)
    hooks.on_train_begin()
    logs: dict = {}
    epoch = initial_epoch
    try:
        for epoch in range(initial_epoch, epochs):
            hooks.on_epoch_begin(epoch)
            train = _Means()
            for index, batch in enumerate(train_ds):
                train.add(*(float(v) for v in steps.train_step(split(strategy, batch))))
                hooks.on_train_batch_end(index, train.logs())
            val = _Means()
            for batch in val_ds:
                val.add(*(float(v) for v in steps.eval_step(split(strategy, batch))))
            logs = train.logs() | val.logs("val_")
            print(f"epoch {epoch + 1}/{epochs}: {train.batches} steps, loss {logs['loss']:.5f}, "
                  f"val_loss {logs['val_loss']:.5f}", flush=True)  # fmt: skip
            hooks.on_epoch_end(epoch, logs)
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError,
            tf.errors.InternalError, tf.errors.AbortedError) as e:  # fmt: skip
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise WorkerLost(
            f"a collective step of epoch {epoch + 1} failed: {type(e).__name__}: {first} "
            f"(a worker of the cluster died or did not answer)"
        ) from None
    hooks.on_train_end(logs)
    return logs
