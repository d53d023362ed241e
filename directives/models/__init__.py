"""What must be done and by when: orders, their directives, and each directive's history.

State changes go through ``directives/actions/``; nothing here saves domain state on its own.
"""

# One module per aggregate; every table is imported here, so Django registers it with the ``directives``
# app and callers find it as ``directives.models.X``.
from .attachments import EvidenceFile
from .changes import OrderChange
from .choices import (
    CLOSED_STATUSES,
    FLAGGABLE,
    OPEN,
    REVIEWABLE_STATUSES,
    VERDICTS,
    OrderKind,
    Outcome,
    Review,
    Status,
)
from .directives import (
    PREFETCHED_AGENCIES,
    PREFETCHED_EVIDENCE,
    PREFETCHED_PARTS,
    Directive,
    DirectiveQuerySet,
    Involvement,
    due_for_flagging_q,
    effective_due_on_expression,
    no_deadline,
    overdue_q,
    own_overdue_q,
    ref_covers,
    validate_rule,
)
from .events import DirectiveEvent
from .extensions import ExtensionRequest
from .notices import Delivery, Notification, NotificationManager
from .orders import Order
from .outreach import (
    CalendarToken,
    DigestSlot,
    FeedEntry,
    NoticeFeedKey,
    NotificationPreference,
    Publication,
    WebhookDelivery,
    WebhookSubscription,
)
from .runs import TaskRun  # when each periodic task last succeeded (/metrics)

__all__ = [
    "CLOSED_STATUSES",
    "FLAGGABLE",
    "OPEN",
    "PREFETCHED_AGENCIES",
    "PREFETCHED_EVIDENCE",
    "PREFETCHED_PARTS",
    "REVIEWABLE_STATUSES",
    "VERDICTS",
    "CalendarToken",
    "Delivery",
    "DigestSlot",
    "Directive",
    "DirectiveEvent",
    "DirectiveQuerySet",
    "EvidenceFile",
    "ExtensionRequest",
    "FeedEntry",
    "Involvement",
    "NoticeFeedKey",
    "Notification",
    "NotificationManager",
    "NotificationPreference",
    "Order",
    "OrderChange",
    "OrderKind",
    "Outcome",
    "Publication",
    "Review",
    "Status",
    "TaskRun",
    "WebhookDelivery",
    "WebhookSubscription",
    "due_for_flagging_q",
    "effective_due_on_expression",
    "no_deadline",
    "overdue_q",
    "own_overdue_q",
    "ref_covers",
    "validate_rule",
]
