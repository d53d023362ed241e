"""The status the outside world sees of a directive: one place, for feeds, calendars and open data.

A directive a later order revokes is ``Status.RESCINDED`` (``actions.changes``); it and a completed one
are the ``CLOSED_STATUSES``, whose duty is over. Issue 14 (the oversight loop) adds a review axis
(``Directive.review_status``: unreviewed, verified, disputed, no evidence) and more statuses; when it
lands, these functions are the only ones to change: the public feed, the calendars, OSCAL and the
webhooks all ask them.
"""

from __future__ import annotations

from .models import CLOSED_STATUSES, Directive, Status


def public_status(directive: Directive) -> str:
    """Return the status to publish for ``directive`` (its recorded status, until the review axis)."""
    return directive.status


def public_status_label(directive: Directive) -> str:
    """Return the human words for ``public_status``."""
    return directive.get_status_display()


def review_status(directive: Directive) -> str:
    """Return the directive's review status, or "unreviewed" until the review axis exists."""
    return getattr(directive, "review_status", "unreviewed")


def is_rescinded(directive: Directive) -> bool:
    """Return whether a later order withdrew the duty (rescinded): its calendar event is cancelled."""
    return directive.status == Status.RESCINDED


def is_closed(directive: Directive) -> bool:
    """Return whether the duty is over, met or withdrawn: nothing more is due on its date."""
    return directive.status in CLOSED_STATUSES
