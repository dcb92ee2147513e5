"""Serve a class from this machine: N Streamlit replicas and HAProxy in front, stopped together.

    python -m deploy.serve --replicas 2 --port 8501

Checks its arguments and that ``haproxy`` is installed before starting anything; then starts
the replicas on 127.0.0.1 (ports ``--port``+1 … unless ``--replica-ports``), all with one cookie
secret, waits until each answers on ``/_stcore/health``, starts HAProxy on ``--address:--port``
with cookie affinity (``deploy/haproxy.cfg.template``) and waits until the app answers through
it. Ctrl+C or SIGTERM stops HAProxy and every replica and exits 0; a replica that dies meanwhile
is reported and its users are sent to the others. Exits 1 when the setup cannot start or
HAProxy or every replica dies, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy import haproxy_config, replicas

MAX_REPLICAS = 32


class Stopped(Exception):
    """SIGINT or SIGTERM arrived: stop everything and exit 0."""


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    log: Path
    reported: bool = False  # its exit has been told


@dataclass
class Stack:
    """Everything started, in order: stopping goes the other way (HAProxy first)."""

    children: list[Child] = field(default_factory=list)

    def exited(self, names: tuple[str, ...] | None = None) -> list[Child]:
        return [c for c in self.children if c.proc.poll() is not None and (names is None or c.name in names)]

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM to every child still running, newest first; SIGKILL to any still there after ``grace_s``."""
        for child in reversed(self.children):
            if child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + grace_s
        for child in reversed(self.children):
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The arguments, checked; exits 2 with a message naming the bad value before anything starts."""
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help=f"Streamlit processes, 1 to {MAX_REPLICAS} (default 2)")
    parser.add_argument("--port", type=int, default=8501, help="where students connect (default 8501)")
    parser.add_argument("--address", default="0.0.0.0", help="HAProxy's address (default 0.0.0.0: every interface)")
    parser.add_argument("--replica-ports", help="comma-separated local ports of the replicas (default --port+1 …)")
    parser.add_argument("--haproxy", help="the haproxy program (default: haproxy on PATH)")
    parser.add_argument("--logs", type=Path, help="folder for the logs and HAProxy's configuration (default: a new temporary one)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for health (default 300)")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.error(f"--replicas must be 1 to {MAX_REPLICAS}, got {args.replicas}")
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be 1 to 65535, got {args.port}")
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive, got {args.timeout}")
    try:
        ports = [int(p) for p in args.replica_ports.split(",")] if args.replica_ports else None
    except ValueError:
        parser.error(f"--replica-ports must be comma-separated numbers, got {args.replica_ports!r}")
    ports = ports or list(range(args.port + 1, args.port + 1 + args.replicas))
    if len(ports) != args.replicas:
        parser.error(f"--replica-ports names {len(ports)} ports for {args.replicas} replicas")
    if len({*ports, args.port}) != len(ports) + 1 or not all(1 <= p <= 65535 for p in ports):
        parser.error(f"replica ports must be distinct, 1 to 65535 and not --port {args.port}: {ports}")
    args.replica_ports = ports
    args.haproxy = args.haproxy or shutil.which("haproxy")
    if not args.haproxy or not os.access(args.haproxy, os.X_OK):
        parser.error(
            "haproxy is not installed (not on PATH): install it (Debian or Ubuntu: apt-get install haproxy) "
            "or give its path with --haproxy"
        )
    busy = [f"{a}:{p}" for a, p in [(args.address, args.port), *(("127.0.0.1", p) for p in ports)] if not port_free(a, p)]  # fmt: skip
    if busy:
        parser.error(f"port(s) already in use: {', '.join(busy)}")
    return args


def port_free(address: str, port: int) -> bool:
    """True when a TCP server could listen on ``address:port`` now."""
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def _on_signal(signum, _frame) -> None:
    raise Stopped(signal.Signals(signum).name)


def _exit_message(stack: Stack, names: tuple[str, ...] | None = None) -> str | None:
    dead = stack.exited(names)
    if not dead:
        return None
    return "; ".join(f"{c.name} exited with code {c.proc.returncode} (log: {c.log})" for c in dead)


def start_replicas(stack: Stack, args: argparse.Namespace, logs: Path) -> list[str]:
    """Start every replica with one shared secret and wait until each is healthy; their URLs."""
    secret = replicas.cookie_secret()
    urls = []
    for i, port in enumerate(args.replica_ports, 1):
        name = haproxy_config.replica_name(i)
        log = logs / f"{name}.log"
        with open(log, "w") as out:  # the child keeps its own copy of the file
            stack.children.append(Child(name, replicas.start(port, secret, out), log))
        urls.append(f"http://127.0.0.1:{port}")
        print(f"  replica {name}: {urls[-1]} (pid {stack.children[-1].proc.pid}, log {log})", flush=True)
    pending = replicas.wait_healthy(urls, lambda: _exit_message(stack), args.timeout)
    if pending:
        raise RuntimeError(f"no answer on /_stcore/health within {args.timeout:.0f} s from {', '.join(pending)}")
    return urls


def start_haproxy(stack: Stack, args: argparse.Namespace, logs: Path) -> str:
    """Write HAProxy's configuration, check it, start HAProxy and wait until the app answers through it."""
    config = logs / "haproxy.cfg"
    bind = f"[{args.address}]:{args.port}" if ":" in args.address else f"{args.address}:{args.port}"
    config.write_text(haproxy_config.render(bind, haproxy_config.on_this_machine(args.replica_ports)))
    check = subprocess.run([args.haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, timeout=60)
    if check.returncode != 0:
        raise RuntimeError(f"haproxy refused {config}:\n{check.stdout}{check.stderr}")
    log = logs / "haproxy.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [args.haproxy, "-db", "-f", str(config)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, preexec_fn=replicas.preexec(),
        )  # fmt: skip
    stack.children.append(Child("haproxy", proc, log))
    print(f"  haproxy: pid {proc.pid}, configuration {config}, log {log}", flush=True)
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::", "") else args.address
    url = f"http://{host}:{args.port}" if ":" not in host else f"http://[{host}]:{args.port}"
    if replicas.wait_healthy([url], lambda: _exit_message(stack, ("haproxy",)), args.timeout):
        raise RuntimeError(f"no answer through HAProxy at {url} within {args.timeout:.0f} s (log: {log})")
    return url


def watch(stack: Stack, names: list[str]) -> int:
    """Until a signal: report a replica that exits; 1 when HAProxy or every replica has exited."""
    while True:
        time.sleep(1.0)
        for child in stack.exited():
            if not child.reported:
                child.reported = True
                print(f"{child.name} (pid {child.proc.pid}) exited with code {child.proc.returncode}; "
                      f"log: {child.log}", file=sys.stderr, flush=True)  # fmt: skip
                if child.name in names:
                    print("  HAProxy sends its users to the other replicas", file=sys.stderr, flush=True)
        if stack.exited(("haproxy",)) or len(stack.exited(tuple(names))) == len(names):
            return 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logs = args.logs or Path(tempfile.mkdtemp(prefix="attention-lab-serve-"))
    logs.mkdir(parents=True, exist_ok=True)
    stack = Stack()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    try:
        print(f"attention-lab: {args.replicas} replica(s) and HAProxy; logs in {logs}", flush=True)
        start_replicas(stack, args, logs)
        url = start_haproxy(stack, args, logs)
        shown = url if args.address not in ("0.0.0.0", "::") else f"http://<this machine's address>:{args.port} ({url} here)"  # fmt: skip
        print(f"serving the class at {shown}; Ctrl+C stops everything", flush=True)
        rc = watch(stack, [c.name for c in stack.children if c.name != "haproxy"])
    except Stopped as e:
        print(f"{e}: stopping HAProxy and the replicas", flush=True)
        rc = 0
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"deploy.serve: {e}", file=sys.stderr, flush=True)
        rc = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not cut the shutdown short
        stack.stop()
    print(f"stopped (exit {rc})", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
