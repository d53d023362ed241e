"""Browser protections on every kind of response, the idle session timeout and the password rules.

Production-only values (HTTPS redirect, HSTS, Secure cookies) are in ``test_security_deploy.py``; the
sign-in lockout is in ``test_security_lockout.py``; who may open which URL is ``test_url_access.py``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from rest_framework.test import APIClient

# The policy, directive by directive: everything from our own origin, nothing inline, no plugins,
# no framing, forms post only to us.
POLICY = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SIGNED_IN_AT = dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.UTC)
# What a CSP without 'unsafe-inline' blocks: a script element without src, a style element or
# attribute, an event-handler attribute, a javascript: URL.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def policy_of(response) -> dict[str, list[str]]:
    """Return the response's Content-Security-Policy as directive -> sources."""
    header = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


@pytest.fixture
def pages(client, admin_user, directive) -> dict:
    """Return one response of each kind the site serves, fetched by a signed-in admin."""
    client.force_login(admin_user)
    d = directive("2(c)(ii)")
    api = APIClient()
    api.force_login(admin_user)
    return {
        "staff page": client.get(reverse("directive_detail", args=[d.pk])),
        "form error": client.post(reverse("directive_detail", args=[d.pk]), {"status": "nonsense"}),
        "not found": client.get("/no-such-page/"),
        "admin": client.get(f"/admin/directives/directive/{d.pk}/change/"),
        "api json": api.get(f"/api/v1/directives/{d.pk}/"),
        "api error": api.get("/api/v1/nothing-here/"),
        "swagger ui": client.get("/api/v1/docs/"),
        "swagger script": client.get("/api/v1/docs/?script="),
        "schema": client.get("/api/v1/schema/"),
        "health": client.get("/healthz/"),
    }


def test_every_kind_of_response_carries_the_content_security_policy(pages):
    for kind, response in pages.items():
        assert response.status_code < 500, kind
        # Swagger UI draws its icons as data: images; that page alone allows them.
        swagger = kind in ("swagger ui", "swagger script")
        expected = POLICY | {"img-src": ["'self'", "data:"]} if swagger else POLICY
        assert policy_of(response) == expected, kind


def test_no_policy_allows_inline_code_or_eval(pages):
    for kind, response in pages.items():
        header = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, kind


def test_every_kind_of_response_refuses_framing_and_sniffing_and_keeps_referrers_on_the_site(pages):
    for kind, response in pages.items():
        assert response.headers["X-Frame-Options"] == "DENY", kind
        assert response.headers["Referrer-Policy"] == "same-origin", kind
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", kind


def test_the_swagger_page_loads_its_start_up_script_and_style_from_files(pages):
    html = pages["swagger ui"].content.decode()
    assert not INLINE_CODE.search(html), INLINE_CODE.search(html)
    assert 'src="/api/v1/docs/?script="' in html
    assert "/static/css/swagger-ui-page.css" in html
    script = pages["swagger script"]
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_the_session_cookie_is_httponly_same_site_lax_and_lasts_the_idle_timeout(client, cisa_editor):
    response = client.post(reverse("login"), {"username": "cisa-editor", "password": "pw"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60
    assert response.cookies["csrftoken"]["httponly"] is True


@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(29, True), (30, False), (31, False)])
def test_a_session_ends_30_minutes_after_its_last_request(client, cisa_editor, idle_minutes, signed_in):
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        client.force_login(cisa_editor)
        clock.shift(dt.timedelta(minutes=idle_minutes))
        response = client.get(reverse("my_agency"))
    if signed_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={reverse('my_agency')}"


def test_each_request_restarts_the_idle_timeout(client, cisa_editor):
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        client.force_login(cisa_editor)
        for _ in range(4):  # two hours in all, never 30 minutes idle
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("my_agency")).status_code == 200
        clock.shift(dt.timedelta(minutes=30))
        assert client.get(reverse("my_agency")).status_code == 302


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_a_session_is_renewed_at_most_once_a_minute(client, cisa_editor):
    """A renewal writes the session row and sends the cookie again; a request within a minute of the
    last renewal does neither, and one a minute or more after it renews."""
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        client.force_login(cisa_editor)
        clock.shift(dt.timedelta(minutes=10))
        renewed = client.get(reverse("my_agency"))
        assert renewed.cookies["sessionid"]["max-age"] == 30 * 60
        assert _expiry(client) == SIGNED_IN_AT + dt.timedelta(minutes=40)
        clock.shift(dt.timedelta(seconds=59))
        within = client.get(reverse("my_agency"))
        assert within.status_code == 200
        assert "sessionid" not in within.cookies
        assert _expiry(client) == SIGNED_IN_AT + dt.timedelta(minutes=40)
        clock.shift(dt.timedelta(seconds=1))
        assert client.get(reverse("my_agency")).cookies["sessionid"]["max-age"] == 30 * 60
        assert _expiry(client) == SIGNED_IN_AT + dt.timedelta(minutes=41)


def test_a_session_ends_30_minutes_after_its_last_renewal_never_later(client, cisa_editor):
    """A request that does not renew leaves the expiry where the last renewal set it: the session ends
    up to a minute before 30 minutes after that request, never after."""
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        client.force_login(cisa_editor)
        assert client.get(reverse("my_agency")).status_code == 200  # renews: ends at 14:30
        clock.shift(dt.timedelta(seconds=50))
        assert client.get(reverse("my_agency")).status_code == 200  # does not renew
        clock.shift(dt.timedelta(minutes=29, seconds=10))  # 14:30: 29 min 10 s after the last request
        assert client.get(reverse("my_agency")).status_code == 302


def test_a_sign_in_is_a_renewal(client, cisa_editor):
    """The sign-in view changes the session, which is saved with its expiry: that starts the minute."""
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        response = client.post(reverse("login"), {"username": "cisa-editor", "password": "pw"})
        assert response.cookies["sessionid"]["max-age"] == 30 * 60
        clock.shift(dt.timedelta(seconds=59))
        assert "sessionid" not in client.get(reverse("my_agency")).cookies
        assert _expiry(client) == SIGNED_IN_AT + dt.timedelta(minutes=30)


def test_a_pages_background_refresh_does_not_keep_the_session_alive(client, reviewer):
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        client.force_login(reviewer)
        clock.shift(dt.timedelta(minutes=20))
        refresh = client.get("/api/v1/summary/", headers={"X-Orderctl-Background": "1"})
        assert refresh.status_code == 200  # it still reads while the session lasts
        clock.shift(dt.timedelta(minutes=11))  # 31 minutes after the last thing the reviewer did
        assert client.get("/api/v1/summary/", headers={"X-Orderctl-Background": "1"}).status_code == 401
        assert client.get(reverse("dashboard")).status_code == 302


def test_an_idle_browser_session_no_longer_reads_the_api(cisa_editor, directive):
    api = APIClient()
    path = f"/api/v1/directives/{directive('2(c)(ii)').pk}/"
    with time_machine.travel(SIGNED_IN_AT, tick=False) as clock:
        api.force_login(cisa_editor)
        assert api.get(path).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert api.get(path).status_code == 401


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Tk7#qz", "This password is too short"),
        ("password123", "This password is too common"),
        ("8047162953", "This password is entirely numeric"),
        ("cisa-editor-1", "too similar to the username"),
    ],
)
def test_it_refuses_a_weak_new_password_and_keeps_the_old_one(client, cisa_editor, password, reason):
    client.force_login(cisa_editor)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    cisa_editor.refresh_from_db()
    assert cisa_editor.check_password("pw")
