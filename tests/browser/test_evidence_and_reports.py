"""Evidence files and the as-of report in a real browser, as a new user would meet them (axe per page)."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from directives.models import Directive, EvidenceFile
from tests.evidence import samples

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**settings.STORAGES["evidence"], "OPTIONS": {"location": str(tmp_path / "evidence")}},
    }


def test_a_cisa_editor_attaches_a_pdf_and_downloads_it_again(
    page, live_server, sign_in, check_page, cisa_editor, tmp_path
):
    pdf = tmp_path / "BOD 26-01.pdf"
    pdf.write_bytes(samples.pdf())
    disguised = tmp_path / "memo.pdf"
    disguised.write_bytes(samples.png())
    d = Directive.objects.get(ref="2(c)(i)")

    sign_in(page, "cisa-editor")
    page.goto(f"{live_server.url}/directives/{d.pk}/")
    expect(page.get_by_role("heading", name="Evidence files")).to_be_visible()
    check_page(page, "1-no-evidence")

    page.get_by_label("Evidence file", exact=True).set_input_files(str(disguised))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator("#id_file_error")).to_contain_text("its content is a PNG image")
    check_page(page, "2-refused")
    assert not EvidenceFile.objects.exists()

    page.get_by_label("Evidence file", exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("status")).to_contain_text("Attached BOD 26-01.pdf to 2(c)(i)")
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    expect(page.locator(".orderctl-evidence")).to_contain_text(digest)
    expect(page.locator(".orderctl-timeline__item").first).to_contain_text(f"SHA-256 {digest}")
    check_page(page, "3-attached")

    with page.expect_download() as download:
        page.get_by_role("link", name="BOD 26-01.pdf").click()
    assert download.value.suggested_filename == "BOD 26-01.pdf"
    assert hashlib.sha256(download.value.path().read_bytes()).hexdigest() == digest


def test_a_reviewer_reads_the_report_as_of_a_date(page, live_server, sign_in, check_page, reviewer, today):
    sign_in(page, "reviewer")
    page.goto(f"{live_server.url}/orders/14409/")
    page.get_by_role("link", name="status report as of a date").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("as of")
    check_page(page, "1-today")

    page.get_by_label("As of", exact=True).fill("2026-06-02")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("as of Tue 2026-06-02")
    expect(page.get_by_role("columnheader", name="Verified or claimed")).to_be_visible()
    check_page(page, "2-signing-day")

    page.goto(f"{live_server.url}/orders/14409/report/?as_of=2026-06-01")
    expect(page.get_by_role("alert")).to_contain_text("was signed on Tue 2026-06-02")
    check_page(page, "3-before-signing")
