"""The import page's forms: an order's text in, the drafter's draft out, each directive correctable in place,
and the order file the corrections make (validated as any order file is before anything is loaded).

Nothing here writes: the page loads the order through ``actions.load_order``. The text travels with every
step of the form (a hidden field once drafted), and each step drafts it again, so the page needs no state
on the server and trusts nothing but the text and the corrections it sends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.http import QueryDict

from agencies.catalog import default_catalog
from agencies.models import Agency
from uswds.forms import DateInput, UswdsForm

from . import deadlines
from .bounds import within_dates
from .drafting import Draft, DraftedDirective, DraftError, draft
from .drafting.writer import inline, to_toml
from .orderfile import MAX_REF, MAX_TITLE, AgencySpec, OrderFileError, OrderSpec, parse_order_file

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


class DirectiveDraftForm(UswdsForm):
    """One drafted directive as the page shows it, every field correctable."""

    index = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    keep = forms.BooleanField(required=False, label="Load this directive")
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
    deadline = forms.CharField(
        max_length=500,
        label="Deadline",
        help_text='As in an order file, e.g. { kind = "days_after_order", days = 60 } or '
        '{ kind = "on_date", date = 2026-12-31 }.',
    )

    def clean_leads(self) -> tuple[str, ...]:
        leads = _abbreviations(self.cleaned_data["leads"])
        if not leads:
            raise ValidationError("Name at least one lead agency.")
        return leads

    def clean_consulted(self) -> tuple[str, ...]:
        return _abbreviations(self.cleaned_data.get("consulted", ""))

    def clean_deadline(self) -> deadlines.Rule:
        text = self.cleaned_data["deadline"].strip()
        try:
            table = tomllib.loads(f"deadline = {text}")["deadline"]
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(
                f"Not a rule in the order file's form ({exc}); write it like "
                '{ kind = "days_after_order", days = 60 }.'
            ) from None
        try:
            return deadlines.rule_from_dict(table)
        except deadlines.RuleError as exc:
            raise ValidationError(str(exc)) from None

    @classmethod
    def initial_of(cls, index: int, d: DraftedDirective) -> dict[str, object]:
        return {
            "index": index,
            "keep": True,
            "ref": d.ref,
            "title": d.title,
            "parent": d.parent,
            "leads": ", ".join(d.leads),
            "consulted": ", ".join(d.consulted),
            "deadline": inline(d.rule.as_dict()),
        }


DirectiveDraftFormSet = formset_factory(DirectiveDraftForm, extra=0, max_num=2000, absolute_max=2000)


def directive_forms(result: Draft, data: QueryDict | None = None) -> forms.BaseFormSet[DirectiveDraftForm]:
    """Return the formset of ``result``'s directives (bound to ``data`` when the page sent it)."""
    initial = [DirectiveDraftForm.initial_of(i, d) for i, d in enumerate(result.directives)]
    return DirectiveDraftFormSet(data, initial=None if data is not None else initial, prefix="d")


@dataclass
class Corrected:
    """The order file the page's corrections make of a draft, validated; or why it is not valid yet."""

    toml: str
    spec: OrderSpec | None
    problems: list[str]  # what no field on the page owns (shown at the top)


def corrected(
    result: Draft, text_form: OrderTextForm, formset: forms.BaseFormSet[DirectiveDraftForm]
) -> Corrected:
    """Apply the formset's corrections to ``result`` and validate the order file they make.

    Every problem is put at the field it names (a directive's, or the order's); the rest are returned.
    """
    kept = []
    for form in formset.forms:
        data = form.cleaned_data
        index = data.get("index")
        if not data.get("keep") or index is None or index >= len(result.directives):
            continue
        base = result.directives[index]
        kept.append(
            dataclasses.replace(
                base,
                ref=data["ref"].strip(),
                title=data["title"].strip(),
                parent=data.get("parent", "").strip(),
                leads=data["leads"],
                consulted=tuple(c for c in data["consulted"] if c not in data["leads"]),
                rule=data["deadline"],
            )
        )
    agencies = _agencies_for(result.agencies, kept)
    toml = to_toml(dataclasses.replace(result, directives=tuple(kept), agencies=agencies))
    known = frozenset(Agency.objects.values_list("abbreviation", flat=True))
    try:
        return Corrected(toml, parse_order_file(toml, known_agencies=known), [])
    except OrderFileError as exc:
        return Corrected(toml, None, place_problems(exc.problems, text_form, formset))


def _agencies_for(drafted: tuple[AgencySpec, ...], kept: list[DraftedDirective]) -> tuple[AgencySpec, ...]:
    """Return the draft's agencies and any the corrections name that the catalog knows, parents first."""
    specs = {a.abbreviation: a for a in drafted}
    catalog = default_catalog()
    for abbreviation in dict.fromkeys(a for d in kept for a in (*d.leads, *d.consulted)):
        if abbreviation in specs or abbreviation not in catalog:
            continue
        for a in reversed(catalog.lineage(abbreviation)):
            specs.setdefault(a.abbreviation, AgencySpec(a.abbreviation, a.name, a.kind, a.parent))
    return tuple(specs.values())


def place_problems(
    problems: list[str], text_form: OrderTextForm, formset: forms.BaseFormSet[DirectiveDraftForm]
) -> list[str]:
    """Put each problem at the field it names; return those no field on the page owns."""
    by_ref = {f.cleaned_data.get("ref", "").strip(): f for f in formset.forms if f.cleaned_data.get("keep")}
    left = []
    for problem in problems:
        found = _PROBLEM.match(problem)
        if found and found["ref"] in by_ref and found["field"] in DirectiveDraftForm.base_fields:
            message = (
                f"{found['field']}{found['rest']}: {found['message']}" if found["rest"] else found["message"]
            )
            by_ref[found["ref"]].add_error(found["field"], message[:1].upper() + message[1:])
            continue
        order = _ORDER_PROBLEM.match(problem)
        if order:
            text_form.add_error(order["field"], order["message"][:1].upper() + order["message"][1:])
            continue
        left.append(problem)
    return left


def load_problems(
    error: ValidationError, text_form: OrderTextForm, formset: forms.BaseFormSet[DirectiveDraftForm]
) -> list[str]:
    """Put a refused load's errors (``actions.load_order``) at their fields; return the rest."""
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return place_problems(
        [
            f"{key}: {' '.join(texts)}" if key != NON_FIELD_ERRORS else " ".join(texts)
            for key, texts in messages.items()
        ],
        text_form,
        formset,
    )


@dataclass(frozen=True)
class Segment:
    """A run of the order's text, and the drafted directive it belongs to (None between directives)."""

    text: str
    index: int | None
    starts: bool  # the first run of that directive: where its label and anchor go
    ref: str = ""
    review: bool = False  # the drafter was unsure of that directive


def segments(result: Draft) -> list[Segment]:
    """Return the draft's text cut at its directives' spans, each run marked with the innermost one.

    A section's span holds its parts' spans: a character belongs to the smallest span around it.
    """
    spans = [(d.start, d.end, i) for i, d in enumerate(result.directives) if d.end > d.start]
    cuts = sorted({0, len(result.text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    runs: list[Segment] = []
    seen: set[int] = set()
    for start, end in itertools.pairwise(cuts):
        around = [(e - s, i) for s, e, i in spans if s <= start and end <= e]
        index = min(around)[1] if around else None
        if runs and runs[-1].index == index:
            runs[-1] = dataclasses.replace(runs[-1], text=runs[-1].text + result.text[start:end])
            continue
        d = result.directives[index] if index is not None else None
        runs.append(
            Segment(
                result.text[start:end],
                index,
                starts=index is not None and index not in seen,
                ref=d.ref if d else "",
                review=bool(d and d.review),
            )
        )
        if index is not None:
            seen.add(index)
    return runs


def due_text(rule: deadlines.Rule, signed_on: dt.date) -> str:
    """Return the rule in words and the date it gives, as the review shows it beside the field."""
    due = deadlines.due_date(rule, signed_on=signed_on)
    return rule.describe() + (f": {deadlines.weekday_date(due)}" if due else "")
