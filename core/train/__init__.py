"""Training: ``python -m core.train`` and what it is made of.

- :mod:`~core.train.cli` — the command line and the run it trains;
- :mod:`~core.train.cluster` — the cluster flags, who writes the run folder, the ``tf.distribute`` strategy;
- :mod:`~core.train.loop` — the custom training loop (``strategy.run``) that multi-worker runs train with;
- :mod:`~core.train.args` — every argument and the run folder checked before any work;
- :mod:`~core.train.losses` — masked (and label-smoothed) cross-entropy and accuracy;
- :mod:`~core.train.lr_schedule` — the cosine decay that survives a resume;
- :mod:`~core.train.checkpoints` — the latest epoch's weights and optimiser, for ``--resume``;
- :mod:`~core.train.run_logger` — history, steps, probes and kept weights after every epoch;
- :mod:`~core.train.init_from` — a new run started from another model's matching weights;
- :mod:`~core.train.sweep` — ``python -m core.train.sweep``: one model at several vocabulary sizes, scored on validation;
- :mod:`~core.train.export` — ``python -m core.train.export``: a shippable float16 copy of a run;
- :mod:`~core.train.stop` — a clean stop on SIGTERM/SIGINT, the folder left valid and resumable;
- :mod:`~core.train.live` — the small runs a teacher starts from the app (presets, one per machine).

The top floor of :mod:`core`: it may import every other part; nothing imports it.
"""
