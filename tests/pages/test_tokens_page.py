"""The API tokens page: create (POST, redirect, the key shown once), list, revoke after confirming.

A read-and-write token asks for the password again and expires within 90 days; every time on the page
is US Eastern and says so.
"""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from knox.crypto import hash_token

from agencies import actions
from agencies.models import APIToken
from agencies.tokens import tokens_of

URL = "/account/tokens/"
REVOKE_URL = "/account/tokens/revoke/"
KEY = re.compile(r'id="new-token-key" type="text" value="([0-9a-f]+)"')
READ_ONLY = {"name": "nightly export", "access": "read_only", "expires_days": "30"}
READ_WRITE = {"name": "sync", "access": "read_write", "expires_days": "90", "current_password": "pw"}
# 9:15 in the morning in Washington, in winter (EST, UTC-5) and in summer (EDT, UTC-4).
WINTER = dt.datetime(2026, 11, 30, 14, 15, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 1, 13, 15, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client, cisa_editor):
    client.force_login(cisa_editor)
    return client


def test_the_page_needs_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Creating: POST, redirect, GET ------------------------------------------------------------------


def test_it_creates_a_token_and_redirects_to_the_page_that_shows_the_key_once(signed_in, cisa_editor):
    created = signed_in.post(URL, READ_ONLY)
    assert created.status_code == 302
    assert created["Location"] == URL
    page = signed_in.get(URL)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    key = KEY.search(page.content.decode()).group(1)
    token = APIToken.objects.get(user=cisa_editor)
    assert token.digest == hash_token(key)
    assert (token.name, token.read_only) == ("nightly export", True)
    # The list shows only the key's first characters, and the key never appears again.
    again = signed_in.get(URL).content.decode()
    assert "nightly export" in again
    assert token.token_key in again
    assert key not in again
    assert 'id="new-token-key"' not in again


def test_reloading_the_page_never_creates_a_second_token(signed_in, cisa_editor):
    signed_in.post(URL, READ_ONLY, follow=True)
    for _ in range(3):
        assert signed_in.get(URL).status_code == 200
    assert APIToken.objects.filter(user=cisa_editor).count() == 1


def test_a_head_request_leaves_the_key_for_the_page(signed_in):
    signed_in.post(URL, READ_ONLY)
    assert signed_in.head(URL).status_code == 200
    assert KEY.search(signed_in.get(URL).content.decode())


def test_the_key_is_not_kept_in_the_session_once_shown(signed_in):
    signed_in.post(URL, READ_ONLY)
    assert "orderctl_new_api_token" in signed_in.session
    signed_in.get(URL)
    assert "orderctl_new_api_token" not in signed_in.session


def test_the_copy_button_is_a_static_script_and_hidden_without_it(signed_in):
    html = signed_in.post(URL, READ_ONLY, follow=True).content.decode()
    assert '<script src="/static/js/copy-key.js" defer></script>' in html
    assert re.search(r'<button [^>]*data-copy-from="new-token-key"[^>]*hidden>Copy the key</button>', html)
    assert not re.search(r"<script(?![^>]*\ssrc=)", html), "an inline script"
    # Without a key there is nothing to copy, and no script.
    assert "copy-key.js" not in signed_in.get(URL).content.decode()


def test_a_token_without_a_name_is_refused_next_to_the_field(signed_in):
    response = signed_in.post(URL, {**READ_ONLY, "name": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert "Give the token a name" in html
    assert APIToken.objects.count() == 0


def test_every_error_of_the_form_is_shown_at_once_at_the_pages_address(signed_in):
    """No name, a read-and-write token that never expires, no password: three errors, one submission."""
    response = signed_in.post(URL, {"name": "", "access": "read_write", "expires_days": ""})
    assert response.status_code == 400
    assert response.request["PATH_INFO"] == URL
    assert set(response.context["form"].errors) == {"name", "expires_days", "current_password"}
    html = response.content.decode()
    assert 'role="alert"' in html and "data-error-summary" in html
    for field in ("name", "expires_days", "current_password"):
        assert f'id="id_{field}_error"' in html
        assert f'<a href="#id_{field}">' in html  # the summary links each field
    assert APIToken.objects.count() == 0


def test_an_unknown_scope_is_refused(signed_in):
    response = signed_in.post(URL, {**READ_ONLY, "access": "admin"})
    assert response.status_code == 400
    assert b'id="id_access_error"' in response.content
    assert APIToken.objects.count() == 0


def test_creating_a_token_needs_the_csrf_token(cisa_editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cisa_editor)
    response = browser.post(URL, READ_ONLY)
    assert response.status_code == 403
    assert APIToken.objects.count() == 0


# --- A read-and-write token: the password again, and an expiry ----------------------------------------


def test_a_read_write_token_needs_the_password_again(client, cisa_editor):
    with time_machine.travel(WINTER, tick=False):
        client.force_login(cisa_editor)  # at the fixed instant: the session lasts 30 idle minutes
        response = client.post(URL, READ_WRITE)
    assert response.status_code == 302
    token = APIToken.objects.get(user=cisa_editor)
    assert (token.read_only, token.expiry) == (False, WINTER + dt.timedelta(days=90))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "Enter your password to create a read-and-write token."),
        ("wrong", "That is not your password: no token was created."),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_a_read_write_token_without_the_right_password_is_refused_at_the_field(signed_in, password, message):
    response = signed_in.post(URL, {**READ_WRITE, "current_password": password})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_current_password_error">\s*' + re.escape(message), html)
    assert "wrong" not in html  # a password is never sent back
    assert APIToken.objects.count() == 0


def test_a_wrong_password_counts_as_a_failed_sign_in(signed_in):
    signed_in.post(URL, {**READ_WRITE, "current_password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "cisa-editor",
        "198.51.100.7",
        1,
    )


def test_five_wrong_passwords_pause_sign_in_from_that_address(signed_in):
    for _ in range(5):
        response = signed_in.post(
            URL, {**READ_WRITE, "current_password": "wrong"}, REMOTE_ADDR="198.51.100.7"
        )
    assert response.status_code == 429
    assert b"Sign-in paused" in response.content
    # Now even the right password is refused from there, and no token is made.
    right = signed_in.post(URL, READ_WRITE, REMOTE_ADDR="198.51.100.7")
    assert right.status_code == 429
    assert APIToken.objects.count() == 0


def test_a_read_only_token_needs_no_password(signed_in, cisa_editor):
    assert signed_in.post(URL, READ_ONLY).status_code == 302
    assert APIToken.objects.get(user=cisa_editor).read_only


@pytest.mark.parametrize(
    ("expires_days", "message"),
    [
        ("365", "A read-and-write token expires after 1 to 90 days."),
        ("", "A read-and-write token must expire: choose 1 to 90 days."),
    ],
)
def test_a_read_write_token_expires_within_90_days(signed_in, expires_days, message):
    response = signed_in.post(URL, {**READ_WRITE, "expires_days": expires_days})
    assert response.status_code == 400
    assert re.search(r'id="id_expires_days_error">\s*' + re.escape(message), response.content.decode())
    assert APIToken.objects.count() == 0


def test_a_read_only_token_may_never_expire(signed_in, cisa_editor):
    signed_in.post(URL, {**READ_ONLY, "expires_days": ""})
    assert APIToken.objects.get(user=cisa_editor).expiry is None


# --- Times ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created_at", "created", "expires"),
    [
        (WINTER, "Mon 2026-11-30 09:15 EST", "Wed 2026-12-30 09:15 EST"),
        (SUMMER, "Wed 2026-07-01 09:15 EDT", "Fri 2026-07-31 09:15 EDT"),
    ],
)
def test_every_time_on_the_page_is_eastern_and_says_so(client, cisa_editor, created_at, created, expires):
    with time_machine.travel(created_at, tick=False):
        client.force_login(cisa_editor)
        shown = client.post(URL, {**READ_WRITE, "expires_days": "30"}, follow=True).content.decode()
        token = APIToken.objects.get(user=cisa_editor)
        confirm = client.get(REVOKE_URL, {"revoke": token.token_key}).content.decode()
    assert (
        f'It expires <time datetime="{(created_at + dt.timedelta(days=30)).isoformat()}">{expires}</time>'
        in shown
    )
    assert f">{created}</time></td>" in shown
    assert f">{expires}</time></td>" in shown
    assert f">{created}</time></dd>" in confirm
    assert f">{expires}</time></dd>" in confirm


# --- Revoking: confirm, then POST, redirect, GET -----------------------------------------------------


def test_revoking_asks_to_confirm_then_revokes(signed_in, cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="old script", expires_days=30)
    listing = signed_in.get(URL).content.decode()
    link = f'href="{REVOKE_URL}?revoke={token.token_key}"'
    assert link in listing
    confirm = signed_in.get(REVOKE_URL, {"revoke": token.token_key})
    assert confirm.status_code == 200
    assert "Revoke the token “old script”?" in confirm.content.decode()
    assert APIToken.objects.filter(pk=token.pk).exists()  # asking changed nothing
    revoked = signed_in.post(REVOKE_URL, {"revoke": token.token_key})
    assert revoked.status_code == 302
    assert revoked["Location"] == URL
    assert not APIToken.objects.filter(user=cisa_editor).exists()
    assert "Revoked the token “old script”. It no longer works." in signed_in.get(URL).content.decode()


def test_revoking_twice_says_the_token_is_gone(signed_in, cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="old script", expires_days=30)
    signed_in.post(REVOKE_URL, {"revoke": token.token_key})
    again = signed_in.post(REVOKE_URL, {"revoke": token.token_key}, follow=True)
    assert again.status_code == 200
    assert "That token does not exist any more: nothing was revoked." in again.content.decode()


def test_it_cannot_revoke_someone_elses_token(signed_in, treasury_editor):
    token, _ = actions.create_api_token(
        treasury_editor, actor=treasury_editor, name="treasury script", read_only=True
    )
    confirm = signed_in.get(REVOKE_URL, {"revoke": token.token_key})
    assert confirm.status_code == 404
    assert "treasury script" not in confirm.content.decode()
    response = signed_in.post(REVOKE_URL, {"revoke": token.token_key}, follow=True)
    assert b"nothing was revoked" in response.content
    assert list(tokens_of(treasury_editor)) == [token]


@pytest.mark.parametrize(
    ("method", "value", "message"),
    [
        ("post", "\x00", "Null characters are not allowed."),
        ("post", "", "This field is required."),
        ("get", "", "This field is required."),
        ("post", "x" * 26, "Ensure this value has at most 25 characters (it has 26)."),
        ("get", "x" * 26, "Ensure this value has at most 25 characters (it has 26)."),
    ],
)
def test_a_bad_revoke_field_is_a_clear_error_that_revokes_nothing(
    signed_in, cisa_editor, method, value, message
):
    actions.create_api_token(cisa_editor, actor=cisa_editor, name="keep me", read_only=True)
    response = getattr(signed_in, method)(REVOKE_URL, {"revoke": value})
    assert response.status_code == 400
    assert re.search(r'id="id_revoke_error">Which token\? ' + re.escape(message), response.content.decode())
    assert APIToken.objects.filter(user=cisa_editor).count() == 1


def test_a_nul_in_the_revoke_address_is_refused_naming_it(signed_in, cisa_editor):
    actions.create_api_token(cisa_editor, actor=cisa_editor, name="keep me", read_only=True)
    response = signed_in.get(REVOKE_URL, {"revoke": "\x00"})
    assert response.status_code == 400
    assert response.content.decode() == "revoke: Null characters are not allowed."
    assert APIToken.objects.filter(user=cisa_editor).count() == 1


def test_revoking_needs_the_csrf_token(cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="t", read_only=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cisa_editor)
    assert browser.post(REVOKE_URL, {"revoke": token.token_key}).status_code == 403
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_it_lists_only_the_users_own_tokens(signed_in, treasury_editor):
    actions.create_api_token(treasury_editor, actor=treasury_editor, name="treasury script", read_only=True)
    html = signed_in.get(URL).content.decode()
    assert "treasury script" not in html
    assert "You have no API token." in html
