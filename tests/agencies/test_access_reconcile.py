"""Issue 21, item 8: memberships, reviewer grants and superuser flags are reconciled against the access
log, so a row written in SQL, behind the application, is named by ``verify_history``."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from agencies import roles
from agencies.models import Agency, Membership, OversightReviewer


def sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify() -> str:
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    return out.getvalue()


def problems() -> str:
    with pytest.raises(CommandError) as raised:
        verify()
    return str(raised.value)


def agency(abbreviation: str) -> Agency:
    return Agency.objects.get(abbreviation=abbreviation)


def test_roles_changed_through_the_application_verify(cisa_editor, reviewer, admin_user):
    roles.set_membership(cisa_editor, agency("OMB"), Membership.Role.VIEWER, actor=admin_user)
    roles.set_membership(cisa_editor, agency("OMB"), Membership.Role.EDITOR, actor=admin_user)
    roles.revoke_membership(Membership.objects.get(user=cisa_editor, agency__abbreviation="CISA"), actor=None)
    roles.revoke_reviewer(OversightReviewer.objects.get(user=reviewer), actor=admin_user)
    cisa_editor.is_staff = True
    cisa_editor.save()
    get_user_model().objects.get(username="reviewer").delete()
    assert verify().startswith("Verified ")


def test_a_membership_inserted_in_sql_is_named(cisa_editor):
    sql(
        "INSERT INTO agencies_membership (user_id, agency_id, role, created) "
        "VALUES (%s, %s, 'editor', CURRENT_TIMESTAMP)",
        [cisa_editor.pk, agency("TREASURY").pk],
    )
    assert (
        f"access: user cisa-editor (id {cisa_editor.pk}) at TREASURY: a membership (editor) the access log "
        "never granted"
    ) in problems()


def test_a_role_raised_in_sql_is_named(cisa_editor, admin_user):
    roles.set_membership(cisa_editor, agency("OMB"), Membership.Role.VIEWER, actor=admin_user)
    sql("UPDATE agencies_membership SET role = 'editor' WHERE user_id = %s", [cisa_editor.pk])
    assert (
        f"access: user cisa-editor (id {cisa_editor.pk}) at OMB: the role is editor but the access log says "
        "viewer"
    ) in problems()


def test_a_right_taken_away_in_sql_is_not_an_escalation(cisa_editor, reviewer):
    # What a restore does too: its people inactive, without their roles (their history kept).
    sql("DELETE FROM agencies_membership WHERE user_id = %s", [cisa_editor.pk])
    sql("DELETE FROM agencies_oversightreviewer WHERE user_id = %s", [reviewer.pk])
    sql("UPDATE auth_user SET is_active = false WHERE id = %s", [cisa_editor.pk])
    assert verify().startswith("Verified ")


def test_a_superuser_flag_set_in_sql_is_named(cisa_editor):
    sql("UPDATE auth_user SET is_superuser = true, is_staff = true WHERE id = %s", [cisa_editor.pk])
    message = problems()
    assert (
        f"access: user cisa-editor (id {cisa_editor.pk}): is_superuser is True but the access log says "
        "False: changed without its entry"
    ) in message
    assert f"user cisa-editor (id {cisa_editor.pk}): is_staff is True" in message


def test_a_reviewer_granted_in_sql_is_named(cisa_editor):
    sql(
        "INSERT INTO agencies_oversightreviewer (user_id, created) VALUES (%s, CURRENT_TIMESTAMP)",
        [cisa_editor.pk],
    )
    assert (
        f"access: user cisa-editor (id {cisa_editor.pk}): an oversight reviewer the access log never granted"
    ) in problems()


def test_a_user_inserted_in_sql_is_named(order):
    sql(
        "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active, first_name, "
        "last_name, email, date_joined) "
        "VALUES ('intruder', '!', true, true, true, '', '', '', CURRENT_TIMESTAMP)"
    )
    intruder = get_user_model().objects.get(username="intruder")
    assert (
        f"access: user intruder (id {intruder.pk}): not created through the application: the access log has "
        "no user_created"
    ) in problems()
