"""Single sign-on against the real local OpenID provider (tests/sso/provider.mjs, npm's oidc-provider,
on a free loopback port): who an ID token signs in as, what is refused, and how failures are counted.

The browser's part is played by ``requests`` at the provider (its own sign-in and consent pages) and
Django's test client at orderctl; orderctl itself calls the provider's token, keys and userinfo
endpoints over loopback, as in production. The provider runs on the suite's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as Account
from django.test import Client

from agencies import actions
from agencies.models import SignOnLink
from ledger.models import AccessEvent
from tests.sso.provider import Provider, running_provider

User = get_user_model()
CALLBACK = "http://testserver/accounts/sso/callback/"
OFFICE = "198.51.100.20"  # one agency's office: everyone behind one address
REFUSED = "Single sign-on did not sign you in"


@pytest.fixture(scope="module")
def running() -> Iterator[Provider]:
    with running_provider(CALLBACK, post_logout_redirect_uri="http://testserver/accounts/login/") as provider:
        yield provider


@pytest.fixture
def provider(running, settings) -> Iterator[Provider]:
    for name, value in running.settings().items():
        setattr(settings, name, value)
    yield running
    running.set_mode("normal")


def sign_on(client: Client, person: str, address: str = OFFICE, *, provider: Provider):
    """Sign on through the provider as ``person``, "SUBJECT|EMAIL|VERIFIED" (``Provider.person``);
    return orderctl's last answer."""
    login = provider.person(*person.split("|"))
    start = client.get("/accounts/sso/start/", REMOTE_ADDR=address)
    assert start.status_code == 302, start
    browser = requests.Session()
    url = start["Location"]
    form: dict[str, str] | None = None
    for _ in range(20):
        if url.startswith("http://testserver/"):
            parts = urlsplit(url)
            response = client.get(f"{parts.path}?{parts.query}", REMOTE_ADDR=address)
            if response.status_code != 302:
                return response  # the lockout page (429)
            return client.get(response["Location"], REMOTE_ADDR=address, follow=True)
        if form is None:
            answer = browser.get(url, allow_redirects=False, timeout=10)
        else:
            answer = browser.post(url, data=form, allow_redirects=False, timeout=10)
            form = None
        if answer.is_redirect:
            url = urljoin(url, answer.headers["Location"])
            continue
        assert answer.status_code == 200, answer.text
        # The provider's development pages: sign in as anyone, then consent.
        form = (
            {"prompt": "login", "login": login, "password": "anything"}
            if 'name="login"' in answer.text
            else {"prompt": "consent"}
        )
    raise AssertionError("the sign-on never came back to orderctl")


def signed_in_as(client: Client) -> Account | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def events(kind: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(kind=kind).order_by("seq"))


# --- Who an ID token signs in as ----------------------------------------------------------------------


def test_an_email_alone_never_takes_over_a_superuser(client, provider, admin_user):
    """Whoever controls the superuser's address at the provider is a new subject: refused, no link."""
    response = sign_on(client, "attacker|admin@example.com|true", provider=provider)
    assert signed_in_as(client) is None
    assert REFUSED in response.content.decode()
    assert not SignOnLink.objects.exists()


def test_an_email_alone_never_takes_over_a_staff_member(client, provider, order):
    staff = User.objects.create_user("clerk", "clerk@example.com", "pw", is_staff=True)
    sign_on(client, "someone|clerk@example.com|true", provider=provider)
    assert signed_in_as(client) is None
    assert not SignOnLink.objects.filter(user=staff).exists()


def test_a_verified_email_links_a_pre_provisioned_account_once(client, provider, cisa_editor):
    sign_on(client, "cisa-person|CISA-Editor@example.com|true", provider=provider)
    assert signed_in_as(client) == cisa_editor
    link = SignOnLink.objects.get(user=cisa_editor)
    assert (link.issuer, link.subject) == (provider.issuer, "cisa-person")
    [linked] = events(AccessEvent.Kind.SIGN_ON_LINKED)
    assert linked.subject_id == cisa_editor.pk
    assert '"how":"verified email"' in linked.detail


def test_a_linked_subject_signs_in_by_its_link_whatever_its_address_says(client, provider, cisa_editor):
    actions.link_sign_on(cisa_editor, actor=None, issuer=provider.issuer, subject="cisa-person", how="test")
    sign_on(client, "cisa-person|changed.address@example.org|false", provider=provider)
    assert signed_in_as(client) == cisa_editor


def test_a_changed_subject_does_not_sign_in_to_the_linked_account(client, provider, cisa_editor):
    """The provider gives the person a new subject: the address no longer links (an administrator
    relinks), and nobody is created with it."""
    actions.link_sign_on(cisa_editor, actor=None, issuer=provider.issuer, subject="old-subject", how="test")
    sign_on(client, "new-subject|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(client) is None
    assert list(SignOnLink.objects.values_list("subject", flat=True)) == ["old-subject"]
    assert User.objects.filter(email__iexact="cisa-editor@example.com").count() == 1


def test_a_reused_address_does_not_sign_in_to_an_account_that_was_linked(client, provider, cisa_editor):
    """The address passed to someone else, whose subject is new: refused even after an unlink."""
    link = actions.link_sign_on(cisa_editor, actor=None, issuer=provider.issuer, subject="first", how="test")
    actions.unlink_sign_on(link, actor=None)
    sign_on(client, "second-holder|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(client) is None
    assert not SignOnLink.objects.filter(subject="second-holder").exists()


def test_someone_new_gets_an_account_linked_to_their_subject(client, provider, order):
    sign_on(client, "new-person|new.person@example.gov|true", provider=provider)
    user = signed_in_as(client)
    assert user is not None and user.email == "new.person@example.gov"
    assert not (user.is_staff or user.is_superuser or user.has_usable_password())
    assert SignOnLink.objects.get(user=user).subject == "new-person"
    assert [e.subject_id for e in events(AccessEvent.Kind.SIGN_ON_LINKED)] == [user.pk]


def test_a_missing_email_verified_is_refused_by_default(client, provider, cisa_editor):
    sign_on(client, "entra-person|cisa-editor@example.com|absent", provider=provider)
    assert signed_in_as(client) is None
    assert not SignOnLink.objects.exists()


def test_a_provider_set_to_issue_verified_emails_links_without_the_claim(
    client, provider, settings, cisa_editor
):
    """Microsoft Entra ID sends no email_verified; OIDC_OP_EMAILS_ARE_VERIFIED says its addresses are."""
    settings.OIDC_OP_EMAILS_ARE_VERIFIED = True
    sign_on(client, "entra-person|cisa-editor@example.com|absent", provider=provider)
    assert signed_in_as(client) == cisa_editor


def test_email_verified_false_is_refused_even_from_such_a_provider(client, provider, settings, cisa_editor):
    settings.OIDC_OP_EMAILS_ARE_VERIFIED = True
    sign_on(client, "entra-person|cisa-editor@example.com|false", provider=provider)
    assert signed_in_as(client) is None


def test_an_inactive_linked_account_is_refused(client, provider, cisa_editor):
    actions.link_sign_on(cisa_editor, actor=None, issuer=provider.issuer, subject="cisa-person", how="test")
    cisa_editor.is_active = False
    cisa_editor.save()
    sign_on(client, "cisa-person|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(client) is None


def test_unlinking_is_audited_and_ends_sign_in_by_that_subject(client, provider, cisa_editor, admin_user):
    link = actions.link_sign_on(
        cisa_editor, actor=admin_user, issuer=provider.issuer, subject="p", how="admin"
    )
    actions.unlink_sign_on(link, actor=admin_user)
    [unlinked] = events(AccessEvent.Kind.SIGN_ON_UNLINKED)
    assert (unlinked.actor_id, unlinked.subject_id) == (admin_user.pk, cisa_editor.pk)
    sign_on(client, "p|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(client) is None


def test_only_an_administrator_links_or_unlinks(cisa_editor, treasury_editor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.link_sign_on(cisa_editor, actor=treasury_editor, issuer="https://idp", subject="s", how="x")
    assert not SignOnLink.objects.exists()


# --- Failures counted per person and address ----------------------------------------------------------


def test_one_persons_failures_do_not_lock_out_their_office(client, provider, cisa_editor, settings):
    """Five refused sign-ons by one person behind the office's address; a colleague then signs on."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_on(Client(), "unlucky|unlucky@example.gov|false", provider=provider)
    colleague = Client()
    sign_on(colleague, "cisa-person|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(colleague) == cisa_editor


def test_a_person_who_keeps_failing_is_paused_from_that_address(client, provider, cisa_editor, settings):
    actions.link_sign_on(cisa_editor, actor=None, issuer=provider.issuer, subject="cisa-person", how="test")
    cisa_editor.is_active = False
    cisa_editor.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_on(Client(), "cisa-person|x@example.gov|true", provider=provider)
    cisa_editor.is_active = True
    cisa_editor.save()
    locked = Client()
    sign_on(locked, "cisa-person|x@example.gov|true", provider=provider)
    assert signed_in_as(locked) is None
    # Refused while paused without being counted: trying again does not make the wait longer.
    assert AccessAttempt.objects.get(ip_address=OFFICE).failures_since_start == settings.AXES_FAILURE_LIMIT
    elsewhere = Client()
    sign_on(elsewhere, "cisa-person|x@example.gov|true", address="203.0.113.50", provider=provider)
    assert signed_in_as(elsewhere) == cisa_editor


# --- OpenID done the standard way: discovery, keys, token checks, sign-out -----------------------------


def test_the_provider_is_found_from_its_issuer_alone(client, provider, cisa_editor, settings):
    assert not settings.OIDC_OP_TOKEN_ENDPOINT and not settings.OIDC_OP_JWKS_ENDPOINT
    start = client.get("/accounts/sso/start/")
    assert start["Location"].startswith(f"{provider.issuer}/auth?")
    sign_on(client, "cisa-person|cisa-editor@example.com|true", provider=provider)
    assert signed_in_as(client) == cisa_editor


def test_a_discovery_document_for_another_issuer_is_refused(client, provider, settings, order):
    """Asked as http://localhost:PORT, the provider names itself http://127.0.0.1:PORT: not ours."""
    settings.OIDC_OP_ISSUER = provider.issuer.replace("127.0.0.1", "localhost")
    start = client.get("/accounts/sso/start/", follow=True)
    assert start.redirect_chain[-1][0] == "/accounts/login/"
    assert "Single sign-on is unavailable" in start.content.decode()


def test_rotated_keys_are_picked_up(client, settings, cisa_editor):
    # A provider of its own: its old key is gone for good after the rotation.
    with running_provider(CALLBACK) as provider:
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        sign_on(Client(), "cisa-person|cisa-editor@example.com|true", provider=provider)  # keys now cached
        provider.rotate_keys()
        sign_on(client, "cisa-person|cisa-editor@example.com|true", provider=provider)
        assert signed_in_as(client) == cisa_editor


@pytest.mark.parametrize("mode", ["wrong-audience", "expired", "tampered", "no-acr"])
def test_a_bad_id_token_signs_nobody_in_and_links_nothing(client, provider, cisa_editor, mode):
    provider.set_mode(mode)
    response = sign_on(client, "cisa-person|cisa-editor@example.com|true", provider=provider)
    assert REFUSED in response.content.decode()
    assert signed_in_as(client) is None
    assert not SignOnLink.objects.exists()


def test_signing_out_continues_at_the_provider(client, provider, cisa_editor):
    sign_on(client, "cisa-person|cisa-editor@example.com|true", provider=provider)
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/session/end"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    # The provider accepts it: its confirmation page, not an error.
    at_provider = requests.get(response["Location"], timeout=10)
    assert at_provider.status_code == 200, at_provider.text
    assert "logout" in at_provider.text.lower() and "error" not in at_provider.text.lower()


def test_signing_out_after_a_password_sign_in_stays_here(client, provider, cisa_editor):
    client.post("/accounts/login/", {"username": "cisa-editor", "password": "pw"})
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
