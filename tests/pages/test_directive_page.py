"""The directive page: what it shows, who gets which form, and every way a submission can go wrong."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directives import actions
from directives.models import DirectiveEvent, Status

# Thursday 2026-06-25, noon Eastern: before the 30-day deadlines.
LATE_JUNE = dt.datetime(2026, 6, 25, 16, 0, tzinfo=dt.UTC)


def _url(d) -> str:
    return reverse("directive_detail", args=[d.pk])


def _form_data(client, d, **fields) -> dict:
    """Load the page as the browser would and return its form's hidden fields plus ``fields``."""
    html = client.get(_url(d)).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(version|seen_event)" value="([^"]*)"', html))
    assert "version" in hidden, "the page has no update form"
    return {**hidden, **fields}


def _field_group(html: str, name: str) -> str:
    """Return the USWDS form group that holds the field ``name``."""
    groups = re.findall(
        r'<div class="usa-form-group[^"]*">.*?</div>\s*(?=<div class="usa-form-group|<button)', html, re.S
    )
    matches = [g for g in groups if f'name="{name}"' in g]
    assert matches, f"no form group for {name}"
    return matches[0]


def test_it_shows_the_citation_dates_with_weekdays_and_agencies(client, reviewer, directive):
    client.force_login(reviewer)
    html = client.get(_url(directive("2(c)(ii)"))).content.decode()
    assert "Executive Order 14409, Sec. 2(c)(ii)" in html
    assert 'href="https://www.federalregister.gov/documents/2026/06/05/2026-11415"' in html
    assert "Cybersecurity and Infrastructure Security Agency (CISA)" in html
    assert "Office of the National Cyber Director (ONCD)" in html
    assert html.count("Thu 2026-07-02") >= 2  # original and effective due dates
    assert "30 days after the Order" in html
    assert "Sec. 2(c): Release Binding Operational Directives" in html  # its parent
    assert "Loaded from Executive Order 14409." in html  # the history


def test_it_shows_the_days_left_before_the_deadline_and_overdue_after(client, reviewer, directive):
    with time_machine.travel(LATE_JUNE, tick=False):
        client.force_login(reviewer)
        before = client.get(_url(directive("2(c)(ii)"))).content.decode()
    with time_machine.travel(dt.datetime(2026, 7, 5, 16, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(reviewer)  # days later: the June session has idled out
        after = client.get(_url(directive("2(c)(ii)"))).content.decode()
    assert "7 days left" in before
    assert "3 days overdue" in after


def test_a_parent_lists_its_parts_and_offers_no_status_field(client, cisa_editor, directive):
    client.force_login(cisa_editor)
    html = client.get(_url(directive("2(c)"))).content.decode()
    assert "Sec. 2(c)(iii)" in html
    assert "rolls up from its parts" in html
    assert 'name="forecast_on"' in html
    assert 'name="status"' not in html


def test_a_lead_editor_gets_the_update_form_with_the_current_version(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    html = client.get(_url(d)).content.decode()
    for name in ("status", "completed_on", "note", "evidence_url", "forecast_on"):
        assert f'name="{name}"' in html
    assert f'name="version" value="{actions.version_of(d)}"' in html


def test_a_consulted_editor_gets_a_note_only_form(client, oncd_editor, directive):
    client.force_login(oncd_editor)
    html = client.get(_url(directive("2(c)(ii)"))).content.decode()
    assert 'name="note"' in html
    assert 'name="evidence_url"' in html
    assert 'name="status"' not in html
    assert 'name="forecast_on"' not in html


@pytest.mark.parametrize("persona", ["treasury_editor", "reviewer", "outsider"])
def test_others_get_no_form(client, request, persona, directive):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(_url(directive("2(c)(ii)"))).content.decode()
    assert "<form" in html  # the sign-out form in the header
    assert 'name="version"' not in html
    assert "You can read this directive" in html


def test_a_lead_editor_completes_a_directive_with_a_note_and_evidence(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    with time_machine.travel(LATE_JUNE, tick=False):
        data = _form_data(
            client,
            d,
            status="completed",
            completed_on="2026-06-20",
            note="Programme launched.",
            evidence_url="https://www.cisa.gov/news/ai-defense",
            forecast_on="",
        )
        response = client.post(_url(d), data, follow=True)
    assert response.redirect_chain == [(_url(d), 302)]
    d.refresh_from_db()
    assert (d.status, d.completed_on) == (Status.COMPLETED, dt.date(2026, 6, 20))
    event = d.events.order_by("-id").first()
    assert (event.actor, event.agency.abbreviation, event.note) == (
        cisa_editor,
        "CISA",
        "Programme launched.",
    )
    html = response.content.decode()
    assert "Recorded for 2(c)(ii): Status changed from Not started to Completed" in html
    assert 'href="https://www.cisa.gov/news/ai-defense"' in html
    assert "completed on Sat 2026-06-20" in html


def test_an_untouched_forecast_is_not_recorded_as_a_change(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    actions.set_forecast(d, dt.date(2026, 7, 1), actor=cisa_editor)
    client.force_login(cisa_editor)
    data = _form_data(client, d, note="Still on track.", forecast_on="2026-07-01")
    response = client.post(_url(d), data)
    assert response.status_code == 302
    event = d.events.order_by("-id").first()
    assert (event.kind, event.note) == (DirectiveEvent.Kind.NOTE, "Still on track.")


def test_a_lead_editor_moves_the_forecast(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    response = client.post(_url(d), _form_data(client, d, forecast_on="2026-07-15"))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.forecast_on == dt.date(2026, 7, 15)


def test_a_future_completion_date_is_shown_next_to_the_field_with_the_input_kept(
    client, cisa_editor, directive
):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    events = DirectiveEvent.objects.count()
    with time_machine.travel(LATE_JUNE, tick=False):
        data = _form_data(client, d, status="completed", completed_on="2026-07-30", note="Done early?")
        response = client.post(_url(d), data)
    assert response.status_code == 400
    html = response.content.decode()
    group = _field_group(html, "completed_on")
    assert "usa-form-group--error" in group
    assert 'id="id_completed_on_error"' in group
    assert "cannot be in the future" in group
    assert 'aria-describedby="id_completed_on_helptext id_completed_on_error"' in group
    assert 'aria-invalid="true"' in group
    assert 'value="2026-07-30"' in group
    assert "Done early?</textarea>" in html
    assert '<option value="completed" selected>' in html
    # Nothing written.
    assert DirectiveEvent.objects.count() == events
    d.refresh_from_db()
    assert d.status == Status.NOT_STARTED


def test_a_bad_evidence_link_and_a_bad_date_are_named(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    events = DirectiveEvent.objects.count()
    response = client.post(
        _url(d), _form_data(client, d, note="x", evidence_url="ftp://x", forecast_on="31/12/2026")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid date." in _field_group(html, "forecast_on")
    assert DirectiveEvent.objects.count() == events


def test_an_evidence_link_the_actions_refuse_is_named_next_to_its_field(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    events = DirectiveEvent.objects.count()
    response = client.post(_url(d), _form_data(client, d, note="x", evidence_url="ftp://example.com/file"))
    assert response.status_code == 400
    group = _field_group(response.content.decode(), "evidence_url")
    assert "Enter a valid http:// or https:// link." in group
    assert 'value="ftp://example.com/file"' in group
    assert DirectiveEvent.objects.count() == events


def test_an_empty_submission_is_explained_at_the_top(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    events = DirectiveEvent.objects.count()
    response = client.post(_url(d), _form_data(client, d))
    assert response.status_code == 400
    html = response.content.decode()
    alert = html[html.index('class="usa-alert usa-alert--error"') :]
    assert "Nothing to record" in alert[: alert.index("</div>")]
    assert DirectiveEvent.objects.count() == events


def test_a_consulted_editor_adds_a_note_for_their_agency(client, oncd_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(oncd_editor)
    response = client.post(_url(d), _form_data(client, d, note="ONCD reviewed the draft."))
    assert response.status_code == 302
    event = d.events.order_by("-id").first()
    assert (event.kind, event.agency.abbreviation) == (DirectiveEvent.Kind.NOTE, "ONCD")


def test_a_consulted_editor_cannot_forge_a_status_change(client, oncd_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(oncd_editor)
    events = DirectiveEvent.objects.count()
    response = client.post(_url(d), _form_data(client, d, note="forged", status="completed"))
    assert response.status_code == 403
    assert b"Only editors of the lead agency (CISA)" in response.content
    assert DirectiveEvent.objects.count() == events
    d.refresh_from_db()
    assert d.status == Status.NOT_STARTED


@pytest.mark.parametrize("persona", ["treasury_editor", "reviewer", "outsider"])
def test_a_forged_post_from_anyone_else_is_forbidden(client, request, persona, directive):
    d = directive("2(c)(ii)")
    client.force_login(request.getfixturevalue(persona))
    events = DirectiveEvent.objects.count()
    data = {"version": actions.version_of(d), "status": "completed", "note": "forged"}
    response = client.post(_url(d), data)
    assert response.status_code == 403
    assert b"Nothing was changed." in response.content
    assert DirectiveEvent.objects.count() == events


def test_an_anonymous_post_is_sent_to_sign_in_and_writes_nothing(client, directive):
    d = directive("2(c)(ii)")
    events = DirectiveEvent.objects.count()
    response = client.post(_url(d), {"version": actions.version_of(d), "note": "anon"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert DirectiveEvent.objects.count() == events


def test_a_stale_form_shows_what_changed_and_overwrites_nothing(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    with time_machine.travel(LATE_JUNE, tick=False):
        data = _form_data(client, d, status="blocked", note="Waiting on funding.")
        # Meanwhile a colleague records progress.
        colleague = type(cisa_editor).objects.get(pk=cisa_editor.pk)
        actions.change_status(d, "in_progress", actor=colleague, note="Drafting started.")
        events = DirectiveEvent.objects.count()
        response = client.post(_url(d), data)
    assert response.status_code == 409
    html = response.content.decode()
    start = html.index('id="stale-heading"')
    stale = html[start : html.index('class="grid-row', start)]
    assert "Status changed from Not started to In progress." in stale
    assert "Drafting started." in stale
    assert "Loaded from Executive Order" not in stale  # only what came after the user's page
    assert '<option value="blocked" selected>' in html
    assert "Waiting on funding.</textarea>" in html
    assert DirectiveEvent.objects.count() == events
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS
    # The re-rendered form carries the current version: sending it again now records the update.
    fresh = dict(re.findall(r'<input type="hidden" name="(version|seen_event)" value="([^"]*)"', html))
    assert fresh["version"] == actions.version_of(d)
    client.force_login(cisa_editor)  # back at today's clock the June session has idled out
    again = client.post(_url(d), {**data, **fresh})
    assert again.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.BLOCKED


def test_a_post_without_a_csrf_token_is_refused(cisa_editor, directive):
    d = directive("2(c)(ii)")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cisa_editor)
    events = DirectiveEvent.objects.count()
    response = browser.post(_url(d), {"version": actions.version_of(d), "note": "no token"})
    assert response.status_code == 403
    assert b"security token" in response.content
    assert DirectiveEvent.objects.count() == events


def test_a_post_with_the_pages_csrf_token_is_accepted(cisa_editor, directive):
    d = directive("2(c)(ii)")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cisa_editor)
    html = browser.get(_url(d)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = _form_data(browser, d, note="with token", csrfmiddlewaretoken=token)
    assert browser.post(_url(d), data).status_code == 302
    assert d.events.order_by("-id").first().note == "with token"


def test_an_unknown_directive_is_not_found(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("directive_detail", args=[999999]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_the_page_costs_the_same_queries_however_long_the_history(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    client.get(_url(d))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(_url(d))
        return len(ctx.captured_queries)

    before = count()
    for i in range(10):
        actions.add_note(d, f"note {i}", actor=cisa_editor)
    assert count() == before


def test_one_update_of_status_and_forecast_says_both_in_the_history(client, cisa_editor, directive):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    client.post(_url(d), _form_data(client, d, status="in_progress", forecast_on="2026-12-15"))
    html = client.get(_url(d)).content.decode()
    assert (
        "Status changed from Not started to In progress. Forecast changed from none to Tue 2026-12-15."
        in html
    )


def test_every_time_in_the_history_is_eastern_and_says_so(client, directive, cisa_editor, reviewer):
    with time_machine.travel(dt.datetime(2026, 7, 1, 14, 3, tzinfo=dt.UTC), tick=False):
        actions.add_note(directive("2(c)(ii)"), "Summer note.", actor=cisa_editor)
    with time_machine.travel(dt.datetime(2026, 11, 3, 2, 30, tzinfo=dt.UTC), tick=False):
        actions.add_note(directive("2(c)(ii)"), "Late-evening note.", actor=cisa_editor)
    client.force_login(reviewer)
    page = client.get(f"/directives/{directive('2(c)(ii)').pk}/").content.decode()
    assert "Wed 2026-07-01 10:03 EDT" in page  # 14:03 UTC, daylight time
    assert "Mon 2026-11-02 21:30 EST" in page  # 02:30 UTC the next day, standard time: still Monday
    assert " UTC" not in page


def test_the_admin_shows_times_in_eastern_time_and_says_so(client, directive, admin_user):
    d = directive("2(c)(ii)")
    client.force_login(admin_user)
    page = client.get(f"/admin/directives/directiveevent/{d.events.first().pk}/change/").content.decode()
    # The Order was loaded at noon Eastern on 2026-06-02 (tests/conftest.py, LOADED_AT).
    assert "Tue 2026-06-02 12:00 EDT" in page
