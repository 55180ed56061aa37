"""deploy/: the Kubernetes manifests and the scaled endpoints fit together."""

from __future__ import annotations

import importlib.util
import re

import yaml

from bot.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


def _documents() -> list[dict]:
    found = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        found += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def _deployments() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in _documents() if d["kind"] == "Deployment"}


def test_every_role_has_a_deployment_with_requests_limits_and_restarts():
    deployments = _deployments()
    assert set(deployments) == {"rasa", "actions", "console", "watcher", "tickets-worker"}
    for name, deployment in deployments.items():
        spec = deployment["spec"]["template"]["spec"]
        assert spec["restartPolicy"] == "Always", name
        for container in spec["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name


def test_servers_have_health_probes_on_their_own_port_and_commands_exist():
    for name, deployment in _deployments().items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        command = container["command"]
        module = command[command.index("-m") + 1]
        assert importlib.util.find_spec(module) is not None, (name, module)
        if container.get("ports"):
            port = container["ports"][0]["containerPort"]
            for probe in ("readinessProbe", "livenessProbe"):
                assert container[probe]["httpGet"]["port"] == port, (name, probe)
            assert str(port) in command, name  # the process listens where the probe looks
            assert "0.0.0.0" in command or any(e.get("value") == "0.0.0.0" for e in container.get("env", [])), name


def test_the_secret_template_and_config_provide_every_variable_the_scaled_endpoints_use():
    used = set(re.findall(r"\$\{(\w+)\}", (DEPLOY / "endpoints.scaled.yml").read_text()))
    provided = set()
    for document in _documents():
        if document["kind"] in ("ConfigMap", "Secret"):
            provided |= set(document.get("data") or {}) | set(document.get("stringData") or {})
    assert used <= provided, used - provided
    secret = next(d for d in _documents() if d["kind"] == "Secret")
    assert all(value.startswith("<") or value.isdigit() or value in ("stoerungschat", "0") or "<" in value
               for value in secret["stringData"].values())  # a template: no real secrets in git
