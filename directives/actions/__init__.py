"""The one write path for directives.

Every change of a directive's state goes through a function here: atomic, with a keyword-only
``actor`` (None for the system), checking permission and input before writing anything, and writing
its ``DirectiveEvent`` in the same transaction through ``history.append``, the one function that
writes events (it chains them; see ``directives/history/``). Bad input raises ``ValidationError``
with a dict of field -> messages; a forbidden change raises ``PermissionDenied``; a stale
``expected_version`` raises ``StaleVersion``. In each case nothing is written.

One module a concern (as Zulip's ``zerver/actions/``): ``updates`` (what agencies record),
``schedule`` (moving a deadline: extensions, event dates, amendments), ``orders`` (loading order
files), ``changes`` (what an order revokes or amends in earlier ones), ``chains`` (deadlines dated
when the directive they wait for is done), ``series`` (the occurrences of recurring directives),
``sweeps`` (what beat flags and owes), ``reviews`` (an oversight reviewer's verdict),
``extensions`` (extension requests and their decisions), ``outbox`` (sending what is owed),
``deliveries`` (the outbox's marks once the mail server answered), ``leases`` (every queue's lease),
``webhooks`` (subscriptions and their outbox), ``preferences`` (immediate or digest, time zone),
``channels`` (each person's own webhook and notices feed), ``evidence``
(files attached to directives), ``calendars`` and ``feed_keys`` (feed keys), ``publishing`` (open
data), and ``common`` (what they share). Callers import this package: ``actions.record_update``.
"""

from .calendars import rotate_calendar_key
from .channels import set_notice_settings
from .common import MAX_NOTE_LENGTH, MAX_URL_LENGTH, UNSET, StaleVersion, queue_dispatch, version_of
from .deliveries import (
    mark_delivery_deferred,
    mark_delivery_refused,
    mark_delivery_sent,
    mark_delivery_unconfirmed,
)
from .evidence import attach_evidence
from .extensions import approve_extension, deny_extension, extension_request_errors, request_extension
from .feed_keys import rotate_notice_feed_key
from .orders import LoadReport, load_order
from .outbox import (
    DispatchReport,
    claim_delivery,
    dispatch_notifications,
    plan_deliveries,
    release_delivery,
    request_stop,
    stop_requested,
    sweep_expired_leases,
)
from .preferences import set_notification_preference
from .publishing import publish_order, unpublish_order
from .reviews import review, review_errors
from .schedule import event_date_errors, extend_deadline, set_event_date
from .series import advance_series
from .sweeps import escalate_overdue, flag_overdue, send_reminders
from .updates import add_note, change_status, record_update, set_forecast, update_errors
from .webhooks import (
    TestSend,
    WebhookReport,
    create_webhook,
    delete_webhook,
    dispatch_webhooks,
    rotate_webhook_secret,
    send_test_webhook,
    update_webhook,
)

__all__ = [
    "MAX_NOTE_LENGTH",
    "MAX_URL_LENGTH",
    "UNSET",
    "DispatchReport",
    "LoadReport",
    "StaleVersion",
    "TestSend",
    "WebhookReport",
    "add_note",
    "advance_series",
    "approve_extension",
    "attach_evidence",
    "change_status",
    "claim_delivery",
    "create_webhook",
    "delete_webhook",
    "deny_extension",
    "dispatch_notifications",
    "dispatch_webhooks",
    "escalate_overdue",
    "event_date_errors",
    "extend_deadline",
    "extension_request_errors",
    "flag_overdue",
    "load_order",
    "mark_delivery_deferred",
    "mark_delivery_refused",
    "mark_delivery_sent",
    "mark_delivery_unconfirmed",
    "plan_deliveries",
    "publish_order",
    "queue_dispatch",
    "record_update",
    "release_delivery",
    "request_extension",
    "request_stop",
    "review",
    "review_errors",
    "rotate_calendar_key",
    "rotate_notice_feed_key",
    "rotate_webhook_secret",
    "send_reminders",
    "send_test_webhook",
    "set_event_date",
    "set_forecast",
    "set_notice_settings",
    "set_notification_preference",
    "stop_requested",
    "sweep_expired_leases",
    "unpublish_order",
    "update_errors",
    "update_webhook",
    "version_of",
]
