"""Who may act for which agency is audited: every change lands in the signed access log, in the same
transaction, whether it came through the admin, the tokens page or a sign-in lockout."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from agencies import actions, roles
from agencies.models import Agency, Membership, OversightReviewer
from ledger import audit
from ledger.models import AccessEvent
from tests.directives.test_history import tamper

NOON = dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)


def log_since(seq: int) -> list[tuple[str, int | None, int | None, int | None, dict]]:
    return [
        (e.kind, e.actor_id, e.subject_id, e.agency_id, json.loads(e.detail))
        for e in AccessEvent.objects.filter(seq__gt=seq).order_by("seq")
    ]


def head() -> int:
    return AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_grants_changes_and_revokes_a_membership_through_the_log(admin_client, admin_user, outsider):
    cisa = Agency.objects.get(abbreviation="CISA")
    start = head()
    add = admin_client.post(
        "/admin/agencies/membership/add/", {"user": outsider.id, "agency": cisa.id, "role": "viewer"}
    )
    assert add.status_code == 302
    membership = Membership.objects.get(user=outsider)
    admin_client.post(f"/admin/agencies/membership/{membership.id}/change/", {"role": "editor"})
    admin_client.post(f"/admin/agencies/membership/{membership.id}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(user=outsider).exists()
    assert log_since(start) == [
        ("membership_granted", admin_user.id, outsider.id, cisa.id, {"role": "viewer"}),
        ("membership_changed", admin_user.id, outsider.id, cisa.id, {"old_role": "viewer", "role": "editor"}),
        ("membership_revoked", admin_user.id, outsider.id, cisa.id, {"role": "editor"}),
    ]
    assert audit.verify()[1] is None


def test_an_admin_grants_and_revokes_the_reviewer_role_through_the_log(admin_client, admin_user, outsider):
    start = head()
    admin_client.post("/admin/agencies/oversightreviewer/add/", {"user": outsider.id})
    reviewer = OversightReviewer.objects.get(user=outsider)
    admin_client.post(f"/admin/agencies/oversightreviewer/{reviewer.id}/delete/", {"post": "yes"})
    assert [entry[:3] for entry in log_since(start)] == [
        ("reviewer_granted", admin_user.id, outsider.id),
        ("reviewer_revoked", admin_user.id, outsider.id),
    ]


def test_staff_superuser_and_active_flags_and_renames_made_in_the_user_admin_are_logged(
    admin_client, admin_user, outsider
):
    start = head()
    response = admin_client.post(
        f"/admin/auth/user/{outsider.id}/change/",
        {
            "username": "outsider-renamed", "password": outsider.password, "is_active": "on",
            "is_staff": "on", "is_superuser": "on",
            "date_joined_0": "2026-07-01", "date_joined_1": "12:00:00",
            "initial-date_joined_0": "2026-07-01", "initial-date_joined_1": "12:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert log_since(start) == [
        ("user_renamed", admin_user.id, outsider.id, None,
         {"old_username": "outsider", "username": "outsider-renamed"}),
        ("user_flags_changed", admin_user.id, outsider.id, None, {"is_staff": True, "is_superuser": True}),
    ]  # fmt: skip


def test_roles_may_be_changed_only_by_an_administrator(cisa_editor, outsider):
    cisa = Agency.objects.get(abbreviation="CISA")
    start = head()
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        roles.set_membership(outsider, cisa, "editor", actor=cisa_editor)
    with pytest.raises(PermissionDenied):
        roles.grant_reviewer(outsider, actor=cisa_editor)
    assert head() == start
    assert not Membership.objects.filter(user=outsider).exists()


def test_token_creation_and_revocation_are_logged(cisa_editor):
    start = head()
    token, _ = actions.create_api_token(
        cisa_editor, actor=cisa_editor, name="nightly export", expires_days=30
    )
    actions.revoke_api_token(token, actor=cisa_editor)
    assert log_since(start) == [
        (
            "token_created", cisa_editor.id, cisa_editor.id, None,
            {"token_key": token.token_key, "name": "nightly export", "read_only": False, "expires_days": 30},
        ),
        ("token_revoked", cisa_editor.id, cisa_editor.id, None, {"token_key": token.token_key}),
    ]  # fmt: skip


def test_a_sign_in_lockout_is_logged(client: Client, cisa_editor):
    start = head()
    with time_machine.travel(NOON, tick=False):
        for _ in range(5):
            client.post(
                reverse("login"), {"username": "cisa-editor", "password": "wrong"}, REMOTE_ADDR="198.51.100.7"
            )
    assert log_since(start) == [
        ("locked_out", None, cisa_editor.id, None, {"username": "cisa-editor", "ip_address": "198.51.100.7"})
    ]


def test_an_edited_access_log_entry_is_named_by_verify_history(order, outsider):
    roles.grant_reviewer(outsider, actor=None)
    entry = AccessEvent.objects.get(kind="reviewer_granted")
    # As the tables' owner could (on PostgreSQL a trigger refuses the application's UPDATE).
    tamper(
        "UPDATE ledger_accessevent SET subject_id = %s WHERE id = %s",
        [entry.subject_id + 1000, entry.pk],
    )
    with pytest.raises(CommandError) as raised:
        call_command("verify_history", stdout=io.StringIO())
    assert (
        f"access log, seq {entry.seq} (reviewer_granted): its stored hash does not match its content"
        in str(raised.value)
    )


def test_export_access_log_writes_every_entry_with_its_hash_and_signature(order, outsider, tmp_path):
    roles.grant_reviewer(outsider, actor=None)
    call_command("export_access_log", "--output", str(tmp_path / "access.jsonl"), stderr=io.StringIO())
    lines = [json.loads(line) for line in (tmp_path / "access.jsonl").read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, AccessEvent.objects.count() + 1))
    assert lines[-1]["kind"] == "reviewer_granted" and lines[-1]["subject"] == outsider.id
    assert all(audit.digest(line) == line["hash"] and line["signature"] for line in lines)
