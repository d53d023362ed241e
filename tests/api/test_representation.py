"""The directive built directly (``serializers/shapes.py``) is DRF's field-by-field answer, exactly.

``DirectiveSerializer`` and ``EvidenceSerializer`` build their answer from a table of one function per
field, for speed; DRF's own path (``Serializer.to_representation``: each declared field's source and
``to_representation``, the ``get_*`` methods) is what the fields and the schema say. Both are asked
about directives of every shape: parents and parts, occurrences of a series, no deadline, rescinded,
amended, completed on time and late, verified, flagged, not applicable, flagged overdue, with evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from directives import actions
from directives.api.serializers import DirectiveSerializer, EvidenceSerializer, UpcomingDeadlineSerializer
from directives.api.views import DirectiveViewSet
from directives.models import Directive, Status
from tests.directives.rule_orders import AT_B, ORDER_A, ORDER_B, load
from tests.evidence import samples
from tests.evidence.conftest import upload

pytestmark = pytest.mark.django_db

JULY_10_NOON = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.UTC)  # 30-day deadlines passed, 60-day ahead
SEPTEMBER_1 = dt.datetime(2026, 9, 1, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def evidence_store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "directives.files.storing.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence-store")},
        },
    }


@pytest.fixture
def every_shape(directive, cisa_editor, treasury_editor, reviewer, admin_user, evidence_store):
    load(ORDER_A)
    load(ORDER_B, AT_B)  # an occurrence of a series, a rescinded status, an amended deadline
    with time_machine.travel(dt.datetime(2026, 3, 15, tzinfo=dt.UTC), tick=False):
        actions.advance_series()
    with time_machine.travel(JULY_10_NOON, tick=False):
        part = directive("2(c)(i)")
        actions.attach_evidence(part, upload("memo.pdf", samples.pdf()), actor=cisa_editor)
        actions.change_status(part, Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1))
        actions.review(directive("2(c)(i)"), "verified", actor=reviewer, note="Seen the memo.")
        actions.change_status(directive("2(d)"), Status.COMPLETED, actor=treasury_editor)  # 8 days late
        actions.change_status(
            directive("3(a)"), Status.NOT_APPLICABLE, actor=treasury_editor, note="Not ours to do."
        )
        actions.flag_overdue()
    with time_machine.travel(SEPTEMBER_1, tick=False):
        # Completed on a date more than the allowed lag before it was recorded: flagged for review.
        actions.change_status(
            directive("2(c)(ii)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 7, 1)
        )


def _context(now: dt.datetime) -> dict:
    return {"request": RequestFactory().get("/api/v1/directives/"), "now": now}


def test_every_directive_is_what_drf_makes_of_its_fields(every_shape):
    directives = list(Directive.objects.with_agencies().order_by("pk"))
    shapes = {
        "a part": any(d.parent_id for d in directives),
        "a parent": any(d.parts for d in directives),
        "an occurrence": any(d.series_id for d in directives),
        "no deadline": any(d.due_on is None for d in directives),
        "rescinded": any(d.status == Status.RESCINDED for d in directives),
        "late": any(d.days_late for d in directives),
        "verified": any(d.verified_outcome for d in directives),
        "flagged": any(d.completion_flag for d in directives),
        "a reason": any(d.status_reason for d in directives),
        "flagged overdue": any(d.overdue_flagged_at for d in directives),
        "evidence": any(d.evidence for d in directives),
    }
    assert all(shapes.values()), shapes
    for now in (JULY_10_NOON, SEPTEMBER_1, timezone.now()):
        context = _context(now)
        for d in directives:
            built = DirectiveSerializer(d, context=context).data
            field_by_field = serializers.Serializer.to_representation(DirectiveSerializer(context=context), d)
            assert built == field_by_field, d.ref
            assert list(built) == list(field_by_field)
            upcoming = UpcomingDeadlineSerializer(d, context=context)
            assert upcoming.data == serializers.Serializer.to_representation(upcoming, d)
            for file in d.evidence:
                evidence = EvidenceSerializer(file, context=context)
                assert evidence.data == serializers.Serializer.to_representation(evidence, file)


def test_a_list_of_directives_is_the_directives_one_by_one(every_shape):
    directives = list(Directive.objects.with_agencies().order_by("pk"))
    context = _context(SEPTEMBER_1)
    listed: Any = DirectiveSerializer(directives, many=True, context=context).data  # a list, many=True
    assert listed == [
        serializers.Serializer.to_representation(DirectiveSerializer(context=context), d) for d in directives
    ]


def test_the_lists_rows_without_their_relatives_loaded_are_the_same_directives(every_shape):
    # The list's query reads the order's number and the parent's and series' refs as columns of the row
    # instead of loading them as model instances; the answer is DRF's for the fully loaded directive.
    listed = list(DirectiveViewSet().get_queryset().order_by("pk"))
    loaded = list(Directive.objects.with_agencies().order_by("pk"))
    assert [d.pk for d in listed] == [d.pk for d in loaded]
    assert not any(d._state.fields_cache.keys() & {"order", "parent", "series"} for d in listed)
    context = _context(SEPTEMBER_1)
    built: Any = DirectiveSerializer(listed, many=True, context=context).data  # a list, many=True
    assert built == [
        serializers.Serializer.to_representation(DirectiveSerializer(context=context), d) for d in loaded
    ]
