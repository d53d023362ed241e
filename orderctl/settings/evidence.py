"""Evidence files: their size limits, kinds, scanning and the private storage they are kept in."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .core import DATA_DIR, DEBUG, STORAGES
from .environment import _secret_from_env_or_file, env_int, env_str

# --- Evidence files (docs/evidence-and-reports.md) -----------------------------------------------------
# Documents attached to directives. Their bytes live in the "evidence" storage, never under a public
# URL: local files in a private folder (not MEDIA, which nothing serves) by default, or an
# S3-compatible bucket (django-storages). Only the download view streams them, to those who may read.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured(f"EVIDENCE_MAX_BYTES must be at least 1, not {EVIDENCE_MAX_BYTES}")
EVIDENCE_STORAGE = env_str("EVIDENCE_STORAGE", "local")
EVIDENCE_DIR = Path(env_str("EVIDENCE_DIR", str(DATA_DIR / "evidence")))
if EVIDENCE_STORAGE == "local":
    STORAGES["evidence"] = {
        "BACKEND": "directives.files.storing.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(EVIDENCE_DIR)},
    }
elif EVIDENCE_STORAGE == "s3":
    _s3 = {
        "bucket_name": env_str("EVIDENCE_S3_BUCKET"),
        "access_key": env_str("EVIDENCE_S3_ACCESS_KEY_ID"),
        "secret_key": _secret_from_env_or_file("EVIDENCE_S3_SECRET_ACCESS_KEY"),
    }
    _missing = [name for name, value in _s3.items() if not value]
    if _missing:
        raise ImproperlyConfigured(
            "EVIDENCE_STORAGE=s3 needs EVIDENCE_S3_BUCKET, EVIDENCE_S3_ACCESS_KEY_ID and "
            "EVIDENCE_S3_SECRET_ACCESS_KEY (or _FILE); missing: " + ", ".join(_missing)
        )
    _endpoint = env_str("EVIDENCE_S3_ENDPOINT_URL")
    if _endpoint and not _endpoint.startswith("https://" if not DEBUG else ("https://", "http://")):
        raise ImproperlyConfigured(
            f"EVIDENCE_S3_ENDPOINT_URL must be an https:// address when DEBUG is false, not {_endpoint!r}"
        )
    STORAGES["evidence"] = {
        "BACKEND": "directives.files.s3.PrivateS3Storage",
        "OPTIONS": {
            **_s3,
            "endpoint_url": _endpoint or None,
            "region_name": env_str("EVIDENCE_S3_REGION") or None,
            # Objects stay private: no public-read ACL, signed URLs only (and the app asks for none).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env_str("EVIDENCE_S3_PREFIX", ""),
        },
    }
else:
    raise ImproperlyConfigured(f"EVIDENCE_STORAGE must be 'local' or 's3', not {EVIDENCE_STORAGE!r}")
# The virus scan: off when empty; "clamd://host:3310" (TCP) or "clamd:///run/clamav/clamd.ctl" (a Unix
# socket) sends each upload to clamd's INSTREAM command first. An unreachable scanner refuses the upload.
EVIDENCE_SCANNER = env_str("EVIDENCE_SCANNER", "")
if EVIDENCE_SCANNER and not EVIDENCE_SCANNER.startswith("clamd://"):
    raise ImproperlyConfigured(
        "EVIDENCE_SCANNER must be empty (off), clamd://host:port or clamd:///path/to/socket, "
        f"not {EVIDENCE_SCANNER!r}"
    )
EVIDENCE_SCANNER_TIMEOUT = env_int("EVIDENCE_SCANNER_TIMEOUT", 60)
