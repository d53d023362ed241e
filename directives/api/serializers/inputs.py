"""What the API takes: an update, a review, an extension request and its decision, an event's date,
an evidence upload; each strict (an unknown field is a 400, nothing written)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from directives import actions
from directives.models import (
    VERDICTS,
    Status,
)
from directives.models.bounds import within_dates


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input that refuses fields it does not know, naming each, with every error at once.

    Only the shape is checked here; the actions layer decides what is allowed, so the pages, the admin
    and the API give the same answers.
    """

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        """Validate ``data``, refusing fields this update does not know, with every error at once."""
        unknown: dict[str, list[str]] = {}
        if isinstance(data, dict):
            hint = f"Unknown field. Use {', '.join(self.fields)}."
            unknown = {name: [hint] for name in sorted(set(data) - set(self.fields))}
        try:
            value: dict[str, Any] = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({**unknown, **detail}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class UpdateSerializer(StrictInputSerializer):
    """An agency's update of a directive: any of these, passed to ``actions.record_update``.

    Only the shape is checked here; the actions layer decides what is allowed (a completion date in the
    past, a link that is http or https, a status that changes ...), so the pages and the API agree.
    """

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=actions.MAX_NOTE_LENGTH,
    )
    evidence_url = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=actions.MAX_URL_LENGTH,
        help_text="An http:// or https:// link to the evidence.",
    )
    completed_on = serializers.DateField(
        validators=[within_dates], required=False, help_text="With status completed; default today."
    )
    forecast_on = serializers.DateField(
        validators=[within_dates],
        required=False,
        allow_null=True,
        help_text="The projected completion date; null clears it.",
    )


class ExtensionSerializer(StrictInputSerializer):
    """A deadline extension, passed to ``actions.extend_deadline`` (administrators only)."""

    new_due_on = serializers.DateField(
        validators=[within_dates], help_text="The new effective due date, later than the current one."
    )
    justification = serializers.CharField(
        trim_whitespace=False,
        max_length=actions.MAX_NOTE_LENGTH,
        help_text="Why the deadline moves; kept in the history.",
    )


class ReviewSerializer(StrictInputSerializer):
    """An oversight reviewer's verdict on the agency's claim (``actions.review``)."""

    review = serializers.ChoiceField(choices=[(v.value, v.label) for v in VERDICTS])
    note = serializers.CharField(
        trim_whitespace=False, max_length=actions.MAX_NOTE_LENGTH, help_text="What the review found."
    )
    evidence = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=actions.MAX_URL_LENGTH,
        help_text="A link (http or https) or a reference, e.g. a report's number.",
    )


class ExtensionRequestInputSerializer(StrictInputSerializer):
    """A request for a later deadline (``actions.request_extension``): the lead agency's editors."""

    directive = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The directive's id.")
    requested_due_on = serializers.DateField(
        validators=[within_dates], help_text="The date asked for: after the current deadline."
    )
    justification = serializers.CharField(
        trim_whitespace=False, max_length=actions.MAX_NOTE_LENGTH, help_text="Why more time is needed."
    )


class DecisionSerializer(StrictInputSerializer):
    """A reviewer's decision: approve (the deadline moves) or deny (a reason is required)."""

    decision = serializers.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=actions.MAX_NOTE_LENGTH,
        help_text="Why: required to deny (the requester is told); an optional note to an approval.",
    )


class EventDateSerializer(StrictInputSerializer):
    """The date of the event a ``days_from_event`` deadline counts from (``actions.set_event_date``)."""

    event_on = serializers.DateField(
        validators=[within_dates], help_text="The event's date; the deadline is counted from it."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=actions.MAX_NOTE_LENGTH
    )


class EvidenceUploadSerializer(StrictInputSerializer):
    """A multipart upload of one evidence file, in the field ``file``."""

    file = serializers.FileField(
        allow_empty_file=True,  # the actions layer refuses an empty file at this field, like the rest
        help_text="PDF, docx, xlsx, pptx, PNG, JPEG or plain text; the type is read from the bytes.",
    )
