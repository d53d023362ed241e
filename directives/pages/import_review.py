"""The import page's review step: the drafted directives as forms, the corrections as an order file, each
problem placed on its field, and the text cut into segments that show where each directive came from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import QueryDict

from agencies.catalog import default_catalog
from agencies.models import Agency
from directives import deadlines
from directives.drafting import Draft, DraftedAmend, DraftedDirective
from directives.drafting.writer import to_toml
from directives.orderfile import AgencySpec, OrderFileError, OrderSpec, parse_order_file

from .import_forms import (
    _ORDER_PROBLEM,
    _PROBLEM,
    _RULE_KEYS,
    RULE_FIELDS,
    DirectiveDraftForm,
    DirectiveDraftFormSet,
    OrderTextForm,
    _abbreviations,
)


def directive_forms(
    result: Draft, data: QueryDict | None = None, *, add: bool = False
) -> forms.BaseFormSet[DirectiveDraftForm]:
    """Return the formset of ``result``'s directives (bound to ``data`` when the page sent it).

    With ``add``, one blank form more, for a directive the drafter missed (its section field focused).
    """
    if data is not None and add:
        data = data.copy()
        total = data.get("d-TOTAL_FORMS", "")
        if total.isdigit():
            data["d-TOTAL_FORMS"] = str(int(total) + 1)
    initial = [DirectiveDraftForm.initial_of(i, d) for i, d in enumerate(result.directives)]
    formset = DirectiveDraftFormSet(data, initial=None if data is not None else initial, prefix="d")
    for form in formset.forms:
        drafted = drafted_of(result, form)
        form.set_drafted(drafted.rule if drafted else None)
    if add and formset.forms:
        formset.forms[-1].fields["ref"].widget.attrs["autofocus"] = True
    return formset


def drafted_index(result: Draft, form: DirectiveDraftForm) -> int | None:
    """Return the index of the drafted directive ``form`` corrects; None for one the reviewer added."""
    value = form.data.get(form.add_prefix("index")) if form.is_bound else form.initial.get("index")
    try:
        index = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return index if index is not None and 0 <= index < len(result.directives) else None


def drafted_of(result: Draft, form: DirectiveDraftForm) -> DraftedDirective | None:
    """Return the drafted directive ``form`` corrects, or None for one the reviewer added."""
    index = drafted_index(result, form)
    return result.directives[index] if index is not None else None


# What a directive the reviewer adds starts from: no excerpt of the text, nothing to review.
ADDED = DraftedDirective(
    ref="",
    title="",
    leads=(),
    consulted=(),
    rule=deadlines.NoDeadline(),
    parent="",
    source="",
    review="",
    start=0,
    end=0,
    due_on=None,
)


@dataclass
class Corrected:
    """The order file the page's corrections make of a draft, validated; or why it is not valid yet."""

    toml: str
    spec: OrderSpec | None  # None while a field or the file has a problem: nothing may be loaded
    problems: list[str]  # what no field on the page owns (shown at the top)


def corrected(
    result: Draft, text_form: OrderTextForm, formset: forms.BaseFormSet[DirectiveDraftForm]
) -> Corrected:
    """Apply the formset's corrections to ``result`` and validate the order file they make.

    Every problem is put at the field it names (a directive's, or the order's); the rest are returned.
    The file is checked even when some fields were refused, so one submit shows every error: a refused
    field counts as what was typed in it (the drafted rule for a refused deadline), and a problem the
    file has with a field already refused is not shown twice.
    """
    kept = []
    owners: dict[str, DirectiveDraftForm] = {}
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        index = data.get("index")
        if not data or data.get("DELETE") or "index" in form.errors:
            continue  # left out, added and left blank, or naming no directive of the draft
        if index is not None and index >= len(result.directives):
            continue
        base = result.directives[index] if index is not None else ADDED
        ref = _text(form, "ref").strip()
        leads = data["leads"] if "leads" in data else _abbreviations(_text(form, "leads"))
        consulted = data["consulted"] if "consulted" in data else _abbreviations(_text(form, "consulted"))
        kept.append(
            dataclasses.replace(
                base,
                ref=ref,
                title=_text(form, "title").strip(),
                parent=_text(form, "parent").strip(),
                leads=leads,
                consulted=tuple(c for c in consulted if c not in leads),
                rule=data.get("rule", base.rule),
            )
        )
        owners[ref] = form  # a duplicate ref is the later form's to correct
    agencies = _agencies_for(result.agencies, kept, result.amends)
    toml = to_toml(dataclasses.replace(result, directives=tuple(kept), agencies=agencies))
    known = frozenset(Agency.objects.values_list("abbreviation", flat=True))
    try:
        spec = parse_order_file(toml, known_agencies=known)
    except OrderFileError as exc:
        return Corrected(toml, None, place_problems(exc.problems, text_form, formset, owners))
    return Corrected(toml, spec if formset.is_valid() else None, [])


def _text(form: DirectiveDraftForm, name: str) -> str:
    """Return a text field's cleaned value, or what was typed in it when it was refused."""
    if name in form.cleaned_data:
        return str(form.cleaned_data[name])
    value = form[name].value()
    return value if isinstance(value, str) else ""


def _agencies_for(
    drafted: tuple[AgencySpec, ...], kept: list[DraftedDirective], amends: tuple[DraftedAmend, ...]
) -> tuple[AgencySpec, ...]:
    """Return the agencies the kept directives and the amendments name, with their parents, parents first.

    Only those: an agency the drafter made up for an office no kept directive names any more is left
    out of the file, so loading it creates none (the catalog's agencies likewise).
    """
    specs = {a.abbreviation: a for a in drafted}
    catalog = default_catalog()
    used: dict[str, AgencySpec] = {}
    named = [a for d in kept for a in (*d.leads, *d.consulted)]
    named += [a for amend in amends for a in (*amend.leads, *amend.consulted)]
    for abbreviation in dict.fromkeys(named):
        lineage: list[AgencySpec] = []  # the agency, then the agencies above it
        step = abbreviation
        while step and all(a.abbreviation != step for a in lineage):
            if step in specs:
                lineage.append(specs[step])
            elif step in catalog:
                known = catalog.agencies[step]
                lineage.append(AgencySpec(known.abbreviation, known.name, known.kind, known.parent))
            else:
                break  # already in the database, or unknown: the file's validation says which
            step = lineage[-1].parent
        for a in reversed(lineage):
            used.setdefault(a.abbreviation, a)
    return tuple(used.values())


def place_problems(
    problems: list[str],
    text_form: OrderTextForm,
    formset: forms.BaseFormSet[DirectiveDraftForm],
    owners: dict[str, DirectiveDraftForm] | None = None,
) -> list[str]:
    """Put each problem at the field it names; return those no field on the page owns.

    ``owners`` maps each ref in the file to its form (by default, the refs of the valid forms). A
    problem with a field that already shows an error is dropped: that error is the one to correct.
    """
    by_ref = owners
    if by_ref is None:
        by_ref = {
            f.cleaned_data.get("ref", "").strip(): f
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        }
    left = []
    for problem in problems:
        found = _PROBLEM.match(problem)
        if found and found["ref"] in by_ref and found["field"] == "deadline":
            form = by_ref[found["ref"]]
            if any(name in form.errors for name in (*RULE_FIELDS, NON_FIELD_ERRORS)):
                continue  # the refused deadline stood in for by the drafted one: its own error says why
            field = _RULE_KEYS.get(found["rest"].rpartition(".")[2]) or form.problem_field()
            form.add_error(field, found["message"][:1].upper() + found["message"][1:])
            continue
        if found and found["ref"] in by_ref and found["field"] in DirectiveDraftForm.base_fields:
            if found["field"] in by_ref[found["ref"]].errors:
                continue
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
class Unplaced:
    """A sentence with a deadline-like phrase that the drafter placed in no directive, and why."""

    sentence: str
    reason: str
    start: int = 0  # its offsets in ``Draft.text``, when the drafter gives them (else 0, 0)
    end: int = 0


def unplaced_of(result: Draft) -> list[Unplaced]:
    """Return the draft's unplaced sentences (``Draft.unplaced``: sentence, reason, start, end).

    A draft from a drafter that lists none has none: read with ``getattr`` so the page works with both;
    offsets outside the text are dropped (the sentence is still listed).
    """
    found = []
    for u in getattr(result, "unplaced", ()):
        start, end = getattr(u, "start", 0), getattr(u, "end", 0)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(result.text)):
            start = end = 0
        found.append(Unplaced(str(u.sentence), str(u.reason), start, end))
    return found


@dataclass(frozen=True)
class Segment:
    """A run of the order's text, and the drafted directive it belongs to (None between directives)."""

    text: str
    index: int | None
    starts: bool  # the first run of that directive: where its label and anchor go
    ref: str = ""
    review: bool = False  # the drafter was unsure of that directive
    unplaced: int | None = None  # the unplaced sentence the run is part of, if any
    unplaced_starts: bool = False  # its first run: where its anchor goes


def segments(result: Draft, unplaced: list[Unplaced] | None = None) -> list[Segment]:
    """Return the draft's text cut at its directives' spans, each run marked with the innermost one,
    and at the unplaced sentences' spans, each run marked with the sentence it is part of.

    A section's span holds its parts' spans: a character belongs to the smallest span around it.
    """
    spans = [(d.start, d.end, i) for i, d in enumerate(result.directives) if d.end > d.start]
    loose = [(u.start, u.end, k) for k, u in enumerate(unplaced or []) if u.end > u.start]
    cuts = sorted({0, len(result.text), *(x for s, e, _ in (*spans, *loose) for x in (s, e))})
    runs: list[Segment] = []
    seen: set[int] = set()
    seen_loose: set[int] = set()
    for start, end in itertools.pairwise(cuts):
        around = [(e - s, i) for s, e, i in spans if s <= start and end <= e]
        index = min(around)[1] if around else None
        sentence = next((k for s, e, k in loose if s <= start and end <= e), None)
        if runs and (runs[-1].index, runs[-1].unplaced) == (index, sentence):
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
                unplaced=sentence,
                unplaced_starts=sentence is not None and sentence not in seen_loose,
            )
        )
        if index is not None:
            seen.add(index)
        if sentence is not None:
            seen_loose.add(sentence)
    return runs


def due_text(rule: deadlines.Rule, signed_on: dt.date) -> str:
    """Return the rule in words and the date it gives, as the review shows it beside the field."""
    due = deadlines.due_date(rule, signed_on=signed_on)
    return rule.describe() + (f": {deadlines.weekday_date(due)}" if due else "")
