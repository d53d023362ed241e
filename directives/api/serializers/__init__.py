"""Shapes of orders, directives, their events and the summary; and the one input, an update.

Derived values (``is_overdue``, ``days_overdue``, ...) come from the model's methods at the request's
one instant, ``context["now"]``, so the API agrees with the pages and the export.
"""

# What the API returns (``records``) and what it takes (``inputs``: strict, unknown fields refused).
from .inputs import (
    DecisionSerializer,
    EventDateSerializer,
    EvidenceUploadSerializer,
    ExtensionRequestInputSerializer,
    ExtensionSerializer,
    ReviewSerializer,
    StrictInputSerializer,
    UpdateSerializer,
)
from .records import (
    AgencyTallySerializer,
    DeadlineSerializer,
    DirectiveSerializer,
    EventSerializer,
    EvidenceSerializer,
    ExtensionRequestSerializer,
    FieldsBuiltOnce,
    FirstDeadlineSerializer,
    OrderSerializer,
    SummarySerializer,
    UpcomingDeadlineSerializer,
    UpdateResultSerializer,
)
from .shapes import WEEKDAYS, agency_refs, directive_url

__all__ = [
    "WEEKDAYS",
    "AgencyTallySerializer",
    "DeadlineSerializer",
    "DecisionSerializer",
    "DirectiveSerializer",
    "EventDateSerializer",
    "EventSerializer",
    "EvidenceSerializer",
    "EvidenceUploadSerializer",
    "ExtensionRequestInputSerializer",
    "ExtensionRequestSerializer",
    "ExtensionSerializer",
    "FieldsBuiltOnce",
    "FirstDeadlineSerializer",
    "OrderSerializer",
    "ReviewSerializer",
    "StrictInputSerializer",
    "SummarySerializer",
    "UpcomingDeadlineSerializer",
    "UpdateResultSerializer",
    "UpdateSerializer",
    "agency_refs",
    "directive_url",
]
