"""Sample arguments for the access table's routes: one object of each kind, created in the database, and
the path each route takes with them (shared by tests/test_url_access.py and the production smoke test)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import timezone

from agencies import actions as agency_actions
from agencies.models import Agency, APIToken, Membership, OversightReviewer
from directives import actions as directive_actions
from directives.history import proof
from directives.models import Delivery, Directive, Notification, Order, OrderChange
from directives.models.outreach import WebhookDelivery, WebhookSubscription
from directives.notices.notify import unsubscribe_token
from directives.notices.payloads import new_secret
from ledger.models import AccessEvent
from tests.access_table import Route


# ------------------------------------------------------------------------------------------------
# Sample arguments.
@dataclass(frozen=True)
class Samples:
    """The values that fill in the routes' arguments, and the read-only token's key.

    Plain numbers and strings, so that a test can read them from another process's database.
    """

    token_key: str
    directive_pk: int
    order_number: int
    cisa_user_pk: int
    directive_content_type_pk: int
    admin_object_pks: dict[str, int]
    calendar_key: str
    notice_feed_key: str
    webhook_pk: int
    webhook_to_delete_pk: int
    extension_pk: int
    evidence_pk: int
    unsubscribe_token: str  # the CISA editor's, signed where the samples are made (the server's key)


def create_samples(users: dict[str, User]) -> Samples:
    """Create the sample objects in the database (the Order must be loaded) and return their values.

    ``users`` maps each persona but anonymous and read_only to its user; the CISA editor gets the
    read-only token.
    """
    cisa_editor = users["cisa"]
    _, key = agency_actions.create_api_token(cisa_editor, actor=cisa_editor, name="access", read_only=True)
    order = Order.objects.get(number=14409)
    d = Directive.objects.get(order=order, ref="2(c)(ii)")
    group = Group.objects.create(name="sample")
    attempt = AccessAttempt.objects.create(
        username="outsider", ip_address="198.51.100.7", failures_since_start=1, get_data="", post_data=""
    )
    access_log = AccessLog.objects.create(username="cisa-editor", ip_address="198.51.100.7")
    failure_log = AccessFailureLog.objects.create(username="outsider", ip_address="198.51.100.7")
    # The integrations' samples: CISA's calendar key and webhook (with one delivery), the Order published.
    calendar_key = directive_actions.rotate_calendar_key(cisa_editor, actor=cisa_editor)
    notice_feed_key = directive_actions.rotate_notice_feed_key(cisa_editor, actor=cisa_editor)
    # Made directly: the production smoke test runs these with production's address checks, which would
    # look the sample host up in DNS (there is none here). The action's own tests cover creation.
    webhook = WebhookSubscription.objects.create(
        name="sample", url="https://hooks.example.gov/orderctl", secret=new_secret(),
        agency=Agency.objects.get(abbreviation="CISA"), created=timezone.now(), created_by=cisa_editor,
    )  # fmt: skip
    # Another of CISA's, for the detail route: its editor's DELETE, the route's last request, removes it.
    webhook_to_delete = WebhookSubscription.objects.create(
        name="to delete", url="https://hooks.example.gov/orderctl-2", secret=new_secret(),
        agency=Agency.objects.get(abbreviation="CISA"), created=timezone.now(), created_by=cisa_editor,
    )  # fmt: skip
    now = timezone.now()
    notice = Notification.objects.create(
        directive=d, kind=Notification.Kind.OVERDUE, due_on=d.due_on, created=now, next_attempt_at=now,
        state=Notification.State.SENT,
    )  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        subscription=webhook, notification=notice, message_id="msg_sample", created=now, next_attempt_at=now,
        state=WebhookDelivery.State.DELIVERED,
    )  # fmt: skip
    directive_actions.publish_order(order, actor=None)
    extension = directive_actions.request_extension(
        d, d.due_on + dt.timedelta(days=30), actor=cisa_editor, justification="The sample request."
    )
    # CISA's evidence file on 2(c)(ii), attached through the action (its bytes in the evidence storage).
    evidence = directive_actions.attach_evidence(
        d, SimpleUploadedFile("sample.txt", b"The sample evidence.\n"), actor=cisa_editor
    )
    admin_objects = {
        "directives_webhooksubscription": webhook,
        "directives_webhookdelivery": delivery,
        "directives_delivery": Delivery.objects.create(
            recipient="cisa-editor@example.com", created=now, next_attempt_at=now, state=Delivery.State.SENT
        ),
        "auth_group": group,
        "auth_user": cisa_editor,
        "axes_accessattempt": attempt,
        "axes_accesslog": access_log,
        "axes_accessfailurelog": failure_log,
        "agencies_agency": Agency.objects.get(abbreviation="CISA"),
        "agencies_membership": Membership.objects.get(user=cisa_editor),
        "agencies_oversightreviewer": OversightReviewer.objects.get(user=users["reviewer"]),
        "agencies_apitoken": APIToken.objects.get(user=cisa_editor),
        "agencies_signonlink": agency_actions.link_sign_on(
            cisa_editor, actor=None, issuer="https://idp.example.gov", subject="sample", how="sample"
        ),
        "directives_order": order,
        "directives_directive": d,
        # A revocation of an order that is not loaded: kept, and changing nothing the samples hold.
        "directives_orderchange": OrderChange.objects.create(
            by_order=order, kind="revoke", order_number=14110
        ),
        "directives_directiveevent": d.events.first(),
        "ledger_accessevent": AccessEvent.objects.order_by("seq").first(),
        "ledger_checkpoint": proof.write_checkpoint(send=False)[0],
    }
    return Samples(
        token_key=key,
        directive_pk=d.pk,
        order_number=order.number,
        cisa_user_pk=cisa_editor.pk,
        directive_content_type_pk=ContentType.objects.get_for_model(Directive).pk,
        admin_object_pks={model: obj.pk for model, obj in admin_objects.items()},
        calendar_key=calendar_key,
        notice_feed_key=notice_feed_key,
        webhook_pk=webhook.pk,
        webhook_to_delete_pk=webhook_to_delete.pk,
        extension_pk=extension.pk,
        evidence_pk=evidence.pk,
        unsubscribe_token=unsubscribe_token(cisa_editor.email),
    )


def sample_path(route: Route, samples: Samples) -> str:
    """Return a path that resolves to ``route``, with sample values for its arguments."""
    if route.key == "api:not-found":
        return "/api/v1/no-such-endpoint/"
    if route.key == "api_not_found":
        return "/api/v2/directives/"
    admin_model = re.match(r"admin/(\w+)/(\w+)/", route.pattern)
    object_id = None
    if admin_model:
        object_id = samples.admin_object_pks.get(f"{admin_model[1]}_{admin_model[2]}")
    pk = samples.directive_pk
    if route.key == "api:webhook-detail":
        pk = samples.webhook_to_delete_pk
    elif route.key.startswith("api:webhook-"):
        pk = samples.webhook_pk
    elif route.key.startswith("api:extension-request-"):
        pk = samples.extension_pk
    elif route.key == "api:directive-evidence-download":
        pk = samples.evidence_pk
    values = {
        "pk": pk,
        "file_id": samples.evidence_pk,
        "key": samples.notice_feed_key if route.key == "notices_atom" else samples.calendar_key,
        "token": samples.unsubscribe_token,
        "directive_id": samples.directive_pk,
        "number": samples.order_number,
        "abbreviation": "CISA",
        "object_id": object_id,
        "id": samples.cisa_user_pk,
        "content_type_id": samples.directive_content_type_pk,
        "app_label": "directives",
        "url": "no-such-page/",
    }
    path = route.pattern

    def value(match: re.Match) -> str:
        return str(values[match["name"]])

    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", value, path)  # regex groups first: (?P<name>...)
    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, path)
    path = "/" + path.replace("^", "").replace("$", "")
    found = resolve(path)
    # ResolverMatch.route drops the ^ that starts an included regex pattern.
    assert found.route == re.sub(r"(^|/)\^", r"\1", route.pattern), f"{path} is {found.route}, not {route}"
    return path


def area_of(route: Route) -> str:
    """Return which part of the site ``route`` belongs to: pages, api or admin."""
    if route.pattern.startswith("admin/"):
        return "admin"
    return "api" if route.pattern.lstrip("^").startswith("api/") else "pages"
