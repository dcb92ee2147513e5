"""The HAProxy configuration of the replicas: ``haproxy.cfg.template`` filled in for one setup.

Two setups: replicas on this machine at known ports (``on_this_machine``, used by
``deploy.serve``), and replicas behind one DNS name in a container network (``by_dns``, used by
``deploy/compose.yaml``: Docker's DNS answers one address per replica). ``python -m
deploy.haproxy_config --compose`` prints the compose rendering, kept in ``haproxy-compose.cfg``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")
COMPOSE_CONFIG = Path(__file__).with_name("haproxy-compose.cfg")
COOKIE = "attention-lab-replica"  # the affinity cookie; its value is the replica's name
REPLICA_HEADER = "X-Attention-Lab-Replica"  # every response names the replica that answered
HEALTH_PATH = "/_stcore/health"


@dataclass(frozen=True)
class Replicas:
    """The replica part of the configuration: server lines, cookie mode, extra sections."""

    servers: tuple[str, ...]
    cookie_mode: str = ""  # " dynamic" when the servers are found through DNS
    sections: str = ""


def replica_name(index: int) -> str:
    """The name (and cookie value) of the replica number ``index``, counting from 1: ``r1``, ``r2``…"""
    return f"r{index}"


def on_this_machine(ports: list[int], host: str = "127.0.0.1") -> Replicas:
    """Replicas ``r1``… at ``host:port``, each one's cookie its name."""
    return Replicas(
        tuple(f"    server {replica_name(i)} {host}:{p} cookie {replica_name(i)}" for i, p in enumerate(ports, 1))
    )


def by_dns(service: str, port: int, slots: int, nameserver: str = "127.0.0.11:53") -> Replicas:
    """Up to ``slots`` replicas answering for the DNS name ``service`` (Docker's resolver by default).

    HAProxy fills one server slot per address the name resolves to and derives each one's cookie
    from its address (``dynamic``), so scaling the service needs no new configuration.
    """
    resolvers = "\n".join(
        [
            "resolvers containers",
            f"    nameserver dns {nameserver}",
            "    hold valid 10s",
            "    accepted_payload_size 8192",
        ]
    )
    return Replicas(
        (
            "    dynamic-cookie-key attention-lab",
            f"    server-template app {slots} {service}:{port} resolvers containers init-addr none",
        ),
        cookie_mode=" dynamic",
        sections=resolvers,
    )


def render(bind: str, replicas: Replicas) -> str:
    """The configuration text: HAProxy listening on ``bind`` (``address:port``) in front of ``replicas``."""
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=bind, cookie_mode=replicas.cookie_mode, servers="\n".join(replicas.servers), sections=replicas.sections
    )
    return text.rstrip("\n") + "\n"


def compose_config() -> str:
    """The rendering for ``deploy/compose.yaml``: port 8501, up to 16 replicas of the service ``app``."""
    return render("*:8501", by_dns("app", 8501, 16))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", action="store_true", help="print the rendering for deploy/compose.yaml")
    parser.add_argument("--bind", default="127.0.0.1:8501", help="address:port to listen on (default 127.0.0.1:8501)")
    parser.add_argument("--ports", default="8511,8512", help="replica ports on this machine (default 8511,8512)")
    args = parser.parse_args(argv)
    if args.compose:
        sys.stdout.write(compose_config())
        return 0
    try:
        ports = [int(p) for p in args.ports.split(",")]
    except ValueError:
        parser.error(f"--ports must be comma-separated numbers, got {args.ports!r}")
    sys.stdout.write(render(args.bind, on_this_machine(ports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
