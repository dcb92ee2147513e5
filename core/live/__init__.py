"""Live runs: a small model trained while a class watches, started and stopped from the app.

- :mod:`core.live.root` — where live runs live (``runs/live/`` or ``$ATTENTION_LAB_LIVE_DIR``),
  its caps, and the names of its files;
- :mod:`core.live.presets` — the lesson-sized presets and the ``core.train`` command line of each;
- :mod:`core.live.state` — the small state file that records the process a start launched;
- :mod:`core.live.process` — the child process: spawned in its own session at a lower
  priority, recognised again after a server restart, signalled to stop;
- :mod:`core.live.retention` — the oldest live runs removed first, never anything outside the root;
- :mod:`core.live.launcher` — start, stop and delete, one live run per machine (a file lock
  in the root that the training process itself holds);
- :mod:`core.live.progress` — what a watcher sees: the run's status, epochs, time left.

The training process writes the run folder (``python -m core.train``); this package writes
only the live root's own files and removes whole folders it made. It may import the standard
library, :mod:`core.atomic`, :mod:`core.lock`, :mod:`core.runs`, :mod:`core.provenance`,
:mod:`core.stop` and :mod:`core.train_args`; never TensorFlow.
"""
