"""Evidence on S3-compatible storage (django-storages), against a real S3 server: moto's server mode,
started by the test on a free port. The bucket is created, a file attached through the action, read back
with boto3 and through the download view; the object is private and the storage makes no URL."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
from django.urls import reverse

from directives import actions, files
from directives.models import EvidenceFile
from tests.test_settings import run_django

from . import samples
from .conftest import upload

BUCKET = "orderctl-evidence"
CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """Start moto's S3-compatible server; yield its endpoint URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and an installed module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3(settings, s3_server):
    """Create a fresh bucket and point the evidence storage at it; return a boto3 client."""
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **CREDENTIALS)
    bucket = f"{BUCKET}-{time.monotonic_ns()}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "directives.files.s3.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    client.bucket = bucket
    return client


def test_an_attached_file_is_stored_in_the_bucket_privately_and_read_back(s3, client, directive, cisa_editor):
    d = directive("2(c)(i)")
    data = samples.pdf()
    evidence = actions.attach_evidence(d, upload("BOD 26-01.pdf", data), actor=cisa_editor)

    assert evidence.storage_key.startswith(f"evidence/{d.order_id}/{d.pk}/")
    [listed] = s3.list_objects_v2(Bucket=s3.bucket)["Contents"]
    assert listed["Key"] == evidence.storage_key
    stored = s3.get_object(Bucket=s3.bucket, Key=evidence.storage_key)["Body"].read()
    assert stored == data and hashlib.sha256(stored).hexdigest() == evidence.sha256
    # No grant to everyone: the object is readable with the bucket's credentials only.
    grants = s3.get_object_acl(Bucket=s3.bucket, Key=evidence.storage_key)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    with pytest.raises(files.PublicURLRefused):
        files.evidence_storage().url(evidence.storage_key)

    client.force_login(cisa_editor)
    response = client.get(reverse("evidence_download", args=[d.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data


def test_a_refused_file_never_reaches_the_bucket(s3, directive, cisa_editor):
    with pytest.raises(Exception, match="its content is a PNG image"):
        actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", samples.png()), actor=cisa_editor)
    assert s3.list_objects_v2(Bucket=s3.bucket).get("KeyCount") == 0
    assert not EvidenceFile.objects.exists()


# --- The settings fail closed -------------------------------------------------------------------------


def test_s3_storage_without_its_bucket_or_keys_refuses_to_start():
    result = run_django("", DEBUG="true", EVIDENCE_STORAGE="s3", EVIDENCE_S3_BUCKET="b")
    assert result.returncode != 0
    assert (
        "EVIDENCE_STORAGE=s3 needs EVIDENCE_S3_BUCKET, EVIDENCE_S3_ACCESS_KEY_ID and "
        "EVIDENCE_S3_SECRET_ACCESS_KEY (or _FILE); missing: access_key, secret_key"
    ) in result.stderr


def test_production_refuses_a_plain_http_s3_endpoint():
    result = run_django(
        "",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="tracker.example.gov",
        EVIDENCE_STORAGE="s3",
        EVIDENCE_S3_BUCKET="b",
        EVIDENCE_S3_ACCESS_KEY_ID="k",
        EVIDENCE_S3_SECRET_ACCESS_KEY="s",
        EVIDENCE_S3_ENDPOINT_URL="http://minio.internal:9000",
    )
    assert result.returncode != 0
    assert "EVIDENCE_S3_ENDPOINT_URL must be an https:// address when DEBUG is false" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVIDENCE_STORAGE": "ftp"}, "EVIDENCE_STORAGE must be 'local' or 's3', not 'ftp'"),
        ({"EVIDENCE_SCANNER": "tcp://av:3310"}, "EVIDENCE_SCANNER must be empty (off), clamd://host:port"),
        ({"EVIDENCE_MAX_BYTES": "0"}, "EVIDENCE_MAX_BYTES must be at least 1"),
    ],
)
def test_bad_evidence_settings_refuse_to_start(env, message):
    result = run_django("", DEBUG="true", **env)
    assert result.returncode != 0 and message in result.stderr


def test_the_default_evidence_folder_is_private_under_the_data_folder(tmp_path):
    code = (
        "from django.conf import settings; from directives.files import evidence_storage; "
        "print(evidence_storage().location, settings.MEDIA_ROOT or '-')"
    )
    result = run_django(code, DEBUG="true", DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == str(tmp_path / "evidence")
