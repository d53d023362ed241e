"""Forms of the staff pages: the directive update form and the note form.

They only parse what the browser sent. What may be recorded (dates in the future, a status that is
already set, who may change what) is decided by ``directives.actions``, whose errors the view puts back
on these fields, so the pages and the API give the same answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from directives.models import VERDICTS, Directive, Notification, Status
from directives.models.bounds import within_dates
from directives.models.outreach import NotificationPreference
from uswds.forms import DateInput, UswdsForm


class DirectiveNoteForm(UswdsForm):
    """A note with an optional evidence link: all an editor of a consulted agency may record."""

    # The version the page was rendered from; the actions layer refuses the write if it moved on.
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The newest event the user had seen, so a stale submission can show exactly what came after it.
    seen_event = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**63 - 1
    )
    note = forms.CharField(
        required=False,
        strip=False,  # the actions layer strips and counts; keep what the user typed for a re-render
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "What happened, in a sentence or two. It is kept in the history for everyone to read. "
            "With the status Not applicable, say why: it is required and shown."
        ),
    )
    evidence_url = forms.CharField(
        required=False,
        label="Evidence link",
        widget=forms.URLInput,
        help_text="A link to the published guidance, memo or announcement (https://...).",
    )

    #: Fields that change state rather than add to the history; only a lead's editors may send them.
    state_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        self.directive = directive
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments for ``actions.record_update`` from the cleaned data.

        Of an invalid form, those of the fields that parsed (``actions.update_errors`` asks about them).
        """
        data = self.cleaned_data
        return {"note": data.get("note", ""), "evidence_url": data.get("evidence_url", "")}


class DirectiveUpdateForm(DirectiveNoteForm):
    """Everything an editor of a lead agency may record: status, dates, note and evidence."""

    status = forms.ChoiceField(
        required=False,
        choices=[("", "No change"), *((v, label) for v, label in Status.choices if v != Status.RESCINDED)],
        help_text="Leave on “No change” to record only a note or a new forecast.",
    )
    completed_on = forms.DateField(
        validators=[within_dates],
        required=False,
        label="Completion date",
        widget=DateInput,
        help_text="Only with the status Completed. Left empty, it is today (Eastern time).",
    )
    forecast_on = forms.DateField(
        validators=[within_dates],
        required=False,
        label="Forecast completion date",
        widget=DateInput,
        help_text="When your agency expects to finish. Empty it to withdraw the forecast.",
    )

    field_order = ["status", "completed_on", "note", "evidence_url", "forecast_on"]
    state_fields = ("status", "completed_on", "forecast_on")

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, directive=directive, **kwargs)
        if directive.is_parent:
            # A parent's status rolls up from its parts; the actions layer would refuse it anyway.
            del self.fields["status"]
            del self.fields["completed_on"]
        else:
            # Only loading a revoking order rescinds a directive (actions.changes).
            status = self.fields["status"]
            assert isinstance(status, forms.ChoiceField)  # noqa: S101 - declared above as one
            status.choices = [
                ("", f"No change (now {directive.get_status_display().lower()})"),
                *((value, label) for value, label in Status.choices if value != Status.RESCINDED),
            ]

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = super().action_kwargs()
        if data.get("status"):
            kwargs["status"] = data["status"]
        if data.get("completed_on"):
            kwargs["completed_on"] = data["completed_on"]
        forecast: dt.date | None = data.get("forecast_on")
        # Only a changed forecast is a change; an untouched field must not record "unchanged".
        if "forecast_on" in data and forecast != self.directive.forecast_on:
            kwargs["forecast_on"] = forecast
        return kwargs


class ReviewForm(UswdsForm):
    """An oversight reviewer's verdict on the agency's claim, with a note and an evidence reference."""

    prefix = "review"  # the page has other forms with a note: their fields' ids must differ

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    review = forms.ChoiceField(
        label="Your review",
        choices=[(v.value, v.label) for v in VERDICTS],
        widget=forms.RadioSelect,
        help_text="What you found of the agency's claim. A new claim resets it to unreviewed.",
    )
    note = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you found",
        help_text="Required; kept in the history.",
    )
    evidence = forms.CharField(
        required=False,
        label="Evidence",
        # The directive page lists its attached evidence files in this datalist (_oversight_panels.html).
        widget=forms.TextInput(attrs={"list": "review-evidence-files"}),
        help_text=(
            "A link (https://...), a reference such as a report's number, or one of the evidence "
            "files attached here (pick it from the list: its name and SHA-256)."
        ),
    )


class ExtensionRequestForm(UswdsForm):
    """A lead agency's request for a later deadline, decided by an oversight reviewer."""

    prefix = "extension"

    requested_due_on = forms.DateField(
        validators=[within_dates],
        label="New date asked for",
        widget=DateInput,
        help_text="After the current deadline.",
    )
    justification = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why more time is needed. The reviewers decide on it; it is kept in the history.",
    )


class DecisionForm(UswdsForm):
    """A reviewer's decision on an extension request: approve, or deny with a reason (its buttons)."""

    prefix = "decision"

    # The request decided: the pending one when the page was drawn, so a decision never lands on another.
    request = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")], widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Required to deny (the requester is told); an optional note to an approval.",
    )


class EventDateForm(UswdsForm):
    """The date of the event a deadline counts from (e.g. a model's planned release), and why it moved."""

    prefix = "event"  # beside the update form, which has a version and a note too

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    event_on = forms.DateField(
        validators=[within_dates],
        label="Event date",
        widget=DateInput,
        help_text="The deadline is counted from this date; record it again if the event moves.",
    )
    note = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: where the date comes from.",
    )


class NotificationPreferenceForm(UswdsForm):
    """How a person wants notices: each as it comes or a daily digest, and which kinds."""

    mode = forms.ChoiceField(
        label="When",
        choices=NotificationPreference.Mode.choices,
        widget=forms.RadioSelect,
        initial=NotificationPreference.Mode.IMMEDIATE,
    )
    kinds = forms.MultipleChoiceField(
        label="Which notices",
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unchecked to get no notices by email.",
    )
    webhook_kinds = forms.MultipleChoiceField(
        label="Which notices to post to your webhook",
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    webhook_url = forms.CharField(
        label="Your webhook's address",
        required=False,
        max_length=500,
        help_text="An https:// address; each notice is posted to it signed (Standard Webhooks). Leave it "
        "empty for none.",
    )
    feed_kinds = forms.MultipleChoiceField(
        label="Which notices to list in your notices feed",
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    time_zone = forms.CharField(
        label="Your time zone",
        required=False,  # left empty: kept as it was (Eastern for a new preference)
        max_length=64,
        help_text="Its IANA name, such as America/New_York, America/Chicago or America/Los_Angeles: your "
        "digest goes out at its hour there, and notices print their times in it.",
    )


class EvidenceForm(UswdsForm):
    """An evidence file to attach. The form only takes the upload; the actions layer checks its bytes."""

    file = forms.FileField(
        label="Evidence file",
        widget=forms.FileInput,
        allow_empty_file=True,  # the actions layer says "empty", at this field, like every other refusal
        help_text=(
            "A PDF, Word, Excel or PowerPoint document, a PNG or JPEG image, or plain text, up to "
            "the size limit. Its type is read from its content, and its SHA-256 is kept in the history."
        ),
    )
