"""The import page's forms: an order's text in, the drafter's draft out, each directive correctable in place,
and the order file the corrections make (validated as any order file is before anything is loaded).

Nothing here writes: the page loads the order through ``actions.load_order``. The text travels with every
step of the form (a hidden field once drafted), and each step drafts it again, so the page needs no state
on the server and trusts nothing but the text and the corrections it sends.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.forms.formsets import DELETION_FIELD_NAME

from directives import deadlines
from directives.drafting import Draft, DraftedDirective, DraftError, draft
from directives.models.bounds import within_dates
from directives.orderfile import MAX_REF, MAX_TITLE
from uswds.forms import DateInput, Select, UswdsForm

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xml")
# A problem the order file's validation names: `directives[4(a)].leads: unknown agency 'X'`.
_PROBLEM = re.compile(r"^directives\[(?P<ref>.*?)\]\.(?P<field>\w+)(?P<rest>[.\w]*): (?P<message>.*)$", re.S)
_ORDER_PROBLEM = re.compile(r"^order\.(?P<field>number|title|signed_on): (?P<message>.*)$", re.S)
_ABBREVIATIONS = re.compile(r"[,;\s]+")


def max_bytes() -> int:
    return settings.ORDER_IMPORT_MAX_BYTES


class OrderTextForm(UswdsForm):
    """The order's text (uploaded or pasted) and what the text may lack: its number, date and title."""

    file = forms.FileField(
        required=False,
        label="Upload the order's text",
        help_text="Plain text, Markdown, the whitehouse.gov page (.html) or Federal Register XML (.xml).",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Or paste the order's text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The whole order, from its title to its signature.",
    )
    # The uploaded file's name, carried with its text once drafted: it tells HTML and XML apart.
    filename = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=999_999,
        label="Order number",
        help_text="Only when the text lacks it (a whitehouse.gov page has none until it is published).",
    )
    signed_on = forms.DateField(
        validators=[within_dates],
        required=False,
        label="Signing date",
        widget=DateInput,
        help_text="Only when the text lacks it.",
    )
    title = forms.CharField(
        required=False,
        max_length=MAX_TITLE,
        label="Title",
        help_text="Instead of the title the text gives.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = max_bytes() // 1000
        self.fields["file"].help_text += f" At most {limit:,} kB, in UTF-8."
        self.fields["file"].widget.attrs["accept"] = ",".join(SUFFIXES)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed as a dict
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text.strip():
            self.add_error("text", "Give the text one way: upload a file or paste it, not both.")
        elif upload:
            data["text"], data["filename"] = self._read(upload), Path(upload.name).name[:200]
        elif not text.strip():
            self.add_error("text", "Paste the order's text, or upload a file of it.")
        elif len(text.encode()) > max_bytes():
            self.add_error("text", f"The text is longer than {max_bytes() // 1000:,} kB; is it one order?")
        return data

    def _read(self, upload: UploadedFile[bytes]) -> str:
        name = upload.name or ""
        if Path(name).suffix.lower() not in SUFFIXES:
            raise ValidationError(
                {"file": f"{name!r} is not a text file the drafter reads: give {', '.join(SUFFIXES)}."}
            )
        if upload.size is not None and upload.size > max_bytes():
            raise ValidationError(
                {"file": f"The file is {upload.size // 1000:,} kB; the limit is {max_bytes() // 1000:,} kB."}
            )
        data = upload.read()
        if not data.strip():
            raise ValidationError({"file": "The file is empty."})
        if b"\x00" in data[:65536]:
            raise ValidationError(
                {"file": "The file is binary, not text: give the order as text, HTML or XML."}
            )
        if not isinstance(data, bytes):  # an upload is read as bytes; the stubs allow any text type
            raise TypeError(f"an upload read as {type(data).__name__}, not bytes")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                {"file": f"The file cannot be read as UTF-8 (byte {exc.start}): save it as UTF-8."}
            ) from None

    def draft(self) -> Draft | None:
        """Return the draft of the cleaned text, or None after putting the drafter's refusal at its field."""
        data = self.cleaned_data
        try:
            return draft(
                data["text"],
                filename=data.get("filename") or None,
                number=data.get("number"),
                signed_on=data.get("signed_on"),
                title=data.get("title") or None,
            )
        except DraftError as exc:
            message = str(exc)
            if "--number" in message:
                self.add_error("number", message.replace("give it with --number", "enter it here") + ".")
            elif "--signed-on" in message:
                self.add_error("signed_on", message.split(": give it with")[0] + ": enter it here.")
            else:
                self.add_error(
                    "file" if data.get("filename") else "text", message[:1].upper() + message[1:] + "."
                )
            return None


def _abbreviations(value: str) -> tuple[str, ...]:
    return tuple(a for a in _ABBREVIATIONS.split(value.strip()) if a)


# The deadline's kinds as the review page offers them: each a few fields, no order-file syntax.
AFTER_ORDER, ON_DATE, AFTER_DIRECTIVE, NONE, DRAFTED = (
    "after_order",
    "on_date",
    "after_directive",
    "none",
    "drafted",
)
RULE_KINDS = [
    (AFTER_ORDER, "Within a number of days, months or years of the signing date"),
    (ON_DATE, "By a date"),
    (AFTER_DIRECTIVE, "A number of days or months after another directive is done"),
    (NONE, "No deadline"),
]
UNITS = [("days", "days"), ("months", "months"), ("years", "years")]
# The rule's fields on the page, and the fields of an order file's rule each one stands for.
RULE_FIELDS = ("kind", "number", "unit", "anchor", "date", "ongoing")
_RULE_KEYS = {"days": "number", "months": "number", "years": "number", "directive": "anchor", "date": "date"}


def rule_fields(rule: deadlines.Rule) -> dict[str, object]:
    """Return the page's rule fields for ``rule``: kind "drafted" for one that they cannot express."""
    if isinstance(rule, deadlines.DaysAfterOrder | deadlines.MonthsAfterOrder | deadlines.YearsAfterOrder):
        unit = rule.kind.value.split("_")[0]
        return {"kind": AFTER_ORDER, "number": getattr(rule, unit), "unit": unit, "ongoing": rule.ongoing}
    if isinstance(rule, deadlines.OnDate):
        return {"kind": ON_DATE, "date": rule.date, "ongoing": rule.ongoing, "unit": "days"}
    if isinstance(rule, deadlines.AfterDirective) and rule.order is None:
        unit = "months" if rule.months is not None else "days"
        return {
            "kind": AFTER_DIRECTIVE,
            "number": rule.months or rule.days or 0,
            "unit": unit,
            "anchor": rule.directive,
        }
    if isinstance(rule, deadlines.NoDeadline):
        return {"kind": NONE, "unit": "days"}
    return {"kind": DRAFTED, "unit": "days"}


class DirectiveDraftForm(UswdsForm):
    """One directive as the page shows it, every field correctable: drafted, or added by the reviewer."""

    # The drafted directive's place in the draft; blank for a directive the reviewer adds.
    index = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    ref = forms.CharField(
        max_length=MAX_REF, label="Section", help_text="As the text numbers it, e.g. 4(a)(i)."
    )
    title = forms.CharField(max_length=MAX_TITLE, label="Title")
    parent = forms.CharField(
        required=False, max_length=MAX_REF, label="Part of", help_text="The section it belongs to, if any."
    )
    leads = forms.CharField(
        max_length=500,
        label="Lead agencies",
        help_text="Abbreviations, the owner first, separated by commas (e.g. DHS, CISA).",
    )
    consulted = forms.CharField(
        required=False, max_length=1000, label="Consulted agencies", help_text="Abbreviations, by commas."
    )
    kind = forms.ChoiceField(choices=RULE_KINDS, label="Kind of deadline", widget=Select)
    number = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=36_500,
        label="Number",
        help_text="Of days, months or years: for a deadline after the signing date or another directive.",
    )
    unit = forms.ChoiceField(choices=UNITS, label="Unit", initial="days", widget=Select)
    anchor = forms.CharField(
        required=False,
        max_length=MAX_REF,
        label="Anchor directive",
        help_text="The section whose completion the time counts from, e.g. 2(a).",
    )
    date = forms.DateField(
        validators=[within_dates],
        required=False,
        widget=DateInput,
        label="Date",
        help_text="For a deadline by a date.",
    )
    ongoing = forms.BooleanField(required=False, label="The duty goes on after the date")

    initial_rule: deadlines.Rule | None = None  # the drafted directive's rule, whichever its kind
    drafted_rule: deadlines.Rule | None = None  # the same, when no kind above expresses it

    def set_drafted(self, rule: deadlines.Rule | None) -> None:
        """Tell the form its drafted rule; offer it as "as drafted" when the fields cannot express it."""
        self.initial_rule = rule
        if rule is not None and rule_fields(rule)["kind"] == DRAFTED:
            self.drafted_rule = rule
            kind = self.fields["kind"]
            kind.choices = [(DRAFTED, f"As drafted: {rule.describe()}"), *RULE_KINDS]  # type: ignore[attr-defined]  # a ChoiceField, typed as Field

    def clean_leads(self) -> tuple[str, ...]:
        leads = _abbreviations(self.cleaned_data["leads"])
        if not leads:
            raise ValidationError("Name at least one lead agency.")
        return leads

    def clean_consulted(self) -> tuple[str, ...]:
        return _abbreviations(self.cleaned_data.get("consulted", ""))

    def clean_anchor(self) -> str:
        return str(self.cleaned_data.get("anchor", "")).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "kind" in data and not any(name in self.errors for name in RULE_FIELDS):
            try:
                data["rule"] = self._rule(data)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data

    def _rule(self, data: dict[str, Any]) -> deadlines.Rule:
        """Return the rule the fields give, or raise a ValidationError naming the field that is wrong."""
        kind, number, unit, ongoing = data["kind"], data.get("number"), data["unit"], data.get("ongoing")
        if ongoing and kind not in (AFTER_ORDER, ON_DATE):
            raise ValidationError(
                {"ongoing": "Only a deadline after the signing date or by a date goes on after it."}
            )
        if kind == DRAFTED:
            if self.drafted_rule is None:
                raise ValidationError({"kind": "This directive has no drafted rule to keep: choose a kind."})
            return self.drafted_rule
        if kind == NONE:
            return deadlines.NoDeadline()
        table: dict[str, Any]
        if kind == ON_DATE:
            if data.get("date") is None:
                raise ValidationError({"date": "Give the date of a deadline by a date."})
            table = {"kind": "on_date", "date": data["date"]}
        elif number is None:
            raise ValidationError({"number": f"Give the number of {unit}."})
        elif kind == AFTER_ORDER:
            table = {"kind": f"{unit}_after_order", unit: number}
        else:
            if not data.get("anchor"):
                raise ValidationError({"anchor": "Give the section of the directive the time counts from."})
            if unit == "years":
                raise ValidationError({"unit": "Count days or months after another directive, not years."})
            # Keep how the text words the other directive's completion ("published", "issued").
            drafted = self.initial_rule
            trigger = drafted.trigger.value if isinstance(drafted, deadlines.AfterDirective) else "completed"
            table = {"kind": "after_directive", "directive": data["anchor"], unit: number, "trigger": trigger}
        if ongoing:
            table["ongoing"] = True
        try:
            return deadlines.rule_from_dict(table)
        except deadlines.RuleError as exc:
            key, _, message = str(exc).partition(": ")
            field = _RULE_KEYS.get(key.rpartition(".")[2], "kind")
            raise ValidationError({field: message[:1].upper() + message[1:] + "."}) from None

    def problem_field(self) -> str:
        """Return the rule field where a problem with the whole deadline (a moved due date) is shown."""
        kind = self.cleaned_data.get("kind") if hasattr(self, "cleaned_data") else None
        return {AFTER_ORDER: "number", AFTER_DIRECTIVE: "number", ON_DATE: "date"}.get(kind or "", "kind")

    @classmethod
    def initial_of(cls, index: int, d: DraftedDirective) -> dict[str, object]:
        return {
            "index": index,
            "ref": d.ref,
            "title": d.title,
            "parent": d.parent,
            "leads": ", ".join(d.leads),
            "consulted": ", ".join(d.consulted),
            **rule_fields(d.rule),
        }


# What a directive the reviewer adds starts as: a blank one is left out (its form has not changed).
ADDED_INITIAL = {"kind": AFTER_ORDER, "unit": "days"}


class BaseDirectiveDraftFormSet(forms.BaseFormSet[DirectiveDraftForm]):
    """The drafted directives' forms, then those the reviewer added (past ``INITIAL_FORMS``)."""

    def add_fields(self, form: DirectiveDraftForm, index: int | None) -> None:
        super().add_fields(form, index)
        # Django's deletion box: a directive left out is neither validated nor written to the file.
        form.fields[DELETION_FIELD_NAME].label = "Leave this directive out"

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if self.is_bound and index is not None and index >= self.initial_form_count():
            kwargs["initial"] = ADDED_INITIAL
        return kwargs


DirectiveDraftFormSet = formset_factory(
    DirectiveDraftForm,
    formset=BaseDirectiveDraftFormSet,
    extra=0,
    max_num=2000,
    absolute_max=2000,
    can_delete=True,
)
