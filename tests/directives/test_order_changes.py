"""A later order's [[revokes]] and [[amends]]: applied on load whichever order comes first, recorded in the
affected directives' histories, and a second load writes nothing.

Order B revokes Sec. 5(a) and Sec. 6 of Order A and amends Sec. 3: by 2026-04-15 instead of 2026-03-31,
led by ABC instead of XYZ.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from agencies.models import Agency, Membership
from directives import actions, deadlines
from directives.history import proof
from directives.models import Directive, DirectiveEvent, Notification, OrderChange, Status
from directives.queries import summarize
from tests.api.conftest import token_client
from tests.directives.rule_orders import AT_A, AT_B, ORDER_A, ORDER_B, get, load

pytestmark = pytest.mark.django_db

BOTH_ORDERS = pytest.mark.parametrize("first", ["A then B", "B then A"])


def load_both(first: str) -> list:
    if first == "A then B":
        return [load(ORDER_A, AT_A), load(ORDER_B, AT_B)]
    return [load(ORDER_B, AT_A), load(ORDER_A, AT_B)]


def state() -> dict[str, tuple]:
    return {
        d.ref: (d.status, d.original_due_on, d.due_on, [a.abbreviation for a in d.lead_agencies])
        for d in Directive.objects.with_agencies().filter(order__number=90001)
    }


def kinds(ref: str) -> list[str]:
    return list(get(ref).events.order_by("seq").values_list("kind", flat=True))


@BOTH_ORDERS
def test_either_order_of_loading_ends_the_same(first):
    load_both(first)
    s = state()
    assert s["5(a)"][0] == s["6"][0] == Status.RESCINDED
    assert s["5(b)"][0] == s["5"][0] == Status.NOT_STARTED  # 5 rolls up from the part still in force
    assert s["3"] == (Status.NOT_STARTED, dt.date(2026, 3, 31), dt.date(2026, 4, 15), ["ABC"])
    assert kinds("5(a)") == [DirectiveEvent.Kind.CREATED, DirectiveEvent.Kind.STATUS_CHANGED]
    assert kinds("3") == [DirectiveEvent.Kind.CREATED, DirectiveEvent.Kind.AMENDED]
    report = proof.verify()
    assert report.ok, report.problems


@BOTH_ORDERS
def test_the_events_name_the_revoking_and_the_amending_order(first):
    load_both(first)
    rescinded = get("5(a)").events.first()
    assert (rescinded.old_status, rescinded.new_status, rescinded.note) == (
        Status.NOT_STARTED,
        Status.RESCINDED,
        "Rescinded: Executive Order 90002 revokes Sec. 5(a) of Executive Order 90001.",
    )
    amended = get("3").events.first()
    assert (amended.old_due_on, amended.new_due_on, amended.note) == (
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 15),
        "Amended by Executive Order 90002: the deadline is now by Wed 2026-04-15; led by ABC. Gives ABC a "
        "fortnight more.",
    )


@BOTH_ORDERS
def test_a_second_load_of_both_writes_nothing(first):
    load_both(first)
    before = (Directive.objects.count(), DirectiveEvent.objects.count(), OrderChange.objects.count(), state())
    for text in (ORDER_A, ORDER_B):
        report = load(text, AT_B + dt.timedelta(days=1))
        assert (report.created, report.updated, report.rescinded, report.amended) == ([], [], [], [])
    assert (
        Directive.objects.count(),
        DirectiveEvent.objects.count(),
        OrderChange.objects.count(),
        state(),
    ) == (before)


def test_changes_to_an_order_not_loaded_yet_wait_for_it():
    report = load(ORDER_B, AT_A)
    assert report.pending == ["revokes EO 90001 5(a)", "revokes EO 90001 6", "amends EO 90001 3"]
    report = load(ORDER_A, AT_B)
    assert (report.rescinded, report.amended) == (["EO 90001 5(a)", "EO 90001 6"], ["EO 90001 3"])


def test_revoking_a_whole_order_rescinds_what_is_open_and_keeps_what_was_completed(admin_user):
    load(ORDER_A)
    with time_machine.travel(AT_A + dt.timedelta(days=2), tick=False):
        actions.change_status(get("5(a)"), Status.COMPLETED, actor=admin_user)
    whole = ORDER_B.replace('directives = ["5(a)", "6"]\n', "").replace("[[amends]]", "[[xamends]]")
    whole = whole[: whole.index("[[xamends]]")] + whole[whole.index("[[directives]]") :]
    load(whole, AT_B)
    s = state()
    assert s["5(a)"][0] == Status.COMPLETED  # discharged before the revocation
    assert s["5"][0] == Status.COMPLETED  # its parts: one completed, the other rescinded
    assert {ref for ref, v in s.items() if v[0] == Status.RESCINDED} == {"1", "2", "3", "4", "5(b)", "6", "7"}
    html = _page(admin_user, get("5(a)"))
    assert "Revoked after it was completed." in html


def test_a_rescinded_directive_leaves_the_overdue_counts_reminders_and_escalations():
    load(ORDER_A)
    load(ORDER_B, AT_B)
    before_due = dt.datetime(2027, 1, 24, 5, 30, tzinfo=dt.UTC)  # 7 days before 2027-01-30 ends
    with time_machine.travel(before_due, tick=False):
        reminded = actions.send_reminders()
    assert set(Directive.objects.filter(pk__in=reminded[7]).values_list("ref", flat=True)) == {"5(b)"}
    long_after = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    with time_machine.travel(long_after, tick=False):
        flagged = set(Directive.objects.filter(pk__in=actions.flag_overdue()).values_list("ref", flat=True))
        escalated = set(
            Directive.objects.filter(pk__in=actions.escalate_overdue()).values_list("ref", flat=True)
        )
    assert "5(a)" not in flagged and "5(a)" not in escalated and "5(b)" in flagged and "5(b)" in escalated
    summary = summarize(Directive.objects.filter(order__number=90001), long_after)
    assert summary["by_status"][Status.RESCINDED] == 2
    assert not get("5(a)").is_overdue(long_after)


def test_a_notice_owed_before_the_revocation_is_cancelled(settings):
    load(ORDER_A)
    with time_machine.travel(dt.datetime(2027, 1, 24, 5, 30, tzinfo=dt.UTC), tick=False):
        actions.send_reminders()
    notice = Notification.objects.get(directive__ref="5(a)")
    load(ORDER_B, dt.datetime(2027, 1, 24, 6, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2027, 1, 24, 6, 30, tzinfo=dt.UTC), tick=False):
        actions.dispatch_notifications()
    notice.refresh_from_db()
    assert (notice.state, notice.last_error) == (
        Notification.State.CANCELLED,
        "5(a) was rescinded before the notice went out.",
    )
    assert all("5(a)" not in m.body for m in mail.outbox)


def test_a_rescinded_directive_takes_a_note_but_no_change(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    refused: list[tuple[dict[str, Any], str]] = [
        ({"status": Status.COMPLETED}, "status"),
        ({"forecast_on": dt.date(2026, 5, 1)}, "forecast_on"),
    ]
    for kwargs, field in refused:
        with pytest.raises(ValidationError) as raised:
            actions.record_update(get("5(a)"), actor=admin_user, **kwargs)
        assert raised.value.message_dict[field] == [
            "5(a) was rescinded by a later order: only a note can still be added to it."
        ]
    event = actions.add_note(get("5(a)"), "Work stopped.", actor=admin_user)
    assert (event.kind, get("5(a)").status) == (DirectiveEvent.Kind.NOTE, Status.RESCINDED)


def test_no_one_rescinds_a_directive_by_hand(admin_user):
    load(ORDER_A)
    with pytest.raises(ValidationError) as raised:
        actions.change_status(get("1"), Status.RESCINDED, actor=admin_user)
    assert raised.value.message_dict["status"] == [
        "Only a later order that revokes a directive rescinds it (load that order's file)."
    ]


def test_an_amendment_moves_a_flagged_deadline_and_clears_the_flag():
    load(ORDER_A)
    with time_machine.travel(dt.datetime(2026, 4, 1, 4, 0, tzinfo=dt.UTC), tick=False):  # Mar 31 ended
        actions.flag_overdue()
    assert get("3").overdue_flagged_at is not None
    load(ORDER_B, dt.datetime(2026, 4, 2, tzinfo=dt.UTC))
    three = get("3")
    assert (
        three.due_on,
        three.overdue_flagged_at,
        three.is_overdue(dt.datetime(2026, 4, 2, tzinfo=dt.UTC)),
    ) == (
        dt.date(2026, 4, 15),
        None,
        False,
    )
    report = proof.verify()
    assert report.ok, report.problems


def test_an_amendment_to_a_chained_rule_dates_it_from_a_directive_already_done(admin_user):
    load(ORDER_A)
    with time_machine.travel(AT_A + dt.timedelta(days=3), tick=False):
        actions.change_status(get("1"), Status.COMPLETED, actor=admin_user, completed_on=dt.date(2026, 2, 2))
    text = ORDER_B.replace(
        'deadline = { kind = "on_date", date = 2026-04-15 }',
        'deadline = { kind = "after_directive", directive = "1", days = 20 }',
    )
    load(text, AT_B)
    three = get("3")
    assert (three.rule.describe(), three.event_on, three.due_on) == (
        "20 days after 1 is completed",
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 22),
    )


def test_a_reload_may_not_alter_or_drop_a_loaded_change_and_writes_nothing():
    load(ORDER_A)
    load(ORDER_B, AT_B)
    events = DirectiveEvent.objects.count()
    altered = ORDER_B.replace("date = 2026-04-15", "date = 2026-05-15").replace(
        'directives = ["5(a)", "6"]', 'directives = ["5(a)"]'
    )
    with pytest.raises(ValidationError) as raised:
        load(altered, AT_B)
    assert raised.value.message_dict == {
        "amends[90001 3].deadline": [
            "was loaded as “by Wed 2026-04-15”; a loaded amendment cannot change (a later order can amend "
            "the directive again)."
        ],
        "revokes[90001]": [
            "revoked Sec. 6 of Executive Order 90001 when this order was loaded; a loaded order's "
            "revocations and amendments cannot be dropped."
        ],
    }
    assert (DirectiveEvent.objects.count(), get("3").due_on) == (events, dt.date(2026, 4, 15))


def test_a_change_naming_a_directive_a_loaded_order_lacks_is_refused_at_its_field():
    load(ORDER_A)
    text = ORDER_B.replace('directive = "3"', 'directive = "9"').replace('["5(a)", "6"]', '["8"]')
    with pytest.raises(ValidationError) as raised:
        load(text, AT_B)
    assert raised.value.message_dict == {
        "amends[90001 9].directive": ["Executive Order 90001 is loaded and has no directive '9'."],
        "revokes[90001].directives": ["Executive Order 90001 is loaded and has no directive '8'."],
    }
    assert not OrderChange.objects.exists()


def test_a_later_amendment_speaks_last():
    load(ORDER_A)
    load(ORDER_B, AT_B)
    third = (
        ORDER_B.replace("number = 90002", "number = 90003")
        .replace('directives = ["5(a)", "6"]', 'directives = ["6"]')
        .replace("date = 2026-04-15", "date = 2026-05-01")
        .replace('leads = ["ABC"]\nnote', "note")
        .replace("order = 90001, months = 1", "order = 90001, months = 2")
    )
    load(third, AT_B + dt.timedelta(days=1))
    assert (get("3").due_on, get("3").original_due_on) == (dt.date(2026, 5, 1), dt.date(2026, 3, 31))
    load(ORDER_A, AT_B + dt.timedelta(days=2))  # reloading the amended order keeps the last word
    assert (get("3").due_on, [a.abbreviation for a in get("3").lead_agencies]) == (
        dt.date(2026, 5, 1),
        ["ABC"],
    )


def test_the_api_filters_rescinded_directives(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    body = token_client(admin_user).get("/api/v1/directives/?order=90001&status=rescinded").json()
    assert [d["ref"] for d in body["results"]] == ["5(a)", "6"]


def _page(user, d) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/directives/{d.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_pages_show_why_and_by_which_order(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    html = _page(admin_user, get("5(a)"))
    assert "<strong>Rescinded.</strong>" in html
    assert (
        '<a href="/orders/90002/">Executive Order 90002</a> revokes Sec. 5(a) of Executive Order 90001.'
        in html
    )
    html = _page(admin_user, get("3"))
    amended = '<a href="/orders/90002/">Executive Order 90002</a>: by Wed 2026-04-15; led by ABC. Gives ABC a'
    assert amended + " fortnight more." in html
    client = Client()
    client.force_login(admin_user)
    order_a = client.get("/orders/90001/").content.decode()
    assert "Changed by later orders" in order_a and "what it names is rescinded" in order_a
    order_b = client.get("/orders/90002/").content.decode()
    assert "What this order does to earlier orders" in order_b
    assert (
        f'<a href="/directives/{get("3").pk}/">Sec. 3 of Executive Order 90001</a>: by Wed 2026-04-15'
        in order_b
    )


def test_an_order_waiting_for_the_one_it_changes_says_so(admin_user):
    load(ORDER_B, AT_A)
    client = Client()
    client.force_login(admin_user)
    html = client.get("/orders/90002/").content.decode()
    assert html.count("Executive Order 90001 is not loaded yet; this applies when it is.") == 3


def test_the_directive_list_filters_rescinded_directives(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    client = Client()
    client.force_login(admin_user)
    html = client.get("/directives/?status=rescinded").content.decode()
    assert "First part" in html and "Ongoing" in html and "Second part" not in html


def test_an_editor_of_the_new_lead_may_update_the_amended_directive():
    load(ORDER_A)
    load(ORDER_B, AT_B)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("abc-editor", "abc@example.com", "pw")
    Membership.objects.create(
        user=user, agency=Agency.objects.get(abbreviation="ABC"), role=Membership.Role.EDITOR
    )
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=deadlines.EASTERN), tick=False):
        event = actions.change_status(get("3"), Status.IN_PROGRESS, actor=user)
    assert event.agency.abbreviation == "ABC"


def test_verify_history_catches_a_rescinded_directive_set_back_to_open_by_hand():
    load(ORDER_A)
    load(ORDER_B, AT_B)
    Directive.objects.filter(order__number=90001, ref="5(a)").update(status=Status.NOT_STARTED)
    Directive.objects.filter(order__number=90001, ref="3").update(due_on=dt.date(2026, 3, 31))
    problems = proof.verify().problems
    assert len(problems) == 2
    assert (
        "directive 3, " in problems[0]
        and "due date is '2026-03-31' but its events say '2026-04-15'" in problems[0]
    )
    assert (
        "directive 5(a), " in problems[1]
        and "status is 'not_started' but its events say 'rescinded'" in problems[1]
    )


def test_the_history_says_what_each_new_event_changed(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    with time_machine.travel(dt.datetime(2026, 3, 3, 12, tzinfo=deadlines.EASTERN), tick=False):
        actions.change_status(get("1"), Status.COMPLETED, actor=admin_user, completed_on=dt.date(2026, 3, 2))
    html = _page(admin_user, get("3"))
    assert "Amended by a later order: deadline moved from Tue 2026-03-31 to Wed 2026-04-15." in html
    html = _page(admin_user, get("2"))
    assert "Deadline set: due Thu 2026-03-12." in html
    html = _page(admin_user, get("5(a)"))
    assert "Status changed from Not started to Rescinded." in html


def test_the_page_of_a_rescinded_directive_offers_a_note_only(admin_user):
    load(ORDER_A)
    load(ORDER_B, AT_B)
    html = _page(admin_user, get("5(a)"))
    assert "A later order rescinded this directive: its status no longer changes" in html
    assert 'name="status"' not in html and 'name="note"' in html
    assert '<option value="rescinded"' not in _page(admin_user, get("5(b)"))


def test_a_parent_a_revocation_names_records_the_revoking_order():
    load(ORDER_A, AT_A)
    load(ORDER_B.replace('directives = ["5(a)", "6"]', 'directives = ["5", "6"]'), AT_B)
    assert {get(ref).status for ref in ("5", "5(a)", "5(b)")} == {Status.RESCINDED}
    rolled = get("5").events.filter(new_status=Status.RESCINDED).get()
    assert rolled.note == (
        "Rolled up from its parts after 5(a) changed to rescinded: Executive Order 90002 revokes Sec. 5 of "
        "Executive Order 90001."
    )
