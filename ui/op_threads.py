"""One thread per TensorFlow op in the app's process: concurrent clicks are the parallelism.

A click runs a few small ops. Handed to TensorFlow's thread pools (as many threads as cores),
each op pays for the hand-over, and with a class clicking at once the pools' threads compete
with the sessions' own: measured with ``bench/load.py`` (100 users at once, one process,
2 cores, 2026-12-07), the server's CPU per click fell from 82 to 65 ms and the p95 from 5.1 to 4.0 s when
every op ran on the thread that asked for it. Set through ``tf.config.threading`` in this
process only, so a training run the app starts (``core.train.live``) keeps every core;
``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` in the environment win.
"""

from __future__ import annotations

import os

import tensorflow as tf

ENV_VARS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def one_thread_per_op() -> bool:
    """Ask TensorFlow for one intra-op and one inter-op thread; False where it is too late or overridden.

    Too late: TensorFlow's runtime already started in this process (a test session that ran ops
    before); the pools it made are kept.
    """
    if any(os.environ.get(v) for v in ENV_VARS):
        return False
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # the runtime is already initialised
        return False
    return True
