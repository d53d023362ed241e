"""Calendar feeds (RFC 5545, the icalendar library): one all-day event per directive's due date.

Each event's UID names the directive, never the date or the site's host name, so a calendar that
subscribed updates the same event when the deadline moves or the site changes address: its SEQUENCE
counts the history's revisions of the event (extensions, event dates recorded, chained deadlines dated,
amendments by later orders, and status changes: completing, rescinding and reopening), so it only ever
goes up, as Outlook and Google require to take a change; LAST-MODIFIED is the directive's last change.
A duty that ended (completed, or rescinded by a later order: the ``public_status`` module says which)
stays in the feed as a cancelled event, so subscribers' copies go away instead of lingering.
Only tracked items are listed (a parent's parts, not the parent).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db.models import Count, Q
from icalendar import Calendar, Event

from directives.models import Directive, DirectiveEvent, DirectiveQuerySet
from directives.notices.notify import directive_url
from directives.queries.public_status import is_closed, is_rescinded, public_status

# The events that date or move a deadline after the order was loaded (an extension, an event's date, the
# completion a chained deadline waits for, a later order's amendment): each is a new version of the event.
MOVES = (
    DirectiveEvent.Kind.DEADLINE_EXTENDED,
    DirectiveEvent.Kind.EVENT_DATED,
    DirectiveEvent.Kind.DEADLINE_SET,
    DirectiveEvent.Kind.AMENDED,
)
# What else revises the event: a status change rewrites its description, and completing, rescinding or
# reopening cancels or restores it. Counted, never derived from the current status, so a reopened
# directive's SEQUENCE goes up rather than back down.
REVISIONS = (*MOVES, DirectiveEvent.Kind.STATUS_CHANGED)


def uid(directive: Directive) -> str:
    """Return the event's stable UID: a name-based UUID of the directive's id (RFC 7986 5.3), no host."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:orderctl:directive:{directive.pk}"))


def with_moves(directives: DirectiveQuerySet) -> DirectiveQuerySet:
    """Return the dated tracked items of ``directives``, counting each one's revisions of its event."""
    return (
        directives.trackable()
        .filter(due_on__isnull=False)
        .with_agencies()
        .annotate(revisions=Count("events", filter=Q(events__kind__in=REVISIONS)))
        .order_by("due_on", "order__number", "position", "ref")
    )


def event_of(directive: Directive, now: dt.datetime) -> Event:
    """Return the all-day event of ``directive``'s due date."""
    assert directive.due_on is not None  # noqa: S101 - with_moves lists the dated items only
    closed = is_closed(directive)
    event = Event()
    event.add("uid", uid(directive))
    event.add("dtstamp", now)
    event.add("dtstart", directive.due_on)
    event.add("dtend", directive.due_on + dt.timedelta(days=1))
    event.add("summary", f"Due: EO {directive.order.number} sec. {directive.ref}: {directive.title}"[:250])
    leads = ", ".join(a.abbreviation for a in directive.lead_agencies) or "no agency"
    status = "rescinded" if is_rescinded(directive) else public_status(directive).replace("_", " ")
    event.add(
        "description",
        f"Lead: {leads}. Status: {status}. Due by the end of the day, Eastern Time.\n"
        f"{directive_url(directive)}",
    )
    event.add("url", directive_url(directive))
    event.add("sequence", getattr(directive, "revisions", 0))
    event.add("last-modified", directive.updated_at)
    event.add("status", "CANCELLED" if closed else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a due date, not a meeting: it does not make anyone busy
    return event


def feed(name: str, directives: Iterable[Directive], now: dt.datetime) -> bytes:
    """Return the calendar called ``name`` with one event per directive, as iCalendar bytes."""
    calendar = Calendar()
    calendar.add("prodid", "-//orderctl//executive order deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "America/New_York")
    for directive in directives:
        calendar.add_component(event_of(directive, now))
    ical: bytes = calendar.to_ical()  # icalendar leaves to_ical unannotated
    return ical
