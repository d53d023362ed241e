"""The signed-in user's integration pages: calendar addresses, notification settings, OSCAL download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from agencies.access import SignedInRequest, member_agency_ids
from agencies.models import Agency
from directives.actions import calendars, channels, feed_keys, preferences
from directives.models import Delivery, FeedEntry, Order
from directives.models.outreach import CalendarToken, NoticeFeedKey
from directives.notices import notify
from directives.publishing import oscal
from directives.queries import request_now

from .forms import NotificationPreferenceForm

NEW_CALENDAR_KEY = "orderctl_new_calendar_key"
NEW_FEED_KEY = "orderctl_new_notices_feed_key"


def _calendar_context(request: SignedInRequest, feeds: list[tuple[str, str, str]]) -> dict[str, object]:
    return {
        "feeds": feeds,
        "has_key": CalendarToken.objects.filter(user_id=request.user.pk).exists(),
        "current": "calendar_page",
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_page(request: SignedInRequest) -> HttpResponse:
    """Make or rotate the calendar key (POST), then show the addresses made with it, once (GET)."""
    if request.method == "POST":
        if request.POST.get("rotate") != "yes":
            # Only the page's button says "yes": a stray POST must not break subscribed calendars.
            messages.error(request, "Nothing was changed: press the button to make new addresses.")
            response = render(
                request, "directives/calendar_page.html", _calendar_context(request, []), status=400
            )
            add_never_cache_headers(response)
            return response
        request.session[NEW_CALENDAR_KEY] = calendars.rotate_calendar_key(request.user, actor=request.user)
        messages.success(request, "New calendar addresses made: any made before no longer work.")
        return redirect("calendar_page")
    key = request.session.pop(NEW_CALENDAR_KEY, None) if request.method == "GET" else None
    feeds: list[tuple[str, str]] = []
    if key:
        base = request.build_absolute_uri("/")[:-1]
        feeds.append(("Your agencies' directives", base + reverse("calendar_mine", args=[key])))
        for agency in Agency.objects.filter(pk__in=member_agency_ids(request.user)).order_by("abbreviation"):
            feeds.append((agency.name, base + reverse("calendar_agency", args=[key, agency.abbreviation])))
        for order in Order.objects.order_by("-number"):
            feeds.append((str(order), base + reverse("calendar_order", args=[key, order.number])))
    # webcal:// is the same address under the scheme calendar programs register for: one click subscribes.
    subscribe = [(name, url, "webcal://" + url.split("://", 1)[1]) for name, url in feeds]
    response = render(request, "directives/calendar_page.html", _calendar_context(request, subscribe))
    add_never_cache_headers(response)  # the addresses are secrets
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: SignedInRequest) -> HttpResponse:
    """Choose, per kind of notice, email (now or in a daily digest), your own webhook and your feed;
    and your time zone."""
    preference = preferences.preference_of(request.user)
    hook = channels.personal_webhook(request.user)
    status = 200
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            try:
                channels.set_notice_settings(
                    request.user,
                    actor=request.user,
                    mode=form.cleaned_data["mode"],
                    kinds=form.cleaned_data["kinds"],
                    webhook_kinds=form.cleaned_data["webhook_kinds"],
                    feed_kinds=form.cleaned_data["feed_kinds"],
                    time_zone=form.cleaned_data["time_zone"].strip() or preference.time_zone,
                    webhook_url=form.cleaned_data["webhook_url"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, "Your notification settings are saved.")
                return redirect("notification_settings")
        status = 400
    else:
        form = NotificationPreferenceForm(
            initial={
                "mode": preference.mode,
                "kinds": preference.kinds,
                "webhook_kinds": preference.webhook_kinds,
                "feed_kinds": preference.feed_kinds,
                "time_zone": preference.time_zone,
                "webhook_url": hook.url if hook else "",
            }
        )
    # The notices' own emails the mail server refused or never confirmed: their owner should know.
    undelivered = (
        list(Delivery.objects.undelivered_to(request.user.email, request_now(request))[:20])
        if request.user.email
        else []
    )
    context = {
        "form": form,
        "digest_hour": settings.DIGEST_HOUR_EASTERN,
        "time_zone": preference.time_zone,
        "current": "notification_settings",
        "undelivered": undelivered,
        "webhook": hook,
    }
    response = render(request, "directives/notification_settings.html", context, status=status)
    if hook is not None:
        add_never_cache_headers(response)  # the page shows the webhook's signing secret
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notices_feed(request: SignedInRequest) -> HttpResponse:
    """List the notices you chose to have in your feed, newest first; make or rotate the address of
    their Atom feed (POST), shown once right after (GET)."""
    if request.method == "POST":
        if request.POST.get("rotate") != "yes":
            # Only the page's button says "yes": a stray POST must not break a subscribed reader.
            messages.error(request, "Nothing was changed: press the button to make a new feed address.")
            return _notices_page(request, status=400)
        request.session[NEW_FEED_KEY] = feed_keys.rotate_notice_feed_key(request.user, actor=request.user)
        messages.success(request, "New feed address made: any made before no longer works.")
        return redirect("notices_feed")
    return _notices_page(request)


def _notices_page(request: SignedInRequest, *, status: int = 200) -> HttpResponse:
    entries = (
        FeedEntry.objects.filter(user_id=request.user.pk)
        .select_related("notification__directive__order", "notification__event__actor")
        .order_by("-id")[:100]
    )
    zone = preferences.preference_of(request.user).time_zone
    rows = [
        {
            "entry": entry,
            "notification": entry.notification,
            "directive": entry.notification.directive,
            "when": notify.local_time(
                entry.notification.event.created if entry.notification.event else entry.created, zone
            ),
        }
        for entry in entries
    ]
    key = request.session.pop(NEW_FEED_KEY, None) if request.method == "GET" else None
    context = {
        "rows": rows,
        "current": "notices_feed",
        "time_zone": zone,
        "has_key": NoticeFeedKey.objects.filter(user_id=request.user.pk).exists(),
        "atom_url": request.build_absolute_uri(reverse("notices_atom", args=[key])) if key else "",
    }
    response = render(request, "directives/notices_feed.html", context, status=status)
    add_never_cache_headers(response)  # the address, once made, is a secret
    return response


@login_required
@require_safe
def order_poam(request: SignedInRequest, number: int) -> HttpResponse:
    """Download the order's open directives as an OSCAL plan of action and milestones (JSON)."""
    order = get_object_or_404(Order, number=number)
    body = oscal.to_json(oscal.plan_of_action(order, request_now(request)))
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="eo-{order.number}-poam.json"'
    return response
