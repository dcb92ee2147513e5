"""The cluster a training process belongs to, and the ``tf.distribute`` strategy it trains under.

A cluster is described by ``--workers host:port,host:port --worker-index i`` or by
``$TF_CONFIG``; the flags are turned into ``$TF_CONFIG`` (:func:`apply_flags`) before TensorFlow
starts. The chief (the ``chief`` task, else worker 0, else a lone process) is the one process
that writes the run folder; every other task trains in a temporary folder removed when it ends.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

STRATEGIES = ("default", "mirrored", "multiworker")
DEFAULT_WORKER_TIMEOUT = 600  # seconds a collective step waits for the other workers
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


class WorkerLost(RuntimeError):
    """A collective step failed: another worker of the cluster died or stopped answering (exit code 1)."""


class ClusterError(ValueError):
    """A ``--workers`` / ``--worker-index`` / ``--worker-timeout`` value refused before any work (exit code 2)."""


def parse_workers(text: str) -> list[str]:
    """``host:port,host:port`` as a list; every entry checked (port 1..65535, no repeats)."""
    hosts = [h.strip() for h in text.split(",")]
    for host in hosts:
        match = _HOST_PORT.match(host)
        if not match or not 1 <= int(match.group(2)) <= 65535:
            raise ClusterError(f"--workers {text!r}: {host!r} is not host:port with a port in 1..65535")
    repeated = sorted({h for h in hosts if hosts.count(h) > 1})
    if repeated:
        raise ClusterError(f"--workers {text!r} names {', '.join(repeated)} more than once")
    return hosts


def check_flags(args) -> None:
    """The cluster flags on their own and against ``--strategy`` and ``$TF_CONFIG``."""
    workers, index = getattr(args, "workers", None), getattr(args, "worker_index", None)
    multiworker = workers is not None or args.strategy == "multiworker"
    if getattr(args, "loop", None) == "fit" and multiworker:
        raise ClusterError("--loop fit cannot train under --strategy multiworker: it trains with --loop custom")
    timeout = getattr(args, "worker_timeout", None)
    if timeout is not None and not 1 <= timeout <= 86_400:
        raise ClusterError(f"--worker-timeout {timeout} must be 1..86400 seconds")
    if workers is None:
        if index is not None:
            raise ClusterError(f"--worker-index {index} needs --workers (the cluster's host:port list)")
        if timeout is not None and args.strategy != "multiworker":
            raise ClusterError(f"--worker-timeout {timeout} applies to --strategy multiworker only")
        return
    hosts = parse_workers(workers)
    if index is None:
        raise ClusterError(f"--workers {workers!r} needs --worker-index (this process's place, 0..{len(hosts) - 1})")
    if not 0 <= index < len(hosts):
        raise ClusterError(f"--worker-index {index} is not in 0..{len(hosts) - 1} (--workers lists {len(hosts)})")
    if "TF_CONFIG" in os.environ:
        raise ClusterError("--workers and $TF_CONFIG both describe the cluster: give one of them")
    if args.strategy not in ("default", "multiworker"):
        raise ClusterError(f"--workers trains under --strategy multiworker, not --strategy {args.strategy}")


def apply_flags(args) -> None:
    """Turn ``--workers``/``--worker-index`` into ``$TF_CONFIG`` and ``--strategy multiworker`` (checked first)."""
    if getattr(args, "workers", None) is None:
        return
    hosts = parse_workers(args.workers)
    spec = {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": args.worker_index}}
    os.environ["TF_CONFIG"] = json.dumps(spec)
    args.strategy = "multiworker"


def task() -> tuple[str, int] | None:
    """This process's ``(type, index)`` in ``$TF_CONFIG``'s cluster, or ``None`` outside a cluster."""
    spec = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task")
    return (str(spec.get("type", "worker")), int(spec.get("index", 0))) if spec else None


def is_chief() -> bool:
    """Whether this process writes the run folder: the chief, else worker 0, else a lone process."""
    tf_config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    spec = tf_config.get("task")
    if not spec:
        return True
    if "chief" in tf_config.get("cluster", {}):
        return spec.get("type") == "chief"
    return spec.get("type") == "worker" and spec.get("index", 0) == 0


def scratch_folder(out: Path) -> Path:
    """Where a non-chief task writes while it trains: a new temporary folder (removed when it ends)."""
    import tempfile

    kind, index = task() or ("worker", 0)
    return Path(tempfile.mkdtemp(prefix=f"{out.name}.{kind}-{index}."))


def make_strategy(name: str, cpu_devices: int = 1, worker_timeout: float | None = None):
    """The ``tf.distribute`` strategy called ``name``; call before TensorFlow touches any device.

    Under ``multiworker`` every collective step gives up after ``worker_timeout`` seconds
    (``CommunicationOptions.timeout_seconds``), and the strategy's own health check aborts the
    collectives when a peer stops answering, so a lost worker ends the run instead of hanging it.
    """
    import tensorflow as tf

    if cpu_devices > 1:
        (cpu, *_) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_devices)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy(devices=[d.name for d in devices])
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError(
                "--strategy multiworker needs --workers host:port,... --worker-index i, or $TF_CONFIG "
                "describing the cluster (see docs/models-and-training.md)"
            )
        timeout = float(worker_timeout or DEFAULT_WORKER_TIMEOUT)
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    raise ValueError(f"strategy {name!r} is not one of {STRATEGIES}")
