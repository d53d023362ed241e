"""One person's notices as an Atom feed, at a secret address a feed reader can subscribe to.

The address's key is the person's notices feed key (``actions.feed_keys``), made and rotated on their
notices page; an unknown or rotated key, or an inactive person's, is a 404. The feed lists what their
notices page lists (``FeedEntry`` rows: the notices whose kind they chose for their feed), newest first,
less any kind they no longer choose and any directive they no longer follow (``feeds.of_their_agencies``:
a person who left an agency stops seeing its notices, a reviewer sees every one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from directives import deadlines
from directives.actions import preferences
from directives.actions.feed_keys import user_of_feed_key
from directives.models import FeedEntry
from directives.models.outreach import DEFAULT_TIME_ZONE
from directives.notices import notify

from .feeds import of_their_agencies

ENTRIES = 100


class NoticesFeed(Feed[FeedEntry, User]):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # The address is the secret: keep the feed out of shared caches and referrers.
        response["Cache-Control"] = "private, max-age=300"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def get_object(self, request: HttpRequest, key: str) -> User:
        user = user_of_feed_key(key)
        if user is None:
            raise Http404("No notices feed has this address (it may have been rotated).")
        return user

    def title(self, obj: User) -> str:
        return f"orderctl: notices for {obj.get_username()}"

    def subtitle(self, obj: User) -> str:
        return "The notices you chose to have in your feed (notification settings), newest first."

    def link(self, obj: User) -> str:
        return reverse("notices_feed")

    def items(self, obj: User) -> list[FeedEntry]:
        preference = preferences.preference_of(obj)
        entries = list(
            FeedEntry.objects.filter(user_id=obj.pk, notification__kind__in=preference.feed_kinds)
            .filter(of_their_agencies(obj, "notification__directive"))
            .select_related("notification__directive__order", "notification__event__actor")
            .order_by("-id")[:ENTRIES]
        )
        for entry in entries:  # on each item: the feed object is shared by every request
            entry.zone = preference.time_zone  # type: ignore[attr-defined]  # read by item_description
        return entries

    def item_title(self, item: FeedEntry) -> str:
        n = item.notification
        d = n.directive
        return f"{n.get_kind_display()}: EO {d.order.number} sec. {d.ref}, {d.title}"

    def item_description(self, item: FeedEntry) -> str:
        n = item.notification
        zone = getattr(item, "zone", DEFAULT_TIME_ZONE)
        if n.event is not None:
            when = notify.local_time(n.event.created, zone)
            return render_to_string("emails/event_line.txt", {"event": n.event, "when": when}).strip()
        return f"Due {deadlines.weekday_date(n.due_on)}; {notify.local_time(item.created, zone)}."

    def item_link(self, item: FeedEntry) -> str:
        return reverse("directive_detail", args=[item.notification.directive_id])

    def item_guid(self, item: FeedEntry) -> str:
        return f"orderctl-notice-{item.notification_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedEntry) -> dt.datetime:
        n = item.notification
        return n.event.created if n.event is not None else item.created

    def item_updateddate(self, item: FeedEntry) -> dt.datetime:
        return item.created


notices_atom = require_safe(NoticesFeed())
