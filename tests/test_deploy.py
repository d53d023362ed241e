"""The Kubernetes manifests (deploy/): valid for the pinned Kubernetes, and saying what the image and
docker-compose.yml say (the same image, commands, user, port and settings)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from orderctl.gunicorn import graceful_timeout as GRACEFUL_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def manifest(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def container(name: str) -> dict:
    (only,) = manifest(name)["spec"]["template"]["spec"]["containers"]
    return only


def compose_service(name: str) -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]


def validate(*files: Path) -> subprocess.CompletedProcess:
    """Run `make k8s-validate` (the target CI runs) on ``files``."""
    return subprocess.run(  # noqa: S603 - make and our own target
        ["make", "-s", "k8s-validate", f"K8S_MANIFESTS={' '.join(str(f) for f in files)}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def resources() -> list[Path]:
    return sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def test_every_manifest_is_valid_for_the_pinned_kubernetes():
    done = validate(*resources())
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("what", "old", "new"),
    [
        ("a number as text", "replicas: 3", 'replicas: "three"'),
        ("an unknown field", "revisionHistoryLimit: 5", "revisionHistoryLimt: 5"),
        (
            "a required field missing",
            "      containers:\n        - name: web\n",
            "      containers:\n        - nme: web\n",
        ),
    ],
)
def test_validation_catches_a_broken_manifest(tmp_path, what, old, new):
    broken = tmp_path / "web.yaml"
    text = (DEPLOY / "web.yaml").read_text()
    assert old in text
    broken.write_text(text.replace(old, new, 1))
    done = validate(broken)
    assert done.returncode != 0, f"{what} passed validation"


def test_kustomization_lists_every_manifest():
    listed = manifest("kustomization.yaml")["resources"]
    assert sorted(listed) == [p.name for p in resources()]


def test_the_image_and_commands_are_the_dockerfile_s_and_compose_s():
    kustomization = manifest("kustomization.yaml")
    assert [i["name"] for i in kustomization["images"]] == [compose_service("web")["image"].split(":")[0]]
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = yaml.safe_load(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert container("web.yaml")["command"] == cmd == compose_service("web")["command"]
    assert container("worker.yaml")["command"] == compose_service("worker")["command"]
    assert container("beat.yaml")["command"] == compose_service("beat")["command"]
    # Compose writes a literal $ as $$.
    migrate = [part.replace("$$", "$") for part in compose_service("migrate")["command"]]
    assert container("migrate-job.yaml")["command"] == migrate
    for name in ("web.yaml", "worker.yaml", "beat.yaml", "migrate-job.yaml"):
        assert container(name)["image"] == "orderctl"
    # The image's user and port.
    uid = re.search(r"useradd .*--uid (\d+)", dockerfile).group(1)
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.M)
    assert container("web.yaml")["ports"][0]["containerPort"] == 8000
    for name in ("web.yaml", "worker.yaml", "beat.yaml", "migrate-job.yaml"):
        assert manifest(name)["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == int(uid)


def test_every_setting_given_is_one_the_settings_read():
    settings_source = "".join(p.read_text() for p in sorted((ROOT / "orderctl" / "settings").glob("*.py")))
    read = set(re.findall(r'(?:env_\w+|_secret_from_env_or_file)\(\s*"([A-Z_]+)"', settings_source))
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    given = set(manifest("configmap.yaml")["data"]) | set(manifest("secret.yaml")["stringData"])
    given |= set(manifest("migration-secret.yaml")["stringData"])
    # The compose file's names for the database's roles are read by compose and the migrate command.
    assert given <= read | example, given - read - example
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "HISTORY_SIGNING_KEY"} <= given


def test_only_the_migrate_job_sees_the_owner_s_credentials():
    for name in ("web.yaml", "worker.yaml", "beat.yaml"):
        refs = [e.get("secretRef", {}).get("name") for e in container(name)["envFrom"]]
        assert "orderctl-migration" not in refs
        assert "orderctl-migration" not in (DEPLOY / name).read_text()
    (database_url,) = [e for e in container("migrate-job.yaml")["env"] if e["name"] == "DATABASE_URL"]
    assert database_url["valueFrom"]["secretKeyRef"] == {
        "name": "orderctl-migration",
        "key": "MIGRATION_DATABASE_URL",
    }


def test_the_secrets_hold_example_values_only():
    for name in ("secret.yaml", "migration-secret.yaml"):
        for key, value in manifest(name)["stringData"].items():
            assert "change-me" in value or key == "EMAIL_HOST_USER", (name, key)


def test_web_probes_readiness_and_liveness_apart_under_an_allowed_host():
    web = container("web.yaml")
    allowed = manifest("configmap.yaml")["data"]["ALLOWED_HOSTS"].split(",")
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz/"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/"
    for probe in ("readinessProbe", "livenessProbe"):
        (host,) = web[probe]["httpGet"]["httpHeaders"]
        assert host["name"] == "Host" and host["value"] in allowed
    assert manifest("web.yaml")["spec"]["replicas"] >= 2


def test_a_web_pod_leaving_turns_unready_first_and_has_time_to_finish_its_requests():
    web = container("web.yaml")
    (shell, flag, script) = web["lifecycle"]["preStop"]["exec"]["command"]
    assert (shell, flag) == ("/bin/sh", "-c")
    assert script.startswith('touch "$DRAIN_FILE" && sleep ')
    (tmp,) = [m["mountPath"] for m in web["volumeMounts"] if m["name"] == "tmp"]  # a writable emptyDir
    assert manifest("configmap.yaml")["data"]["DRAIN_FILE"].startswith(tmp + "/")
    waits = int(script.rsplit(" ", 1)[1])
    # The readiness probe notices the drain file before preStop's wait ends ...
    probe = web["readinessProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] < waits
    # ... and the pod is given the wait plus gunicorn's graceful timeout before it is killed.
    grace = manifest("web.yaml")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > waits + GRACEFUL_TIMEOUT
    assert "--config" in web["command"] and "python:orderctl.gunicorn" in web["command"]


def test_beat_is_one_replica_recreated_and_everything_has_resources():
    beat = manifest("beat.yaml")["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"] == {"type": "Recreate"}
    for name in ("web.yaml", "worker.yaml", "beat.yaml", "migrate-job.yaml"):
        limits = container(name)["resources"]
        assert {"cpu", "memory"} <= set(limits["requests"]) and "memory" in limits["limits"]


def test_the_service_and_the_disruption_budget_select_the_web_pods():
    labels = manifest("web.yaml")["spec"]["template"]["metadata"]["labels"]
    assert manifest("web-service.yaml")["spec"]["selector"] == labels
    pdb = manifest("web-pdb.yaml")["spec"]
    assert pdb["selector"]["matchLabels"] == labels
    assert pdb["maxUnavailable"] < manifest("web.yaml")["spec"]["replicas"]
