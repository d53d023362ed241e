"""Evidence on the directive page and in the API: upload, list, download (signed in only, streamed as an
attachment with the sniffed type and nosniff), and every refusal as a 400 at the file field."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from directives import actions
from directives.models import DirectiveEvent, EvidenceFile
from tests.api.conftest import token_client

from . import samples
from .conftest import stored_files, upload


def _page(d) -> str:
    return reverse("directive_detail", args=[d.pk])


def _upload(client, d, data: dict):
    """Send the directive page's evidence form: to the page's own address, naming the form."""
    return client.post(_page(d), {"form": "evidence", **data})


def _api_list(d) -> str:
    return reverse("api:directive-evidence-list", args=[d.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- The page ---------------------------------------------------------------------------------------


def test_a_reviewer_cites_an_attached_file_by_its_name_and_sha256(client, directive, cisa_editor, reviewer):
    d = directive("2(c)(i)")
    data = samples.pdf()  # made anew each call (its creation time differs): hash this one
    evidence = actions.attach_evidence(d, upload("BOD 26-01.pdf", data), actor=cisa_editor)
    actions.change_status(d, "completed", actor=cisa_editor)
    reference = f"BOD 26-01.pdf, SHA-256 {hashlib.sha256(data).hexdigest()}"
    assert evidence.reference == reference
    client.force_login(reviewer)
    page = client.get(_page(d)).content.decode()
    assert 'list="review-evidence-files"' in page
    assert f'<datalist id="review-evidence-files"><option value="{reference}"></option></datalist>' in page
    version = actions.version_of(directive("2(c)(i)"))
    response = client.post(
        _page(d),
        {
            "form": "review",
            "review-version": version,
            "review-review": "verified",
            "review-note": "Read it.",
            "review-evidence": reference,
        },
    )
    assert response.status_code == 302
    event = DirectiveEvent.objects.filter(directive=d).latest("seq")
    assert (event.kind, event.evidence_url) == ("verified", reference)


def test_an_editor_attaches_a_pdf_on_the_directive_page_and_anyone_signed_in_downloads_it(
    client, directive, cisa_editor, treasury_editor
):
    d = directive("2(c)(i)")
    client.force_login(cisa_editor)
    page = client.get(_page(d)).content.decode()
    assert (
        'enctype="multipart/form-data"' in page
        and '<input type="hidden" name="form" value="evidence">' in page
    )
    data = samples.pdf()
    response = _upload(client, d, {"file": upload("BOD 26-01.pdf", data, content_type="text/html")})
    assert response.status_code == 302 and response["Location"] == _page(d)
    evidence = EvidenceFile.objects.get()
    page = client.get(_page(d)).content.decode()
    download = reverse("evidence_download", args=[d.pk, evidence.pk])
    assert (
        f'href="{download}"' in page
        and evidence.sha256 in page
        and "Evidence attached: BOD 26-01.pdf" in page
    )

    # Treasury leads nothing here but reads every directive, and so its evidence.
    other = Client()
    other.force_login(treasury_editor)
    response = other.get(download)
    assert response.status_code == 200
    assert _body(response) == data
    assert response["Content-Type"] == "application/pdf"  # sniffed at upload, not the client's text/html
    assert response["Content-Disposition"] == 'attachment; filename="BOD 26-01.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_an_anonymous_visitor_is_sent_to_sign_in_and_gets_no_bytes(client, directive, cisa_editor):
    d = directive("2(c)(i)")
    evidence = actions.attach_evidence(d, upload("memo.pdf", samples.pdf()), actor=cisa_editor)
    response = client.get(reverse("evidence_download", args=[d.pk, evidence.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not getattr(response, "streaming", False)


def test_a_file_is_found_only_under_its_own_directive(client, directive, cisa_editor):
    evidence = actions.attach_evidence(
        directive("2(c)(i)"), upload("memo.pdf", samples.pdf()), actor=cisa_editor
    )
    client.force_login(cisa_editor)
    assert (
        client.get(reverse("evidence_download", args=[directive("2(a)").pk, evidence.pk])).status_code == 404
    )


def test_a_wrong_type_on_the_page_is_a_400_with_the_error_at_the_field(
    client, directive, cisa_editor, evidence_dir
):
    d = directive("2(c)(i)")
    client.force_login(cisa_editor)
    response = _upload(client, d, {"file": upload("memo.pdf", samples.png())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The file was not attached" in html
    assert 'id="id_file_error"' in html and "its content is a PNG image" in html
    assert not stored_files(evidence_dir) and not EvidenceFile.objects.exists()


def test_an_empty_form_is_a_400_naming_the_file_field(client, directive, cisa_editor):
    client.force_login(cisa_editor)
    response = _upload(client, directive("2(c)(i)"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_another_agency_cannot_upload_on_the_page(client, directive, treasury_editor, evidence_dir):
    client.force_login(treasury_editor)
    response = _upload(client, directive("2(c)(i)"), {"file": upload("memo.pdf", samples.pdf())})
    assert response.status_code == 403
    assert not stored_files(evidence_dir) and not EvidenceFile.objects.exists()


def test_only_the_lead_editors_see_the_upload_form(client, directive, treasury_editor):
    client.force_login(treasury_editor)
    page = client.get(_page(directive("2(c)(i)"))).content.decode()
    assert "No evidence files attached." in page
    assert 'name="form" value="evidence"' not in page


# --- The API ----------------------------------------------------------------------------------------


def test_the_api_takes_a_multipart_upload_and_lists_it_with_its_download_url(as_cisa, as_treasury, directive):
    d = directive("2(c)(i)")
    data = samples.office("word")
    response = as_cisa.post(_api_list(d), {"file": upload("plan.docx", data)}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    digest = hashlib.sha256(data).hexdigest()
    assert (body["name"], body["sha256"], body["size"], body["uploaded_by"]) == (
        "plan.docx",
        digest,
        len(data),
        "cisa-editor",
    )
    assert body["content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (
        body["download_url"] == f"http://testserver/api/v1/directives/{d.pk}/evidence/{body['id']}/download/"
    )
    assert DirectiveEvent.objects.get(pk=body["event"]).kind == "evidence_added"

    # The directive's representation lists it, and another agency's token downloads it.
    detail = as_treasury.get(reverse("api:directive-detail", args=[d.pk])).json()
    assert detail["evidence"] == [body]
    assert as_treasury.get(_api_list(d)).json() == [body]
    download = as_treasury.get(body["download_url"])
    assert download.status_code == 200 and _body(download) == data
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="plan.docx"'


def test_the_api_refuses_bad_files_at_the_file_field_and_stores_nothing(
    settings, as_cisa, directive, evidence_dir
):
    d = directive("2(c)(i)")
    settings.EVIDENCE_MAX_BYTES = 2000
    cases = {
        "memo.pdf": (samples.plain_zip(), "content is application/zip (zip), which cannot be attached"),
        "photo.png": (samples.jpeg(), "its content is a JPEG image: its name must end with .jpg or .jpeg"),
        "big.txt": (b"x" * 2001, "The file is 2,001 bytes"),
    }
    for name, (data, says) in cases.items():
        response = as_cisa.post(_api_list(d), {"file": upload(name, data)}, format="multipart")
        assert response.status_code == 400, name
        assert list(response.json()) == ["file"] and says in response.json()["file"][0], response.json()
    with samples.scanner_double() as (address, _):
        settings.EVIDENCE_SCANNER = address
        response = as_cisa.post(
            _api_list(d), {"file": upload("eicar.txt", samples.EICAR)}, format="multipart"
        )
    assert response.status_code == 400
    assert response.json() == {
        "file": ["The virus scanner flagged this file (Eicar-Test-Signature); it was not stored."]
    }
    assert not stored_files(evidence_dir) and not EvidenceFile.objects.exists()


def test_the_api_refuses_a_body_without_a_file_and_unknown_fields(as_cisa, directive):
    d = directive("2(c)(i)")
    response = as_cisa.post(_api_list(d), {"file": "x"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["file"]
    assert as_cisa.post(_api_list(d), {}, format="json").json() == {"file": ["No file was submitted."]}
    response = as_cisa.post(
        _api_list(d), {"file": upload("a.txt", b"text"), "sha256": "0" * 64}, format="multipart"
    )
    assert response.status_code == 400 and "sha256" in response.json()
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("persona", ["as_treasury", "as_oncd", "as_reviewer"])
def test_the_api_refuses_uploads_from_other_agencies_and_reviewers(request, persona, directive, evidence_dir):
    client = request.getfixturevalue(persona)
    response = client.post(
        _api_list(directive("2(c)(i)")), {"file": upload("memo.pdf", samples.pdf())}, format="multipart"
    )
    assert response.status_code == 403
    assert not stored_files(evidence_dir) and not EvidenceFile.objects.exists()


def test_a_read_only_token_lists_and_downloads_but_cannot_upload(cisa_editor, directive):
    d = directive("2(c)(i)")
    evidence = actions.attach_evidence(d, upload("memo.txt", b"the memo"), actor=cisa_editor)
    client = token_client(cisa_editor, read_only=True)
    assert (
        client.post(_api_list(d), {"file": upload("a.txt", b"text")}, format="multipart").status_code == 403
    )
    url = reverse("api:directive-evidence-download", args=[d.pk, evidence.pk])
    assert _body(client.get(url)) == b"the memo"


def test_anonymous_api_requests_get_401_and_no_bytes(anonymous, cisa_editor, directive):
    d = directive("2(c)(i)")
    evidence = actions.attach_evidence(d, upload("memo.txt", b"the memo"), actor=cisa_editor)
    response = anonymous.get(reverse("api:directive-evidence-download", args=[d.pk, evidence.pk]))
    assert response.status_code == 401 and b"the memo" not in response.content
    assert anonymous.get(_api_list(d)).status_code == 401
