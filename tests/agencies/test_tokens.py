"""Personal API tokens: created and revoked through the actions layer, hashed at rest, scoped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from knox.crypto import hash_token

from agencies import actions
from agencies.models import APIToken
from agencies.tokens import tokens_of

pytestmark = pytest.mark.django_db


def test_it_creates_a_token_and_stores_only_its_digest(cisa_editor):
    token, key = actions.create_api_token(
        cisa_editor, actor=cisa_editor, name="nightly export", read_only=True
    )
    stored = APIToken.objects.get(pk=token.pk)
    assert stored.digest == hash_token(key)
    assert key not in {stored.digest, stored.token_key}
    assert key.startswith(stored.token_key)
    assert (stored.name, stored.read_only, stored.expiry) == ("nightly export", True, None)


def test_it_sets_an_expiry_and_a_read_only_scope(cisa_editor):
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        token, _ = actions.create_api_token(
            cisa_editor, actor=cisa_editor, name="dashboard", read_only=True, expires_days=30
        )
    assert token.read_only
    assert token.expiry == dt.datetime(2026, 7, 31, 12, tzinfo=dt.UTC)


def test_an_admin_creates_a_token_for_someone_else(cisa_editor, admin_user):
    token, _ = actions.create_api_token(
        cisa_editor, actor=admin_user, name="set up by the admin", expires_days=7
    )
    assert token.user == cisa_editor


def test_it_refuses_to_create_a_token_for_someone_else(cisa_editor, treasury_editor):
    with pytest.raises(PermissionDenied, match="cisa-editor or an administrator"):
        actions.create_api_token(cisa_editor, actor=treasury_editor, name="sneaky")
    assert not APIToken.objects.exists()


@pytest.mark.parametrize(
    ("name", "read_only", "expires_days", "field", "message"),
    [
        ("   ", True, None, "name", "Give the token a name that says what it is for."),
        ("x" * 101, True, None, "name", "Ensure the name has at most 100 characters (it has 101)."),
        ("ok", True, 0, "expires_days", "A read-only token expires after 1 to 3650 days (or never)."),
        ("ok", True, 3651, "expires_days", "A read-only token expires after 1 to 3650 days (or never)."),
        ("ok", False, None, "expires_days", "A read-and-write token must expire: choose 1 to 90 days."),
        ("ok", False, 0, "expires_days", "A read-and-write token expires after 1 to 90 days."),
        ("ok", False, 91, "expires_days", "A read-and-write token expires after 1 to 90 days."),
        ("ok", False, 365, "expires_days", "A read-and-write token expires after 1 to 90 days."),
    ],
)
def test_it_rejects_bad_input_and_writes_nothing(cisa_editor, name, read_only, expires_days, field, message):
    with pytest.raises(ValidationError) as caught:
        actions.create_api_token(
            cisa_editor, actor=cisa_editor, name=name, read_only=read_only, expires_days=expires_days
        )
    assert caught.value.message_dict == {field: [message]}
    assert not APIToken.objects.exists()


def test_a_read_write_token_lasts_at_most_90_days(cisa_editor):
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="sync", expires_days=90)
    assert (token.read_only, token.expiry) == (False, dt.datetime(2026, 9, 29, 12, tzinfo=dt.UTC))


def test_a_read_only_token_may_never_expire_or_last_ten_years(cisa_editor):
    forever, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="a", read_only=True)
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        decade, _ = actions.create_api_token(
            cisa_editor, actor=cisa_editor, name="b", read_only=True, expires_days=3650
        )
    assert forever.expiry is None
    assert decade.expiry == dt.datetime(2036, 6, 28, 12, tzinfo=dt.UTC)


def test_the_longest_read_write_lifetime_is_a_setting(cisa_editor, settings):
    settings.API_TOKEN_MAX_DAYS_READ_WRITE = 30
    with pytest.raises(ValidationError, match="expires after 1 to 30 days"):
        actions.create_api_token(cisa_editor, actor=cisa_editor, name="sync", expires_days=31)
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="sync", expires_days=30)
    assert token.expiry is not None


def test_the_database_refuses_a_read_write_token_that_never_expires(cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="sync", expires_days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        APIToken.objects.filter(pk=token.pk).update(expiry=None)
    assert APIToken.objects.get(pk=token.pk).expiry is not None


def test_tokens_of_lists_working_tokens_newest_first(cisa_editor, treasury_editor):
    with time_machine.travel(dt.datetime(2026, 7, 1, tzinfo=dt.UTC), tick=False):
        old, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="old", read_only=True)
        actions.create_api_token(cisa_editor, actor=cisa_editor, name="short-lived", expires_days=1)
    with time_machine.travel(dt.datetime(2026, 7, 5, tzinfo=dt.UTC), tick=False):
        new, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="new", expires_days=30)
        actions.create_api_token(treasury_editor, actor=treasury_editor, name="not theirs", expires_days=30)
        assert list(tokens_of(cisa_editor)) == [new, old]


def test_the_owner_revokes_a_token(cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="t", read_only=True)
    actions.revoke_api_token(token, actor=cisa_editor)
    assert not APIToken.objects.exists()


def test_an_admin_revokes_anyones_token(cisa_editor, admin_user):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="t", read_only=True)
    actions.revoke_api_token(token, actor=admin_user)
    assert not APIToken.objects.exists()


def test_nobody_else_revokes_a_token(cisa_editor, treasury_editor, reviewer):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="t", read_only=True)
    for actor in (treasury_editor, reviewer):
        with pytest.raises(PermissionDenied):
            actions.revoke_api_token(token, actor=actor)
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_the_command_prints_the_key_alone_on_its_last_line(cisa_editor):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token",
        "cisa-editor",
        "--read-only",
        "--expires-days",
        "7",
        "--name",
        "ci",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().splitlines()[-1]
    token = APIToken.objects.get()
    assert token.digest == hash_token(key)
    assert (token.name, token.read_only) == ("ci", True)
    assert token.expiry > timezone.now() + dt.timedelta(days=6)
    assert "read-only" in err.getvalue()


def test_the_command_gives_a_read_write_token_the_longest_lifetime_by_default(cisa_editor):
    err = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC), tick=False):
        call_command("create_api_token", "cisa-editor", "--name", "sync", stdout=io.StringIO(), stderr=err)
    token = APIToken.objects.get()
    assert (token.read_only, token.expiry) == (False, dt.datetime(2026, 9, 29, 12, tzinfo=dt.UTC))
    assert "read-write token" in err.getvalue()
    assert "expires 2026-09-29 12:00 UTC" in err.getvalue()


def test_a_read_only_token_from_the_command_never_expires_by_default(cisa_editor):
    err = io.StringIO()
    call_command("create_api_token", "cisa-editor", "--read-only", stdout=io.StringIO(), stderr=err)
    assert APIToken.objects.get().expiry is None
    assert "never expires" in err.getvalue()


def test_the_command_refuses_a_read_write_token_beyond_90_days(cisa_editor):
    with pytest.raises(CommandError, match="A read-and-write token expires after 1 to 90 days"):
        call_command(
            "create_api_token",
            "cisa-editor",
            "--expires-days",
            "365",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not APIToken.objects.exists()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_command_reports_bad_input(cisa_editor):
    with pytest.raises(CommandError, match="1 to"):
        call_command(
            "create_api_token",
            "cisa-editor",
            "--expires-days",
            "0",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


# --- Revoked with the password that vouched for them, or with the account ---------------------------


def _tokens_of_each(*users) -> list[int]:
    return [APIToken.objects.filter(user=user).count() for user in users]


@pytest.fixture
def two_tokens_each(cisa_editor, treasury_editor):
    for user in (cisa_editor, treasury_editor):
        actions.create_api_token(user, actor=user, name="one", read_only=True)
        actions.create_api_token(user, actor=user, name="two", read_only=True)
    assert _tokens_of_each(cisa_editor, treasury_editor) == [2, 2]


def test_a_password_change_in_code_revokes_the_users_tokens(
    cisa_editor, treasury_editor, two_tokens_each, caplog
):
    cisa_editor.set_password("a new long passphrase")
    with caplog.at_level("INFO", logger="agencies.actions"):
        cisa_editor.save()
    assert _tokens_of_each(cisa_editor, treasury_editor) == [0, 2]
    assert "of cisa-editor revoked by the system: password changed" in caplog.text


def test_the_password_page_revokes_the_users_tokens(client, cisa_editor, treasury_editor, two_tokens_each):
    client.force_login(cisa_editor)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"API tokens you had were revoked" in response.content
    assert _tokens_of_each(cisa_editor, treasury_editor) == [0, 2]


def test_a_refused_password_change_keeps_the_tokens(client, cisa_editor, two_tokens_each):
    client.force_login(cisa_editor)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "wrong",
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
    )
    assert response.status_code == 200
    assert _tokens_of_each(cisa_editor) == [2]


def test_the_admins_password_form_revokes_the_users_tokens(client, admin_user, cisa_editor, two_tokens_each):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{cisa_editor.pk}/password/",
        {
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert _tokens_of_each(cisa_editor) == [0]


def test_disabling_password_sign_in_revokes_the_users_tokens(cisa_editor, two_tokens_each, caplog):
    cisa_editor.set_unusable_password()
    with caplog.at_level("INFO", logger="agencies.actions"):
        cisa_editor.save()
    assert _tokens_of_each(cisa_editor) == [0]
    assert "password-based sign-in disabled" in caplog.text


@pytest.mark.parametrize("update_fields", [None, ["is_active"]])
def test_deactivating_a_user_revokes_their_tokens(
    cisa_editor, treasury_editor, two_tokens_each, caplog, update_fields
):
    cisa_editor.is_active = False
    with caplog.at_level("INFO", logger="agencies.actions"):
        cisa_editor.save(update_fields=update_fields)
    assert _tokens_of_each(cisa_editor, treasury_editor) == [0, 2]
    assert "of cisa-editor revoked by the system: account deactivated" in caplog.text


def test_deactivating_in_the_admin_revokes_the_users_tokens(client, admin_user, cisa_editor, two_tokens_each):
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{cisa_editor.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "is_active"}
    data.update(
        {
            "username": "cisa-editor",
            "date_joined_0": form.initial["date_joined"].strftime("%Y-%m-%d"),
            "date_joined_1": form.initial["date_joined"].strftime("%H:%M:%S"),
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("date_joined", None)
    data.pop("password", None)
    response = client.post(f"/admin/auth/user/{cisa_editor.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    cisa_editor.refresh_from_db()
    assert not cisa_editor.is_active
    assert _tokens_of_each(cisa_editor) == [0]


def test_other_changes_to_a_user_keep_their_tokens(client, cisa_editor, two_tokens_each):
    cisa_editor.email = "new@example.com"
    cisa_editor.save()
    client.force_login(cisa_editor)  # writes last_login
    assert _tokens_of_each(cisa_editor) == [2]


def test_a_password_rehashed_at_sign_in_is_no_change(client, cisa_editor, two_tokens_each, settings):
    # The fixtures hash with MD5; make PBKDF2 the preferred hasher, so that signing in upgrades the hash.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert cisa_editor.password.startswith("md5$")
    response = client.post("/accounts/login/", {"username": "cisa-editor", "password": "pw"})
    assert response.status_code == 302
    cisa_editor.refresh_from_db()
    assert cisa_editor.password.startswith("pbkdf2_sha256$")
    assert _tokens_of_each(cisa_editor) == [2]


def test_revoking_all_of_a_users_tokens_is_for_them_or_an_administrator(
    cisa_editor, treasury_editor, admin_user, two_tokens_each
):
    with pytest.raises(PermissionDenied):
        actions.revoke_api_tokens_of(cisa_editor, actor=treasury_editor, reason="because")
    assert _tokens_of_each(cisa_editor) == [2]
    assert actions.revoke_api_tokens_of(cisa_editor, actor=admin_user, reason="left the agency") == 2
    assert _tokens_of_each(cisa_editor, treasury_editor) == [0, 2]
