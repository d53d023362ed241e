"""Single sign-on end to end: Chromium, orderctl's live server, and a real OpenID provider (the npm
package oidc-provider, tests/sso/provider.mjs) on a free local port; private_key_jwt, PKCE and an
acr value as Login.gov asks. A tampered ID token, one for another audience and an unverified email
are refused, and nobody is signed in or created."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from agencies.models import Membership
from ledger.models import AccessEvent
from tests.sso.provider import running_provider

pytestmark = pytest.mark.browser
User = get_user_model()
REFUSED = "Single sign-on did not sign you in"


@pytest.fixture
def provider(live_server, settings):
    with running_provider(f"{live_server.url}/accounts/sso/callback/") as running:
        for name, value in running.settings().items():
            setattr(settings, name, value)
        yield running


def sign_on(page: Page, live_server, email: str) -> None:
    """Press the SSO button on the sign-in page and sign in at the provider as ``email``."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Login.gov").click()
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_the_sign_in_page_offers_single_sign_on(page, live_server, provider, check_page):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Login.gov")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    check_page(page, "sign-in-with-sso")


def test_an_editor_signs_on_through_the_provider_and_lands_on_my_agency(
    page, live_server, provider, check_page, cisa_editor
):
    sign_on(page, live_server, "CISA-Editor@example.com")  # matched without regard to case
    expect(page).to_have_url(f"{live_server.url}/agency/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CISA: your agency's directives")
    check_page(page, "my-agency-after-sso")
    assert User.objects.filter(email__iexact="cisa-editor@example.com").count() == 1


def test_someone_new_is_created_without_rights_until_an_admin_grants_them(page, live_server, provider, order):
    sign_on(page, live_server, "new.person@example.gov")
    expect(page).to_have_url(f"{live_server.url}/directives/")
    user = User.objects.get(email="new.person@example.gov")
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert not (user.is_staff or user.is_superuser)
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.USER_CREATED, subject_id=user.pk).exists()


@pytest.mark.parametrize("mode", ["tampered", "wrong-audience", "no-acr"])
def test_a_bad_id_token_is_refused(page, live_server, provider, check_page, order, mode):
    provider.set_mode(mode)
    sign_on(page, live_server, "new.person@example.gov")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text(REFUSED)).to_be_visible()
    check_page(page, f"refused-{mode}")
    assert not User.objects.filter(email="new.person@example.gov").exists()
    assert not User.objects.filter(email="admin@example.com").exists()
    page.goto(f"{live_server.url}/agency/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/agency/")


def test_an_unverified_email_is_refused(page, live_server, provider, order):
    sign_on(page, live_server, "unverified.person@example.gov")
    expect(page.get_by_text(REFUSED)).to_be_visible()
    assert not User.objects.filter(email="unverified.person@example.gov").exists()
