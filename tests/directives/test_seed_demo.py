"""`seed_demo`: demo users and illustrative statuses, idempotent, refused in production."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from agencies.models import Membership, OversightReviewer
from directives.models import Directive, DirectiveEvent, Status


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_it_creates_the_demo_accounts_with_the_demo_password(order, debug, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")
    seed()
    demo = ("admin", "reviewer", "cisa-editor", "dhs-editor", "treasury-editor", "oncd-editor", "doj-editor")
    for username in demo:
        # django-axes throttles sign-ins per address, so authenticate() needs the request.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="s3cret-demo"), username
    assert get_user_model().objects.get(username="admin").is_superuser
    assert OversightReviewer.objects.filter(user__username="reviewer").exists()
    cisa = Membership.objects.get(user__username="cisa-editor")
    assert (cisa.agency.abbreviation, cisa.role) == ("CISA", "editor")
    # A department's editor, who edits for its components: DHS for what CISA leads.
    dhs = Membership.objects.get(user__username="dhs-editor")
    assert (dhs.agency.abbreviation, dhs.role) == ("DHS", "editor")


def test_it_applies_illustrative_statuses_labelled_as_demo_data(order, debug):
    seed()
    d = Directive.objects.get(ref="2(c)(i)")
    assert d.status == Status.COMPLETED
    assert str(d.completed_on) == "2026-06-10"
    completed = d.events.filter(kind="status_changed", new_status=Status.COMPLETED).first()
    assert completed.note.startswith("Illustrative demo data, not official status")
    assert Directive.objects.get(ref="3(b)").outcome == "late"


def test_a_second_run_changes_nothing(order, debug):
    seed()
    before = (get_user_model().objects.count(), DirectiveEvent.objects.count(), Membership.objects.count())
    assert "0 illustrative updates applied" in seed()
    assert (
        get_user_model().objects.count(),
        DirectiveEvent.objects.count(),
        Membership.objects.count(),
    ) == before


def test_it_refuses_to_run_with_debug_off(order, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        seed()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_it_asks_for_the_order_to_be_loaded_first(debug):
    with pytest.raises(CommandError, match="load_order"):
        seed()
