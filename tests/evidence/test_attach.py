"""Attaching evidence: the bytes decide the type, the size is capped, the scanner may refuse, only the
lead's editors attach, and each file's SHA-256 is in the history chain that verify_history checks."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from directives import actions, files, history
from directives.history import proof
from directives.models import DirectiveEvent, EvidenceFile
from tests.directives.test_history import tamper

from . import samples
from .conftest import stored_files, upload


def nothing_written(folder, events_before: int) -> bool:
    return (
        not stored_files(folder)
        and EvidenceFile.objects.count() == 0
        and DirectiveEvent.objects.count() == events_before
    )


def refusal(directive, cisa_editor, name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        actions.attach_evidence(directive, upload(name, data, **kwargs), actor=cisa_editor)
    assert list(caught.value.message_dict) == ["file"]
    return " ".join(caught.value.message_dict["file"])


def test_it_attaches_a_pdf_stores_its_bytes_and_chains_its_sha256(directive, cisa_editor, evidence_dir):
    data = samples.pdf()
    evidence = actions.attach_evidence(directive("2(c)(i)"), upload("BOD 26-01.pdf", data), actor=cisa_editor)

    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.name, evidence.content_type, evidence.size, evidence.sha256) == (
        "BOD 26-01.pdf",
        "application/pdf",
        len(data),
        digest,
    )
    [path] = stored_files(evidence_dir)
    assert path.read_bytes() == data
    assert hashlib.sha256(files.evidence_storage().open(evidence.storage_key).read()).hexdigest() == digest
    event = evidence.event
    assert event.kind == DirectiveEvent.Kind.EVIDENCE_ADDED
    assert (
        event.note
        == f"Evidence attached: BOD 26-01.pdf (application/pdf, {len(data):,} bytes), SHA-256 {digest}"
    )
    assert (event.actor, event.agency.abbreviation) == (cisa_editor, "CISA")
    # The note is in the hash the chain covers, and the whole record still proves itself.
    assert history.digest({**_record(event)}) == event.hash
    assert proof.verify().ok


def _record(event: DirectiveEvent) -> dict:
    [stored] = [s for s in history.stored_events(event.order.number) if s.record["seq"] == event.seq]
    return stored.record


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("memo.pdf", samples.pdf, "application/pdf"),
        ("plan.docx", lambda: samples.office("word"), files.sniffing.DOCX),
        ("inventory.xlsx", lambda: samples.office("xl"), files.sniffing.XLSX),
        ("briefing.pptx", lambda: samples.office("ppt"), files.sniffing.PPTX),
        ("screenshot.png", samples.png, "image/png"),
        ("photo.jpeg", samples.jpeg, "image/jpeg"),
        ("photo.JPG", samples.jpeg, "image/jpeg"),
        ("notes.txt", lambda: "Cyber incident reporting memo — signed.\n".encode(), "text/plain"),
    ],
)
def test_it_accepts_each_allowed_type_by_its_content(directive, cisa_editor, name, make, expected):
    # The client claims something else every time: the bytes decide.
    evidence = actions.attach_evidence(
        directive("2(c)(i)"), upload(name, make(), content_type="application/x-whatever"), actor=cisa_editor
    )
    assert evidence.content_type == expected


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("tool.exe", samples.executable, "application/x-msdownload (exe)"),
        ("archive.zip", samples.plain_zip, "application/zip (zip)"),
        ("report.pdf", samples.plain_zip, "application/zip (zip)"),  # a zip named like a PDF
        ("latin1.txt", lambda: "café".encode("latin-1"), "unrecognised binary data"),
    ],
)
def test_it_refuses_a_type_that_is_not_allowed_and_stores_nothing(
    directive, cisa_editor, evidence_dir, name, make, says
):
    before = DirectiveEvent.objects.count()
    message = refusal(directive("2(c)(i)"), cisa_editor, name, make())
    assert f"The file's content is {says}" in message
    assert nothing_written(evidence_dir, before)


def test_it_refuses_a_name_that_disagrees_with_the_content(directive, cisa_editor, evidence_dir):
    before = DirectiveEvent.objects.count()
    message = refusal(
        directive("2(c)(i)"), cisa_editor, "memo.pdf", samples.png(), content_type="application/pdf"
    )
    assert (
        message == "The file is named 'memo.pdf' but its content is a PNG image: its name must end with .png."
    )
    assert nothing_written(evidence_dir, before)


def test_it_refuses_a_file_over_the_size_limit(settings, directive, cisa_editor, evidence_dir):
    settings.EVIDENCE_MAX_BYTES = 1000
    before = DirectiveEvent.objects.count()
    message = refusal(directive("2(c)(i)"), cisa_editor, "big.txt", b"a" * 1001)
    assert message == "The file is 1,001 bytes; the most allowed is 1,000 bytes (0 MB)."
    assert nothing_written(evidence_dir, before)
    # Exactly at the limit is allowed.
    actions.attach_evidence(directive("2(c)(i)"), upload("ok.txt", b"a" * 1000), actor=cisa_editor)


def test_it_refuses_an_empty_file(directive, cisa_editor, evidence_dir):
    before = DirectiveEvent.objects.count()
    assert refusal(directive("2(c)(i)"), cisa_editor, "empty.txt", b"") == "The file is empty."
    assert nothing_written(evidence_dir, before)


def test_it_keeps_only_the_file_name_of_a_path(directive, cisa_editor):
    evidence = actions.attach_evidence(
        directive("2(c)(i)"), upload("..\\..\\etc/memo.txt", b"text"), actor=cisa_editor
    )
    assert evidence.name == "memo.txt"
    assert "memo" not in evidence.storage_key  # the storage key is ours, never the client's


@pytest.mark.parametrize("persona", ["treasury_editor", "oncd_editor", "reviewer", "outsider"])
def test_only_editors_of_the_lead_agency_attach(request, directive, evidence_dir, persona):
    user = request.getfixturevalue(persona)
    before = DirectiveEvent.objects.count()
    with pytest.raises(PermissionDenied):
        actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=user)
    assert nothing_written(evidence_dir, before)


def test_the_scanner_passes_a_clean_file(settings, directive, cisa_editor):
    with samples.scanner_double() as (address, scanned):
        settings.EVIDENCE_SCANNER = address
        data = samples.pdf()
        actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", data), actor=cisa_editor)
    assert scanned == [data]


def test_an_infected_file_gets_a_field_error_and_nothing_is_stored(
    settings, directive, cisa_editor, evidence_dir
):
    before = DirectiveEvent.objects.count()
    with samples.scanner_double() as (address, scanned):
        settings.EVIDENCE_SCANNER = address
        message = refusal(directive("2(c)(i)"), cisa_editor, "eicar.txt", samples.EICAR)
    assert message == "The virus scanner flagged this file (Eicar-Test-Signature); it was not stored."
    assert scanned == [samples.EICAR]
    assert nothing_written(evidence_dir, before)


def test_an_unreachable_scanner_refuses_the_upload(settings, directive, cisa_editor, evidence_dir):
    with samples.scanner_double() as (address, _):
        pass  # the port is closed again: nothing listens there
    settings.EVIDENCE_SCANNER = address
    before = DirectiveEvent.objects.count()
    message = refusal(directive("2(c)(i)"), cisa_editor, "memo.pdf", samples.pdf())
    assert message.startswith("The file could not be scanned for viruses")
    assert nothing_written(evidence_dir, before)


def test_the_storage_refuses_to_make_a_url(directive, cisa_editor):
    evidence = actions.attach_evidence(
        directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=cisa_editor
    )
    with pytest.raises(files.PublicURLRefused):
        files.evidence_storage().url(evidence.storage_key)


def test_verify_history_names_a_file_row_edited_after_the_fact(directive, cisa_editor):
    evidence = actions.attach_evidence(
        directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=cisa_editor
    )
    tamper("UPDATE directives_evidencefile SET sha256 = %s WHERE id = %s", ["0" * 64, evidence.pk])
    report = proof.verify()
    assert not report.ok
    [problem] = report.problems
    assert problem.startswith(
        f"EO 14409, directive 2(c)(i), evidence file {evidence.pk}, seq {evidence.event.seq}: "
    )
    assert "differs from its event" in problem


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "operation"),
    [("UPDATE directives_evidencefile SET sha256 = repeat('0', 64)", "UPDATE"),
     ("DELETE FROM directives_evidencefile", "DELETE")],
)  # fmt: skip
def test_on_postgresql_an_evidence_row_is_append_only(directive, cisa_editor, sql, operation):
    actions.attach_evidence(directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=cisa_editor)
    refused = pytest.raises(
        DatabaseError, match=f"directives_evidencefile is append-only: {operation} refused"
    )
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert EvidenceFile.objects.count() == 1
