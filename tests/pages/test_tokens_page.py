"""The API tokens page: create (the key shown once), list, revoke; read-only or read-write."""

import re

from django.test import Client
from django.urls import reverse
from knox.crypto import hash_token

from agencies import actions
from agencies.models import APIToken
from agencies.tokens import tokens_of

URL = "/account/tokens/"


def test_the_page_needs_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_creates_a_read_only_token_and_shows_the_key_once(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(URL, {"name": "nightly export", "access": "read_only", "expires_days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'id="new-token-key" type="text" value="([^"]+)"', response.content.decode()).group(1)
    token = APIToken.objects.get(user=cisa_editor)
    assert token.digest == hash_token(key)
    assert (token.name, token.read_only) == ("nightly export", True)
    assert token.expiry is not None
    # The list shows only the key's first characters, and the key never appears again.
    listing = client.get(URL).content.decode()
    assert "nightly export" in listing
    assert token.token_key in listing
    assert key not in listing


def test_a_read_write_token_that_never_expires_is_refused_at_the_field(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(URL, {"name": "sync", "access": "read_write", "expires_days": ""})
    assert response.status_code == 400
    assert "A read-and-write token must expire: choose 1 to 90 days." in response.content.decode()
    assert not APIToken.objects.exists()


def test_a_token_without_a_name_is_refused_next_to_the_field(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(URL, {"name": "  ", "access": "read_only", "expires_days": "30"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html
    assert "Give the token a name" in html
    assert APIToken.objects.count() == 0


def test_an_unknown_scope_is_refused(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(URL, {"name": "x", "access": "admin", "expires_days": "30"})
    assert response.status_code == 400
    assert b'id="id_access_error"' in response.content
    assert APIToken.objects.count() == 0


def test_it_revokes_a_token(client, cisa_editor):
    token, _ = actions.create_api_token(cisa_editor, actor=cisa_editor, name="old script", expires_days=30)
    client.force_login(cisa_editor)
    response = client.post(URL, {"revoke": token.token_key}, follow=True)
    assert b"Revoked the token" in response.content
    assert not APIToken.objects.filter(user=cisa_editor).exists()


def test_it_cannot_revoke_someone_elses_token(client, cisa_editor, treasury_editor):
    token, _ = actions.create_api_token(
        treasury_editor, actor=treasury_editor, name="treasury script", expires_days=30
    )
    client.force_login(cisa_editor)
    response = client.post(URL, {"revoke": token.token_key}, follow=True)
    assert b"nothing was revoked" in response.content
    assert list(tokens_of(treasury_editor)) == [token]


def test_it_lists_only_the_users_own_tokens(client, cisa_editor, treasury_editor):
    actions.create_api_token(treasury_editor, actor=treasury_editor, name="treasury script", expires_days=30)
    client.force_login(cisa_editor)
    html = client.get(URL).content.decode()
    assert "treasury script" not in html
    assert "You have no API token." in html


def test_creating_a_token_needs_the_csrf_token(cisa_editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cisa_editor)
    response = browser.post(URL, {"name": "x", "access": "read_only", "expires_days": "30"})
    assert response.status_code == 403
    assert APIToken.objects.count() == 0
