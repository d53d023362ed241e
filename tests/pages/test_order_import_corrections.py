"""The import page's corrections: a directive the drafter missed added, bad input refused at its field,
the deadline's fields, a load the loader refuses shown at its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import deadlines
from directives.models import Directive
from directives.orderfile import parse_order_file

from .test_order_import import TEXT, _errors, added, drafted, field_of, post, review_data, written


def test_a_directive_the_drafter_missed_is_added_and_loaded(manager):
    data = added(manager)
    data.update(
        {
            "d-3-ref": "2(d)",
            "d-3-title": "Report on the orders counted",
            "d-3-leads": "OMB",
            "d-3-number": "90",
        }
    )
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    d = Directive.objects.with_agencies().get(order__number=99100, ref="2(d)")
    assert (d.title, [a.abbreviation for a in d.lead_agencies]) == ("Report on the orders counted", ["OMB"])
    assert (d.rule, d.due_on) == (deadlines.DaysAfterOrder(days=90), dt.date(2026, 6, 1))


def test_a_blank_added_directive_is_left_out(manager):
    data = added(manager)
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    assert Directive.objects.filter(order__number=99100).count() == 3


def test_an_added_directive_can_be_left_out_again(manager):
    data = added(manager)
    data.update({"d-3-ref": "2(d)", "d-3-title": "Half a thought", "d-3-DELETE": "on"})
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    assert not Directive.objects.filter(order__number=99100, ref="2(d)").exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"d-3-title": "Report on the orders counted"},
            {
                "id_d-3-ref_error": "This field is required.",
                "id_d-3-leads_error": "This field is required.",
            },
        ),
        (
            {"d-3-ref": "2(d)", "d-3-title": "Report", "d-3-leads": "OMB"},
            {"id_d-3-number_error": "Give the number of days."},
        ),
        (
            {"d-3-ref": "2(d)", "d-3-title": "Report", "d-3-leads": "OMB", "d-3-kind": "drafted"},
            {"id_d-3-kind_error": "Select a valid choice. drafted is not one of the available choices."},
        ),
        (
            {"d-3-ref": "2(d)", "d-3-title": "Report", "d-3-leads": "NOPE", "d-3-number": "9"},
            {"id_d-3-leads_error": "Unknown agency &#x27;NOPE&#x27;"},
        ),
    ],
    ids=["no section or lead", "no number", "as drafted", "unknown lead"],
)
def test_an_added_directive_with_a_field_wrong_is_refused_there_and_nothing_is_loaded(
    manager, changes, errors
):
    data = {**added(manager), **changes, "action": "load"}
    before = written()
    response = post(manager, data)
    assert response.status_code == 400
    assert {k: v for k, v in _errors(response) if k in errors} == errors
    assert written() == before


def test_adding_to_a_broken_form_is_a_400(manager):
    data = {**review_data(drafted(manager)), "action": "add", "d-TOTAL_FORMS": "x"}
    response = post(manager, data)
    assert response.status_code == 400
    assert "ManagementForm data is missing or has been tampered with." in response.content.decode()


def test_checking_shows_the_corrected_rule_and_loads_nothing(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(a)", "kind")] = "on_date"
    data[field_of(data, "2(a)", "date")] = "2026-12-31"
    data["action"] = "check"
    before = written()
    html = post(manager, data).content.decode()
    assert "The corrections make a valid order file." in html
    assert "Deadline now: by Thu 2026-12-31: Thu 2026-12-31." in html
    assert written() == before


def test_the_order_file_can_be_downloaded_with_the_corrections(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(c)", "leads")] = "OMB"
    data["action"] = "download"
    response = post(manager, data)
    assert response["Content-Disposition"] == 'attachment; filename="eo-99100.toml"'
    spec = parse_order_file(response.content.decode())
    assert {d.ref: d.leads for d in spec.directives} == {
        "2(a)": ("CISA",),
        "2(b)": ("TREASURY",),
        "2(c)": ("OMB",),
    }


def test_a_text_uploaded_as_a_file_is_drafted_the_same(manager):
    upload = SimpleUploadedFile("eo-99100.md", TEXT.encode(), content_type="text/markdown")
    response = post(manager, {"file": upload, "action": "draft"})
    assert response.status_code == 200
    data = review_data(response)
    assert (data["filename"], data[field_of(data, "2(a)", "leads")]) == ("eo-99100.md", "CISA")


# --- Bad input: at its field, nothing written ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Paste the order&#x27;s text, or upload a file of it."),
        ({"text": "   \n  "}, "text", "Paste the order&#x27;s text, or upload a file of it."),
        ({"text": "A shopping list: eggs, milk."}, "text", "This does not look like an executive order"),
        (
            {"text": TEXT.replace("Executive Order 99100 of", "Order of")},
            "number",
            "the text does not give the order",
        ),
        ({"text": TEXT, "number": "-3"}, "number", "Ensure this value is greater than or equal to 1."),
        ({"text": TEXT, "signed_on": "2026-02-30"}, "signed_on", "Enter a valid date."),
        ({"text": TEXT, "title": "x" * 301}, "title", "Ensure this value has at most 300 characters"),
        ({"text": "x" * 1_000_001}, "text", "The text is longer than 1,000 kB"),
        ({"text": "Sec. 1. \x00"}, "text", "Null characters are not allowed."),
    ],
    ids=[
        "empty",
        "blank",
        "not an order",
        "no number",
        "bad number",
        "bad date",
        "long title",
        "too long",
        "NUL",
    ],
)
def test_bad_text_is_refused_at_its_field(manager, data, field, message):
    before = written()
    response = post(manager, {**data, "action": "draft"})
    assert response.status_code == 400
    errors = dict(_errors(response))
    assert message in errors.get(f"id_{field}_error", ""), errors
    assert written() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("order.pdf", b"%PDF-1.7", "&#x27;order.pdf&#x27; is not a text file the drafter reads"),
        ("order.txt", b"", "The submitted file is empty."),
        ("order.txt", b"Sec. 1.\x00\x01\x02", "The file is binary, not text"),
        ("order.txt", "Sec. 1. Café".encode("latin-1"), "The file cannot be read as UTF-8 (byte 11)"),
        ("order.txt", b"x" * 1_000_001, "The file is 1,000 kB; the limit is 1,000 kB."),
    ],
    ids=["not text", "empty", "binary", "not UTF-8", "too large"],
)
def test_a_bad_upload_is_refused_at_the_file_field(manager, name, content, message):
    before = written()
    response = post(manager, {"file": SimpleUploadedFile(name, content), "action": "draft"})
    assert response.status_code == 400
    assert message in dict(_errors(response)).get("id_file_error", ""), _errors(response)
    assert written() == before


def test_a_file_and_a_text_together_are_refused(manager):
    response = post(
        manager, {"file": SimpleUploadedFile("a.txt", TEXT.encode()), "text": TEXT, "action": "draft"}
    )
    assert (
        dict(_errors(response))["id_text_error"]
        == "Give the text one way: upload a file or paste it, not both."
    )


@pytest.mark.parametrize(
    ("ref", "changes", "name", "message"),
    [
        ("2(a)", {"leads": "NOPE"}, "leads", "Unknown agency &#x27;NOPE&#x27;"),
        ("2(a)", {"leads": " , "}, "leads", "Name at least one lead agency."),
        ("2(b)", {"ref": "2(a)"}, "ref", "Duplicate ref &#x27;2(a)&#x27;"),
        ("2(b)", {"ref": "2(b)#2"}, "ref", "Must not contain &#x27;#&#x27;"),
        ("2(b)", {"parent": "9"}, "parent", "No directive has the ref &#x27;9&#x27;"),
        ("2(b)", {"title": ""}, "title", "This field is required."),
        ("2(b)", {"kind": "weekly"}, "kind", "Select a valid choice. weekly is not one of the available"),
        ("2(b)", {"kind": "drafted"}, "kind", "Select a valid choice. drafted is not one of the available"),
        ("2(b)", {"kind": ""}, "kind", "This field is required."),
        ("2(b)", {"number": ""}, "number", "Give the number of months."),
        ("2(b)", {"number": "six"}, "number", "Enter a whole number."),
        ("2(b)", {"number": "-6"}, "number", "Ensure this value is greater than or equal to 0."),
        ("2(b)", {"number": "0"}, "number", "Must be at least 1."),
        ("2(b)", {"number": "36501"}, "number", "Ensure this value is less than or equal to 36500."),
        ("2(b)", {"unit": "weeks"}, "unit", "Select a valid choice. weeks is not one of the available"),
        ("2(b)", {"kind": "on_date", "date": ""}, "date", "Give the date of a deadline by a date."),
        ("2(b)", {"kind": "on_date", "date": "2026-02-30"}, "date", "Enter a valid date."),
        ("2(b)", {"kind": "after_directive"}, "anchor", "Give the section of the directive the time counts"),
        (
            "2(b)",
            {"kind": "after_directive", "anchor": "9"},
            "anchor",
            "No directive has the ref &#x27;9&#x27;",
        ),
        (
            "2(b)",
            {"kind": "after_directive", "anchor": "2(b)"},
            "anchor",
            "A deadline cannot wait for itself",
        ),
        (
            "2(b)",
            {"kind": "after_directive", "anchor": "2(a)", "unit": "years"},
            "unit",
            "Count days or months after another directive, not years.",
        ),
        ("2(b)", {"kind": "none", "ongoing": "on"}, "ongoing", "Only a deadline after the signing date"),
    ],
    ids=[
        "unknown lead",
        "no lead",
        "duplicate ref",
        "occurrence mark",
        "no parent",
        "no title",
        "unknown kind",
        "as drafted when nothing was",
        "no kind",
        "no number",
        "number not a number",
        "negative number",
        "zero months",
        "number too large",
        "unknown unit",
        "no date",
        "no such date",
        "no anchor",
        "anchor not in the order",
        "anchor itself",
        "years after a directive",
        "ongoing with no deadline",
    ],
)
def test_a_bad_correction_is_refused_at_its_field_and_nothing_is_loaded(manager, ref, changes, name, message):
    data = review_data(drafted(manager))
    key = field_of(data, ref, name)
    data.update({field_of(data, ref, field): value for field, value in changes.items()})
    data["action"] = "load"
    before = written()
    response = post(manager, data)
    assert response.status_code == 400
    errors = dict(_errors(response))
    assert message in errors.get(f"id_{key}_error", ""), errors
    assert written() == before


# --- The deadline's fields: each kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "due_on"),
    [
        ({"number": "45", "unit": "days"}, deadlines.DaysAfterOrder(days=45), dt.date(2026, 4, 17)),
        ({"number": "2", "unit": "months"}, deadlines.MonthsAfterOrder(months=2), dt.date(2026, 5, 3)),
        ({"number": "1", "unit": "years"}, deadlines.YearsAfterOrder(years=1), dt.date(2027, 3, 3)),
        (
            {"number": "1", "unit": "years", "ongoing": "on"},
            deadlines.YearsAfterOrder(years=1, ongoing=True),
            dt.date(2027, 3, 3),
        ),
        (
            {"kind": "on_date", "date": "2026-07-04"},
            deadlines.OnDate(date=dt.date(2026, 7, 4)),
            dt.date(2026, 7, 4),
        ),
        (
            {"kind": "after_directive", "anchor": "2(a)", "number": "10", "unit": "days"},
            deadlines.AfterDirective(directive="2(a)", days=10),
            None,
        ),
        (
            {"kind": "after_directive", "anchor": "2(a)", "number": "3", "unit": "months"},
            deadlines.AfterDirective(directive="2(a)", months=3),
            None,
        ),
        # The number 6 the draft gave 2(b) stays in its field: a field the kind does not use is not read.
        ({"kind": "none"}, deadlines.NoDeadline(), None),
    ],
    ids=["days", "months", "years", "ongoing", "by a date", "days after 2(a)", "months after 2(a)", "none"],
)
def test_each_kind_of_deadline_is_loaded_from_its_fields(manager, changes, rule, due_on):
    data = review_data(drafted(manager))
    data.update({field_of(data, "2(b)", field): value for field, value in changes.items()})
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    loaded = Directive.objects.get(order__number=99100, ref="2(b)")
    assert (loaded.rule, loaded.due_on) == (rule, due_on)


def test_a_rule_the_fields_cannot_express_is_offered_as_drafted_and_loaded_as_it_is(manager):
    text = TEXT.replace("(c) Within 60 days of the date of this order", "(c) Within 60 days of the census")
    response = drafted(manager, text)
    data = review_data(response)
    assert data[field_of(data, "2(c)", "kind")] == "drafted"
    assert (
        '<option value="drafted" selected>As drafted: 60 days after census</option>'
        in response.content.decode()
    )
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    loaded = Directive.objects.get(order__number=99100, ref="2(c)")
    assert loaded.rule == deadlines.DaysFromEvent(days=60, event="census")


def test_a_load_the_loader_refuses_is_shown_at_the_field_with_nothing_written(manager):
    data = review_data(drafted(manager))
    data["action"] = "load"
    assert post(manager, data).status_code == 302
    data[field_of(data, "2(a)", "number")] = "45"
    before = written()
    response = post(manager, data)
    assert response.status_code == 400
    key = field_of(data, "2(a)", "number")
    assert (
        "Would move the original due date from 2026-04-02 to 2026-04-17"
        in dict(_errors(response))[f"id_{key}_error"]
    )
    assert written() == before


@pytest.mark.parametrize(
    ("forged", "message"),
    [
        ({"d-0-index": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"d-0-index": "999"}, "This form names no directive of the draft: draft the text again."),
        ({"d-TOTAL_FORMS": "x"}, "ManagementForm data is missing or has been tampered with."),
        ({"action": "delete"}, "Unknown action &#x27;delete&#x27;: draft, add, check, load or download."),
    ],
    ids=["negative index", "index past the draft", "broken formset", "unknown action"],
)
def test_a_forged_form_is_a_400_naming_what_is_wrong(manager, forged, message):
    data = {**review_data(drafted(manager)), "action": "load", **forged}
    before = written()
    response = post(manager, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert written() == before


# --- One submit, every error -----------------------------------------------------------------------


def test_one_submit_shows_the_field_errors_and_the_order_files_problems_at_once(manager):
    data = review_data(drafted(manager))
    data.update(
        {
            field_of(data, "2(a)", "leads"): "NOPE",  # only the order file's check knows the agencies
            field_of(data, "2(b)", "title"): "",  # the form refuses this itself
            field_of(data, "2(b)", "parent"): "9",  # the file's, on the form that has a field refused
            field_of(data, "2(c)", "number"): "six",
        }
    )
    data["action"] = "load"
    before = written()
    response = post(manager, data)
    assert response.status_code == 400
    errors = dict(_errors(response))
    assert "Unknown agency &#x27;NOPE&#x27;" in errors[f"id_{field_of(data, '2(a)', 'leads')}_error"]
    assert errors[f"id_{field_of(data, '2(b)', 'title')}_error"] == "This field is required."
    assert "No directive has the ref &#x27;9&#x27;" in errors[f"id_{field_of(data, '2(b)', 'parent')}_error"]
    assert errors[f"id_{field_of(data, '2(c)', 'number')}_error"] == "Enter a whole number."
    page = response.content.decode()
    # One error summary, linking to each of the four fields.
    assert page.count("data-error-summary") == 1
    for ref, name in (("2(a)", "leads"), ("2(b)", "title"), ("2(b)", "parent"), ("2(c)", "number")):
        assert f'<a href="#id_{field_of(data, ref, name)}">' in page
    assert written() == before


def test_a_refused_field_is_not_also_blamed_by_the_order_files_check(manager):
    data = review_data(drafted(manager))
    data[field_of(data, "2(a)", "leads")] = " , "
    data["action"] = "load"
    response = post(manager, data)
    assert response.status_code == 400
    assert dict(_errors(response))[f"id_{field_of(data, '2(a)', 'leads')}_error"] == (
        "Name at least one lead agency."
    )
