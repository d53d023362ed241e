"""The as-of report's extension trail: each extension granted and each request denied by the report's
date, with who asked and who decided, in US Eastern time with the zone named, on the page, CSV and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from directives import actions, deadlines
from directives.publishing import reports

from .as_of import _url, at, row


@pytest.fixture
def extended(directive, treasury_editor, reviewer, admin_user):
    """2(d) (due Jul 2): Treasury's editor asks Jun 10 for Jul 20, the reviewer approves it Jun 12 at
    9:30 am Eastern; asked again Jul 1 for Aug 31, denied Jul 2; an administrator extends it to Sep 30
    directly on Aug 3 at 4 pm Eastern."""
    with at(dt.date(2026, 6, 10)):
        first = actions.request_extension(
            directive("2(d)"), dt.date(2026, 7, 20), actor=treasury_editor, justification="Procurement."
        )
    with time_machine.travel(dt.datetime(2026, 6, 12, 9, 30, tzinfo=deadlines.EASTERN), tick=False):
        actions.approve_extension(first, actor=reviewer)
    with at(dt.date(2026, 7, 1)):
        second = actions.request_extension(
            directive("2(d)"), dt.date(2026, 8, 31), actor=treasury_editor, justification="Again."
        )
    with at(dt.date(2026, 7, 2)):
        actions.deny_extension(second, actor=reviewer, reason="No new reason.")
    with time_machine.travel(dt.datetime(2026, 8, 3, 16, 0, tzinfo=deadlines.EASTERN), tick=False):
        actions.extend_deadline(
            directive("2(d)"), dt.date(2026, 9, 30), actor=admin_user, justification="By the Secretary."
        )


def test_the_report_lists_each_extension_granted_by_its_date_with_who_asked_and_who_approved(order, extended):
    assert row(reports.build(order, dt.date(2026, 6, 11)), "2(d)").extensions == ()
    [approved] = row(reports.build(order, dt.date(2026, 7, 1)), "2(d)").extensions  # asked, not decided
    assert (approved.old_due_on, approved.new_due_on, approved.requested_by, approved.decided_by) == (
        "2026-07-02",
        "2026-07-20",
        "treasury-editor",
        "reviewer",
    )
    assert approved.decided_time == "Fri 2026-06-12 09:30 EDT (America/New_York)"
    august = reports.build(order, dt.date(2026, 8, 3))
    first, _denied, direct = row(august, "2(d)").extensions
    assert first == approved
    assert (direct.old_due_on, direct.new_due_on, direct.requested_by, direct.decided_by) == (
        "2026-07-20",
        "2026-09-30",
        "",
        "admin",
    )
    assert [r.ref for r in august.extended_rows()] == ["2(d)"]


def test_the_page_csv_and_pdf_show_the_extension_trail_in_eastern_time_the_zone_named(
    client, reviewer, order, extended
):
    client.force_login(reviewer)
    html = client.get(_url("order_report", "2026-08-03")).content.decode()
    trail = html.split('data-report="extensions"', 1)[1].split("</table>", 1)[0]
    assert (
        '<th scope="row">2(d)</th>\n      <td><time datetime="2026-07-02">Thu 2026-07-02</time></td>\n'
        '      <td><time datetime="2026-07-20">Mon 2026-07-20</time></td>\n'
        "      <td>treasury-editor</td>\n      <td>reviewer</td>\n"
        '      <td><time datetime="2026-06-12T09:30:00-04:00">Fri 2026-06-12 09:30 EDT (America/New_York)'
        "</time></td>" in trail
    )
    assert "<td>no request (extended directly)</td>\n      <td>admin</td>" in trail
    assert "Mon 2026-08-03 16:00 EDT (America/New_York)" in trail
    earlier = client.get(_url("order_report", "2026-06-11")).content.decode()
    assert "No deadline was extended, and no request denied, by that day." in earlier

    body = client.get(_url("order_report_csv", "2026-08-03")).content.decode()
    lines = {line["ref"]: line for line in csv.DictReader(io.StringIO(body))}
    assert lines["2(d)"]["extensions"] == (
        "2026-07-02 to 2026-07-20, requested by treasury-editor, approved by reviewer on "
        "Fri 2026-06-12 09:30 EDT (America/New_York); denied: 2026-08-31 asked for (due 2026-07-20), "
        "requested by treasury-editor, denied by reviewer on Thu 2026-07-02 12:00 EDT (America/New_York): "
        "No new reason.; 2026-07-20 to 2026-09-30, extended without a "
        "request, approved by admin on Mon 2026-08-03 16:00 EDT (America/New_York)"
    )
    assert lines["2(b)"]["extensions"] == ""

    pdf = client.get(_url("order_report_pdf", "2026-08-03")).content
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    header = (
        "Extensions Sec. Due date before Extended to (or asked for) Requested by Decided by Decided Decision"
    )
    trail = flat.split(header, 1)[1]
    assert "2(d) Thu 2026-07-02 Mon 2026-07-20 treasury-editor reviewer Fri 2026-06-12 09:30 EDT" in trail
    direct = "Mon 2026-07-20 Wed 2026-09-30 no request (extended directly) admin Mon 2026-08-03 16:00 EDT"
    assert direct in trail


def test_the_report_lists_each_request_denied_by_its_date_marked_denied_with_who_asked_and_who_denied(
    order, extended
):
    assert [e.decision for e in row(reports.build(order, dt.date(2026, 7, 1)), "2(d)").extensions] == [
        "approved"
    ]
    first, denied, direct = row(reports.build(order, dt.date(2026, 8, 3)), "2(d)").extensions
    assert (first.decision, denied.decision, direct.decision) == ("approved", "denied", "approved")
    assert (denied.old_due_on, denied.new_due_on, denied.requested_by, denied.decided_by, denied.reason) == (
        "2026-07-20",
        "2026-08-31",
        "treasury-editor",
        "reviewer",
        "No new reason.",
    )
    assert denied.decided_time == "Thu 2026-07-02 12:00 EDT (America/New_York)"
    # Denied, it moved nothing: the deadline then was the approved one, until the direct extension.
    assert row(reports.build(order, dt.date(2026, 7, 2)), "2(d)").due_on == "2026-07-20"


def test_the_page_csv_and_pdf_list_the_denied_request_marked_denied_in_eastern_time_the_zone_named(
    client, reviewer, order, extended
):
    client.force_login(reviewer)
    html = client.get(_url("order_report", "2026-07-02")).content.decode()
    trail = html.split('data-report="extensions"', 1)[1].split("</table>", 1)[0]
    assert (
        '<th scope="row">2(d)</th>\n      <td><time datetime="2026-07-20">Mon 2026-07-20</time></td>\n'
        '      <td><time datetime="2026-08-31">Mon 2026-08-31</time></td>\n'
        "      <td>treasury-editor</td>\n      <td>reviewer</td>\n"
        '      <td><time datetime="2026-07-02T12:00:00-04:00">Thu 2026-07-02 12:00 EDT (America/New_York)'
        '</time></td>\n      <td data-decision="denied"><strong>Denied</strong>: No new reason.</td>' in trail
    )
    assert '<td data-decision="approved">Approved</td>' in trail

    body = client.get(_url("order_report_csv", "2026-07-02")).content.decode()
    line = {r["ref"]: r for r in csv.DictReader(io.StringIO(body))}["2(d)"]
    assert line["extensions"].endswith(
        "; denied: 2026-08-31 asked for (due 2026-07-20), requested by treasury-editor, denied by reviewer "
        "on Thu 2026-07-02 12:00 EDT (America/New_York): No new reason."
    )

    pdf = client.get(_url("order_report_pdf", "2026-07-02")).content
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    trail = flat.split("Decided by Decided Decision", 1)[1]
    assert (
        "2(d) Mon 2026-07-20 Mon 2026-08-31 treasury-editor reviewer Thu 2026-07-02 12:00 EDT "
        "(America/New_York) Denied: No new reason." in trail
    )
