"""What the integrations show of a directive a later order revoked (rescinded) or amended.

Order B revokes Sec. 5(a) and Sec. 6 of Order A and moves Sec. 3 from 2026-03-31 to 2026-04-15
(tests/directives/rule_orders.py). The calendar cancels 5(a)'s event and makes 3's a new version on
its new date; the OSCAL plan of action no longer lists 5(a); open data publishes it as rescinded; and a
webhook planned for it before the revocation is cancelled, not sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from directives import actions
from directives.models import Directive, Order
from directives.models.outreach import WebhookDelivery
from directives.publishing import calendar, opendata, oscal
from tests.directives.rule_orders import AT_A, AT_B, ORDER_A, ORDER_B, load
from tests.integrations.receiver import running_receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked() -> Order:
    """Order A as Order B left it."""
    load(ORDER_A, AT_A)
    load(ORDER_B, AT_B)
    return Order.objects.get(number=90001)


def test_the_calendar_cancels_a_rescinded_directive_and_moves_an_amended_one(revoked):
    events = {
        d.ref: calendar.event_of(d, AT_B)
        for d in calendar.with_moves(Directive.objects.filter(order=revoked))
    }
    assert str(events["5(a)"]["STATUS"]) == "CANCELLED"
    assert "Status: rescinded." in str(events["5(a)"]["DESCRIPTION"])
    assert str(events["5(b)"]["STATUS"]) == "CONFIRMED"  # the part still in force
    # The same UID on the amended date, one version on: a subscriber's copy moves.
    assert events["3"].decoded("DTSTART") == dt.date(2026, 4, 15)
    assert events["3"].decoded("SEQUENCE") == 1
    assert str(events["3"]["STATUS"]) == "CONFIRMED"


def test_the_plan_of_action_leaves_out_what_was_rescinded(revoked):
    plan = oscal.plan_of_action(revoked, AT_B).plan_of_action_and_milestones
    listed = {p.value for item in plan.poam_items for p in item.props or [] if p.name == "section"}
    assert "5(a)" not in listed
    assert {"3", "5(b)"} <= listed
    statuses = {p.value for item in plan.poam_items for p in item.props or [] if p.name == "status"}
    assert "rescinded" not in statuses


def test_open_data_publishes_a_rescinded_directive_as_rescinded(revoked, admin_user):
    actions.publish_order(revoked, actor=admin_user)
    long_after = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)  # 5(a)'s deadline (2027-01-30) long past
    rows = {row["ref"]: row for row in opendata.rows(revoked, long_after)}
    assert (rows["5(a)"]["status"], rows["5(a)"]["is_overdue"]) == ("rescinded", False)
    assert rows["5(b)"]["status"] == "not_started"


def test_a_webhook_planned_before_the_revocation_is_cancelled_not_sent(admin_user):
    load(ORDER_A, AT_A)
    with running_receiver() as receiver:
        subscription = actions.create_webhook(
            actor=admin_user, name="order A", url=receiver.url, order=Order.objects.get(number=90001)
        )
        receiver.secret = subscription.secret
        # Seven days before 5(a) and 5(b) fall due: their reminders are owed and planned as webhooks.
        with time_machine.travel(dt.datetime(2027, 1, 24, 5, 30, tzinfo=dt.UTC), tick=False):
            actions.send_reminders()
            actions.dispatch_notifications()
        planned = {
            d.notification.directive.ref
            for d in WebhookDelivery.objects.select_related("notification__directive")
        }
        assert {"5(a)", "5(b)"} <= planned
        load(ORDER_B, dt.datetime(2027, 1, 24, 6, tzinfo=dt.UTC))
        with time_machine.travel(dt.datetime(2027, 1, 24, 6, 30, tzinfo=dt.UTC), tick=False):
            actions.dispatch_webhooks()
    sent = {r.json["data"]["directive"] for r in receiver.received}
    assert "5(a)" not in sent and "5(b)" in sent
    cancelled = WebhookDelivery.objects.get(notification__directive__ref="5(a)")
    assert (cancelled.state, cancelled.last_error) == (
        "cancelled",
        "5(a) was rescinded before the notice went out.",
    )
