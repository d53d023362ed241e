"""What the API returns: orders, directives, their deadlines, events, evidence and the summary.

Derived values (``is_overdue``, ``days_overdue``, ...) come from the model's methods at the request's
one instant, ``context["now"]``, so the API agrees with the pages and the export."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from agencies.api.serializers import AgencyRefSerializer
from agencies.models import Agency
from directives import deadlines
from directives.models import (
    Directive,
    DirectiveEvent,
    EvidenceFile,
    ExtensionRequest,
    Order,
    Outcome,
    Status,
)

from .shapes import DIRECTIVE_FIELDS, WEEKDAYS, agency_refs, directive_url, evidence_file

# A verified completion is on time or late: verification ends a flag's doubt, and a verified completion
# is not disputed (``Directive.outcome``).
VERIFIED_OUTCOMES = [
    (value, label) for value, label in Outcome.choices if value not in (Outcome.FLAGGED, Outcome.DISPUTED)
]


class FieldsBuiltOnce:
    """A model serializer whose fields are worked out from the model once per class, not per request.

    DRF builds a ``ModelSerializer``'s fields from the model on every instance, asking each model
    field for its label (a translated string each time): for the directive list that was about a fifth
    of a 100-row page's time. The fields depend on ``Meta`` alone, so the first instance's are kept and
    each later instance gets a deep copy, as DRF copies declared fields.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]  # ModelSerializer's, after this mixin
            cls._fields_built_once = built  # type: ignore[attr-defined]  # set on each class itself
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = copy.deepcopy(built)
        return fields


class OrderSerializer(serializers.ModelSerializer[Order]):
    url = serializers.HyperlinkedIdentityField(view_name="api:order-detail", lookup_field="number")
    source_url = serializers.CharField(read_only=True, help_text="The official text; empty when not known.")

    class Meta:
        model = Order
        fields = [
            "number",
            "url",
            "title",
            "signed_on",
            "federal_register_citation",
            "federal_register_document",
            "published_on",
            "source_url",
            "notes",
            "deadline_policy",
        ]


class FirstDeadlineSerializer(serializers.Serializer[Any]):
    """A deadline rule as in an order file (directives/orders/README.md); each kind has its own keys."""

    kind = serializers.ChoiceField(choices=Directive.DeadlineKind.choices)
    days = serializers.IntegerField(
        required=False,
        help_text="days_after_order, after_directive (or months) and days_from_event (negative: before).",
    )
    months = serializers.IntegerField(required=False, help_text="months_after_order; after_directive.")
    years = serializers.IntegerField(required=False, help_text="years_after_order.")
    date = serializers.DateField(required=False, help_text="on_date: the fixed date.")
    ongoing = serializers.BooleanField(required=False, help_text="Present (true) when the duty continues.")
    directive = serializers.CharField(required=False, help_text="after_directive: the ref it waits for.")
    trigger = serializers.ChoiceField(
        choices=[(t.value, t.value) for t in deadlines.Trigger],
        required=False,
        help_text="after_directive: how the text words it; each means that directive reaching completed.",
    )
    order = serializers.IntegerField(
        required=False, help_text="after_directive: the order of that directive, when not this one."
    )
    event = serializers.CharField(required=False, help_text="days_from_event: the event it counts from.")


class DeadlineSerializer(FirstDeadlineSerializer):
    """Any deadline rule, e.g. ``{"kind": "months_after_order", "months": 6}``; recurring nests its first."""

    first = FirstDeadlineSerializer(required=False, help_text="recurring: the rule of the first occurrence.")
    every_days = serializers.IntegerField(
        required=False, help_text="recurring: every N days after the first."
    )
    every_months = serializers.IntegerField(
        required=False, help_text="recurring: every N months after the first (12: annually)."
    )
    until = serializers.DateField(
        required=False, help_text="recurring: the last day an occurrence may fall on."
    )


class EvidenceSerializer(FieldsBuiltOnce, serializers.ModelSerializer[EvidenceFile]):
    """An evidence file: what the history recorded of it, and where to download it (signed in)."""

    content_type = serializers.CharField(read_only=True, help_text="Sniffed from the bytes at upload.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the bytes, lowercase hex.")
    download_url = serializers.SerializerMethodField()
    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    event: serializers.PrimaryKeyRelatedField[DirectiveEvent] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The history event that records it."
    )

    class Meta:
        model = EvidenceFile
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "download_url",
            "uploaded_by",
            "event",
            "created",
        ]
        read_only_fields = fields

    def to_representation(self, instance: EvidenceFile) -> dict[str, Any]:
        """Return the file as its fields would, built directly (``shapes.evidence_file``)."""
        return evidence_file(instance, self.context)  # type: ignore[arg-type]  # a dict; the stubs say Mapping

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, evidence: EvidenceFile) -> str:
        path = reverse("api:directive-evidence-download", args=[evidence.directive_id, evidence.pk])
        return str(self.context["request"].build_absolute_uri(path))


class DirectiveSerializer(FieldsBuiltOnce, serializers.ModelSerializer[Directive]):
    """A directive with its agencies and its state at ``context["now"]``.

    Expects the queryset's ``with_agencies()`` prefetches: it reads the order, parent, children and
    involvements from them and queries nothing per row.
    """

    url = serializers.SerializerMethodField()
    order = serializers.IntegerField(source="order.number", read_only=True)
    # DRF's metaclass takes declared fields off the class: at run time this is no Field.parent.
    parent = serializers.CharField(source="parent.ref", read_only=True, allow_null=True, default=None)  # type: ignore[assignment]  # a field, not Field.parent
    series = serializers.CharField(
        source="series.ref",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="A later occurrence of a recurring directive: the ref of its first occurrence.",
    )
    occurrence = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Its place in its series, from 1; null when not recurring."
    )
    children = serializers.SerializerMethodField()
    lead_agencies = serializers.SerializerMethodField(help_text="The owner first.")
    consulted_agencies = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()
    due_weekday = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    days_remaining = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        read_only=True,
        allow_null=True,
        help_text="Completed: on_time or late against the effective due date; flagged when claimed on time "
        "but flagged for review (see completion_flag) and not verified by a reviewer, never on_time until "
        "verified; disputed when a reviewer disputed the completion, neither on time nor late whatever its "
        "dates. Null until completed.",
    )
    days_late = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Completed late: by how many days after the effective due date; otherwise null.",
    )
    verified_outcome = serializers.ChoiceField(
        choices=VERIFIED_OUTCOMES,
        read_only=True,
        allow_null=True,
        help_text="The outcome once a reviewer verified the completion; null until then.",
    )
    evidence = EvidenceSerializer(many=True, read_only=True, help_text="Evidence files, oldest first.")

    class Meta:
        model = Directive
        fields = [
            "id",
            "url",
            "order",
            "ref",
            "title",
            "summary",
            "parent",
            "children",
            "series",
            "occurrence",
            "lead_agencies",
            "consulted_agencies",
            "deadline",
            "original_due_on",
            "due_on",
            "due_weekday",
            "status",
            "status_changed_at",
            "is_overdue",
            "days_overdue",
            "days_remaining",
            "overdue_flagged_at",
            "forecast_on",
            "completed_on",
            "outcome",
            "days_late",
            "status_reason",
            "review",
            "reviewed_at",
            "verified_outcome",
            "completion_recorded_on",
            "completion_flag",
            "evidence",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status_reason": {"help_text": "Why not applicable, as the agency said; empty otherwise."},
            "review": {"help_text": "The oversight review of the agency's claim (docs/oversight.md)."},
            "completion_flag": {
                "help_text": "Why the completion is flagged for review (both dates); empty when not flagged."
            },
        }

    def to_representation(self, instance: Directive) -> dict[str, Any]:
        """Return the directive as its declared fields would, each built directly (``DIRECTIVE_FIELDS``).

        The fields and the ``get_*`` methods below still say what each field is (the schema) and are
        DRF's own way to the same answer, which the tests compare with this one.
        """
        context = self.context
        return {name: DIRECTIVE_FIELDS[name](instance, context) for name in self.Meta.fields}  # type: ignore[arg-type]  # a dict; the stubs say Mapping

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, directive: Directive) -> str:
        return directive_url(self.context, directive)  # type: ignore[arg-type]  # a dict; the stubs say Mapping

    @extend_schema_field(AgencyRefSerializer(many=True))
    def get_lead_agencies(self, directive: Directive) -> list[dict[str, str]]:
        return agency_refs(directive.lead_agencies)

    @extend_schema_field(AgencyRefSerializer(many=True))
    def get_consulted_agencies(self, directive: Directive) -> list[dict[str, str]]:
        return agency_refs(directive.consulted_agencies)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_children(self, directive: Directive) -> list[str]:
        return [child.ref for child in directive.parts]

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, directive: Directive) -> dict[str, Any]:
        rule: dict[str, Any] = directive.deadline  # the rule as JSON (deadlines.rule_to_json)
        return rule

    @extend_schema_field(serializers.ChoiceField(choices=[(day, day) for day in WEEKDAYS], allow_null=True))
    def get_due_weekday(self, directive: Directive) -> str | None:
        return WEEKDAYS[directive.due_on.weekday()] if directive.due_on else None

    def get_is_overdue(self, directive: Directive) -> bool:
        return directive.is_overdue(self.context["now"])

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="None when there is no deadline.")
    )
    def get_days_overdue(self, directive: Directive) -> int | None:
        return directive.days_overdue(self.context["now"])

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="None once completed or overdue.")
    )
    def get_days_remaining(self, directive: Directive) -> int | None:
        return directive.days_remaining(self.context["now"])


class EventSerializer(FieldsBuiltOnce, serializers.ModelSerializer[DirectiveEvent]):
    old_status = serializers.SerializerMethodField()
    new_status = serializers.SerializerMethodField()
    evidence_url = serializers.CharField(read_only=True, help_text="A link to the evidence; empty when none.")
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null for the system."
    )
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="abbreviation",
        read_only=True,
        allow_null=True,
        help_text="The agency the actor acted for.",
    )

    class Meta:
        model = DirectiveEvent
        fields = [
            "id",
            "kind",
            "old_status",
            "new_status",
            "note",
            "evidence_url",
            "actor",
            "agency",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_old_status(self, event: DirectiveEvent) -> str | None:
        return event.old_status or None

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_new_status(self, event: DirectiveEvent) -> str | None:
        return event.new_status or None


# Named apart from ExtensionSerializer's request body, which drf-spectacular calls "ExtensionRequest".
@extend_schema_serializer(component_name="ExtensionRequestRecord")
class ExtensionRequestSerializer(serializers.ModelSerializer[ExtensionRequest]):
    """An extension request and, once decided, its decision."""

    directive = serializers.IntegerField(source="directive_id", read_only=True)
    order = serializers.IntegerField(source="directive.order.number", read_only=True)
    ref = serializers.CharField(source="directive.ref", read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)
    agency = serializers.CharField(
        source="agency.abbreviation", read_only=True, allow_null=True, default=None
    )
    decided_by = serializers.CharField(
        source="decided_by.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ExtensionRequest
        fields = [
            "id", "directive", "order", "ref", "state", "current_due_on", "requested_due_on", "justification",
            "requested_by", "agency", "created", "decided_by", "decided_at", "decision_reason",
        ]  # fmt: skip
        read_only_fields = fields


class AgencyTallySerializer(serializers.Serializer[Any]):
    abbreviation = serializers.CharField()
    name = serializers.CharField()
    led = serializers.IntegerField(help_text="Directives it leads.")
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completed_on_time = serializers.IntegerField()
    completed_late = serializers.IntegerField()


class UpcomingDeadlineSerializer(DirectiveSerializer):
    """A directive as the summary's next deadlines list it."""

    class Meta(DirectiveSerializer.Meta):
        fields = [
            "id",
            "url",
            "order",
            "ref",
            "title",
            "lead_agencies",
            "due_on",
            "due_weekday",
            "days_remaining",
        ]
        read_only_fields = fields


class SummarySerializer(serializers.Serializer[Any]):
    as_of = serializers.DateTimeField(help_text="The instant the numbers were computed.")
    today = serializers.DateField(help_text="That instant's date in US Eastern time, where deadlines end.")
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Status -> directives.")
    overdue = serializers.IntegerField()
    due_within_7_days = serializers.IntegerField(
        help_text="Open, not overdue, due today or in the next 7 days."
    )
    due_within_30_days = serializers.IntegerField()
    completed_on_time = serializers.IntegerField(
        help_text="Completed by the deadline, as the agency claims; a completion flagged for review only "
        "once verified (until then its outcome is flagged); never one a reviewer disputed (see disputed)."
    )
    completed_late = serializers.IntegerField(
        help_text="Completed after the deadline, as the agency claims; never one a reviewer disputed."
    )
    verified_on_time = serializers.IntegerField(
        help_text="Completed on time and verified by a reviewer: the honest outcome (docs/oversight.md)."
    )
    verified_late = serializers.IntegerField(help_text="Completed late and verified by a reviewer.")
    by_review = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Review -> claims (partially complete, completed, not applicable) with that review.",
    )
    claimed_complete = serializers.IntegerField(help_text="Completed, as the agency claims.")
    unreviewed = serializers.IntegerField(help_text="Of the claimed completions: not reviewed yet.")
    verified = serializers.IntegerField(help_text="Of the claimed completions: verified.")
    disputed = serializers.IntegerField(
        help_text="Of the claimed completions: disputed (outcome disputed, counted neither on time nor late)."
    )
    no_evidence_found = serializers.IntegerField(help_text="Of the claimed completions: no evidence found.")
    flagged = serializers.IntegerField(
        help_text="Completions flagged for review (recorded long after their date, or back-dated) still "
        "awaiting a reviewer: neither verified nor disputed."
    )
    agencies = AgencyTallySerializer(many=True, help_text="Per lead agency, by abbreviation.")
    next_deadlines = UpcomingDeadlineSerializer(many=True, help_text="The next five open deadlines.")


class UpdateResultSerializer(serializers.Serializer[Any]):
    event = EventSerializer()
    directive = DirectiveSerializer()
