"""What a Django process of orderctl imports when it starts (the server's workers, Celery, commands).

fpdf2 (the PDF brief), compliance-trestle (the POA&M) and boto3 (S3 evidence) took about 1.2 s of the
1.8 s of CPU a start cost; they are imported where they are used, so a start leaves them out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.image_steps import ROOT

HEAVY = ("fpdf", "fontTools", "trestle", "boto3", "botocore", "storages.backends.s3")

START = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as the first request imports them
print(json.dumps(sorted(sys.modules)))
"""


def test_a_process_starts_without_the_pdf_the_oscal_or_the_s3_libraries():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "orderctl.settings", "DEBUG": "true"}
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert "directives.publishing.brief" in loaded and "directives.publishing.oscal" in loaded
    assert heavy == []
