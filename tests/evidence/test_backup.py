"""Evidence files in backups: export_history writes each file's record (name, type, size, SHA-256,
storage key, the event that chained it); import_history restores them, checked against their events.
The bytes stay in the evidence storage, which a restore points at again."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from directives import actions
from directives.history import proof
from directives.models import EvidenceFile

from . import samples
from .conftest import upload


def command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_evidence_files_round_trip_through_a_backup_and_download_again(
    tmp_path, client, directive, cisa_editor
):
    data = samples.pdf()
    evidence = actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", data), actor=cisa_editor)
    before = list(EvidenceFile.objects.values())
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    [line] = [json.loads(t) for t in file.read_text().splitlines() if '"type":"evidence"' in t]
    assert line == {
        "type": "evidence",
        "id": evidence.pk,
        "name": "memo.pdf",
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": evidence.sha256,
        "storage_key": evidence.storage_key,
        "created": line["created"],
        "order": 14409,
        "directive": "2(c)(i)",
        "event_seq": evidence.event.seq,
        "uploaded_by": cisa_editor.pk,
    }

    call_command("flush", interactive=False, verbosity=0)
    output = command("import_history", str(file))
    assert ", 1 evidence file," in output
    assert list(EvidenceFile.objects.values()) == before
    assert proof.verify().ok

    # The bytes never left the storage: the restored record serves them again.
    user = type(cisa_editor).objects.get(pk=cisa_editor.pk)
    user.is_active = True  # restored people come back inactive
    user.save()
    client.force_login(user)
    response = client.get(reverse("evidence_download", args=[evidence.directive_id, evidence.pk]))
    assert b"".join(response.streaming_content) == data


@pytest.mark.django_db(transaction=True)
def test_a_backup_whose_evidence_disagrees_with_its_event_is_refused(tmp_path, directive, cisa_editor):
    actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=cisa_editor)
    file = tmp_path / "backup.jsonl"
    command("export_history", "--output", str(file))
    lines = [json.loads(t) for t in file.read_text().splitlines()]
    for line in lines:
        if line["type"] == "evidence":
            line["sha256"] = "f" * 64  # another file's hash: the event chained this one's
    file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError) as caught:
        command("import_history", str(file))
    assert "field 'sha256': the file's name, type, size or SHA-256 differs from its event's" in str(
        caught.value
    )
    assert not EvidenceFile.objects.exists()
