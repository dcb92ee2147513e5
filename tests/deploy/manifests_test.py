"""deploy/Dockerfile, compose.yaml and k8s/: what can be checked without Docker or a cluster.

The files parse; the Dockerfile runs the README's Quick start commands and checks its health;
the compose file runs replicas behind HAProxy with one cookie secret; the Kubernetes objects
refer to each other by the right names, probe ``/_stcore/health`` and pin browsers to pods with
a cookie on the ingress.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HEALTH = "/_stcore/health"


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of a Dockerfile, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # also a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def exec_form(args: str) -> list[str]:
    """A JSON-array argument (``CMD ["a", "b"]``) as a list; shell form split like a shell would."""
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def readme_quick_start() -> list[str]:
    """The commands of the README's Quick start block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README's Quick start has no bash block"
    return [line.strip() for line in block[1].splitlines() if line.strip()]


def load_yaml(path: Path) -> list[dict]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert docs, f"{path} holds no YAML document"
    return docs


def k8s_objects() -> dict[str, dict]:
    """Every object of deploy/k8s/*.yaml by kind (one of each)."""
    objects: dict[str, dict] = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in load_yaml(path):
            assert {"apiVersion", "kind", "metadata"} <= set(doc), f"{path.name}: not a Kubernetes object"
            assert doc["kind"] not in objects, f"two {doc['kind']} objects"
            objects[doc["kind"]] = doc
    return objects


# -- Dockerfile ----------------------------------------------------------------------------------


def test_dockerfile_runs_the_readme_commands():
    install, run = readme_quick_start()
    instructions = dockerfile_instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    runs = [args for kind, args in instructions if kind == "RUN"]
    cmds = [exec_form(args) for kind, args in instructions if kind == "CMD"]
    assert install == "pip install -r requirements.txt" and run == "streamlit run streamlit_app.py"
    assert install in runs, f"no `RUN {install}` in deploy/Dockerfile: {runs}"
    assert cmds == [shlex.split(run)], f"the Dockerfile's CMD is {cmds}, the README says {run!r}"


def test_dockerfile_checks_health_and_serves_on_every_interface():
    instructions = dockerfile_instructions((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    health = [args for kind, args in instructions if kind == "HEALTHCHECK"]
    assert len(health) == 1 and HEALTH in health[0] and "CMD" in health[0]
    env = " ".join(args for kind, args in instructions if kind == "ENV")
    assert "STREAMLIT_SERVER_ADDRESS=0.0.0.0" in env and "STREAMLIT_SERVER_PORT=8501" in env
    assert ("EXPOSE", "8501") in instructions
    assert any(kind == "USER" and args != "root" for kind, args in instructions), "the app runs as root"


def test_dockerfile_parser_reads_continuations_and_both_forms():
    parsed = dockerfile_instructions('FROM x\n# note\nENV A=1 \\\n    B=2\nCMD ["a", "b c"]\nRUN echo "d e"\n')
    assert parsed == [("FROM", "x"), ("ENV", "A=1 B=2"), ("CMD", '["a", "b c"]'), ("RUN", 'echo "d e"')]
    assert exec_form(parsed[2][1]) == ["a", "b c"] and exec_form(parsed[3][1]) == ["echo", "d e"]


# -- Docker Compose ------------------------------------------------------------------------------


def test_compose_runs_replicas_behind_haproxy_with_one_secret():
    (compose,) = load_yaml(DEPLOY / "compose.yaml")
    app, balancer = compose["services"]["app"], compose["services"]["balancer"]
    assert app["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert app["deploy"]["replicas"] >= 2
    assert "${STREAMLIT_SERVER_COOKIE_SECRET:?" in app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert balancer["image"].startswith("haproxy:")
    source, target, *_ = balancer["volumes"][0].split(":")
    assert (DEPLOY / source).is_file() and target == "/usr/local/etc/haproxy/haproxy.cfg"
    assert balancer["depends_on"]["app"]["condition"] == "service_healthy"
    config = (DEPLOY / source).read_text(encoding="utf-8")
    assert "app:8501" in config and app["expose"] == ["8501"]


# -- Kubernetes ----------------------------------------------------------------------------------


def test_kubernetes_objects_parse_and_are_the_four_expected():
    assert set(k8s_objects()) == {"Deployment", "Service", "Ingress", "Secret"}


def test_probes_ask_the_health_endpoint_on_the_container_port():
    deployment = k8s_objects()["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == HEALTH, probe
        assert get["port"] in ports or get["port"] in ports.values(), probe
    assert deployment["spec"]["replicas"] >= 2


def test_every_replica_gets_the_secret_and_the_names_agree():
    objects = k8s_objects()
    deployment, service, ingress, secret = (objects[k] for k in ("Deployment", "Service", "Ingress", "Secret"))
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    ref = env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    container_ports = {p["name"] for p in container["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports
    backends = [p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]]
    service_ports = {p["name"] for p in service["spec"]["ports"]}
    assert all(b["name"] == service["metadata"]["name"] and b["port"]["name"] in service_ports for b in backends)


def test_the_ingress_pins_browsers_with_a_cookie_and_keeps_websockets_open():
    annotations = k8s_objects()["Ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert annotations[prefix + "affinity"] == "cookie"
    assert annotations[prefix + "affinity-mode"] == "persistent"
    assert annotations[prefix + "session-cookie-name"]
    assert int(annotations[prefix + "proxy-read-timeout"]) >= 3600
    assert int(annotations[prefix + "proxy-send-timeout"]) >= 3600
