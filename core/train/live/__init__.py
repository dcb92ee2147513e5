"""Live runs: a small model trained while a class watches, started and stopped from the app.

- :mod:`core.train.live.root` — where live runs live (``runs/live/`` or ``$ATTENTION_LAB_LIVE_DIR``),
  its caps, and the names of its files;
- :mod:`core.train.live.presets` — the lesson-sized presets and the ``core.train`` command line of each;
- :mod:`core.train.live.state` — the small state file that records the process a start launched;
- :mod:`core.train.live.process` — the child process: spawned in its own session at a lower
  priority, recognised again after a server restart, signalled to stop;
- :mod:`core.train.live.retention` — the oldest live runs removed first, never anything outside the root;
- :mod:`core.train.live.launcher` — start, stop and delete, one live run per machine (a file lock
  in the root that the training process itself holds);
- :mod:`core.train.live.progress` — what a watcher sees: the run's status, epochs, time left.

The training process writes the run folder (``python -m core.train``); this package writes
only the live root's own files and removes whole folders it made. It may import the standard
library, :mod:`core.runs.atomic`, :mod:`core.runs.lock`, :mod:`core.runs`, :mod:`core.runs.provenance`,
:mod:`core.train.stop` and :mod:`core.train.args`; never TensorFlow.
"""
