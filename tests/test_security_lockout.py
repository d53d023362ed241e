"""Sign-in throttling (django-axes): repeated failures lock one username out from one address.

Defaults: 5 failures lock the pair for 15 minutes from the fifth; attempts during the wait are refused
and do not make it longer.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.test_security import INLINE_CODE, policy_of

ATTACKER = "198.51.100.7"
ELSEWHERE = "203.0.113.9"
PROXY = "10.0.0.2"
START = dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.UTC)
LIMIT = 5


def sign_in(client: Client, username: str, password: str, address: str = ATTACKER, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client: Client, times: int, username: str = "cisa-editor", address: str = ATTACKER, **headers):
    """Sign in with a wrong password ``times`` times; return the last response."""
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address, **headers)
    return response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_four_failures_leave_the_sign_in_form_working(client, cisa_editor, clock):
    response = fail(client, LIMIT - 1)
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert sign_in(client, "cisa-editor", "pw").status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_username_out_from_that_address(client, cisa_editor, clock):
    response = fail(client, LIMIT)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "The username <strong>cisa-editor</strong> failed" in page
    assert "Sign-in for it from here resumes 15 minutes after the failure that paused it" in page
    assert "trying again meanwhile does not make the wait longer" in page
    # Even the right password is refused now, from this address.
    right = sign_in(client, "cisa-editor", "pw")
    assert right.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_follows_the_content_security_policy(client, cisa_editor, clock):
    response = fail(client, LIMIT)
    assert response.status_code == 429
    assert "frame-ancestors" in policy_of(response)
    html = response.content.decode()
    assert "</html>" in html
    assert not INLINE_CODE.search(html)


def test_the_same_user_from_another_address_is_not_locked_out(client, cisa_editor, clock):
    fail(client, LIMIT)
    elsewhere = Client()
    assert sign_in(elsewhere, "cisa-editor", "pw", address=ELSEWHERE).status_code == 302
    assert signed_in(elsewhere)


def test_another_user_from_the_locked_address_is_not_locked_out(client, cisa_editor, treasury_editor, clock):
    fail(client, LIMIT)
    assert sign_in(client, "treasury-editor", "pw").status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_15_minutes(client, cisa_editor, clock):
    fail(client, LIMIT)
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert sign_in(client, "cisa-editor", "pw").status_code == 302
    assert signed_in(client)


def test_attempts_during_the_wait_do_not_make_it_longer(client, cisa_editor):
    """Someone on the victim's address keeps failing every minute: the lock still ends 15 minutes
    after the fifth failure, and the victim signs in."""
    with time_machine.travel(START, tick=False):
        fail(client, LIMIT)
    for minute in range(1, 15):
        with time_machine.travel(START + dt.timedelta(minutes=minute), tick=False):
            assert fail(client, 1).status_code == 429
            assert sign_in(Client(), "cisa-editor", "pw").status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == LIMIT
    with time_machine.travel(START + dt.timedelta(minutes=14, seconds=59), tick=False):
        assert sign_in(Client(), "cisa-editor", "pw").status_code == 429
    with time_machine.travel(START + dt.timedelta(minutes=15, seconds=1), tick=False):
        victim = Client()
        assert sign_in(victim, "cisa-editor", "pw").status_code == 302
        assert signed_in(victim)


def test_the_lock_lifts_15_minutes_after_the_fifth_failure_to_the_second(client, cisa_editor):
    with time_machine.travel(START, tick=False):
        fail(client, LIMIT)
    with time_machine.travel(START + dt.timedelta(minutes=7), tick=False):
        fail(client, 3)
    answers = {}
    for seconds in (14 * 60, 15 * 60 - 1, 15 * 60, 15 * 60 + 1, 16 * 60):
        with time_machine.travel(START + dt.timedelta(seconds=seconds), tick=False):
            answers[seconds] = sign_in(Client(), "cisa-editor", "pw").status_code
    assert answers == {840: 429, 899: 429, 900: 429, 901: 302, 960: 302}


def test_after_the_lock_a_new_failure_counts_from_one(client, cisa_editor):
    with time_machine.travel(START, tick=False):
        fail(client, LIMIT)
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert fail(client, 1).status_code == 200  # the form again, not the lockout page
        assert AccessAttempt.objects.get().failures_since_start == 1
        assert fail(client, LIMIT - 1).status_code == 429


def test_a_successful_sign_in_clears_the_earlier_failures(client, cisa_editor, clock):
    fail(client, LIMIT - 1)
    assert sign_in(client, "cisa-editor", "pw").status_code == 302
    client.logout()
    assert fail(client, LIMIT - 1).status_code == 200
    assert sign_in(client, "cisa-editor", "pw").status_code == 302


def test_the_admin_sign_in_counts_towards_the_same_lock(client, cisa_editor, clock):
    for _ in range(LIMIT):
        response = client.post(
            "/admin/login/", {"username": "cisa-editor", "password": "wrong"}, REMOTE_ADDR=ATTACKER
        )
    assert response.status_code == 429
    assert sign_in(client, "cisa-editor", "pw").status_code == 429


def test_each_lock_is_recorded_for_the_administrators(client, cisa_editor, clock):
    fail(client, LIMIT)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "cisa-editor",
        ATTACKER,
        LIMIT,
    )


def test_without_trusted_proxies_a_forged_forwarded_address_changes_nothing(client, cisa_editor, clock):
    fail(client, LIMIT)
    forged = sign_in(client, "cisa-editor", "pw", HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_forwarded_address(
    client, cisa_editor, settings, clock
):
    settings.TRUSTED_PROXY_COUNT = 1
    # Everyone connects through the proxy, which appends the address it saw to X-Forwarded-For.
    fail(client, LIMIT, address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert sign_in(client, "cisa-editor", "pw", PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    # The attacker cannot step around the lock by sending an X-Forwarded-For of their own...
    spoofed = f"{ELSEWHERE}, {ATTACKER}"
    assert sign_in(client, "cisa-editor", "pw", PROXY, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    # ...while the real user, elsewhere behind the same proxy, signs in.
    real_user = Client()
    assert sign_in(real_user, "cisa-editor", "pw", PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 302
    assert AccessAttempt.objects.get().ip_address == ATTACKER


# --- Nobody else's failures keep a person out for ever (agencies/devices.py) ----------------------


def test_someone_failing_for_ever_at_the_victims_address_does_not_keep_the_victim_out(cisa_editor):
    """The attacker shares the victim's address and locks the username again every time the wait ends,
    for two hours; the victim's browser, which signed in before, signs in all along."""
    victim = Client()
    with time_machine.travel(START - dt.timedelta(days=3), tick=False):
        assert sign_in(victim, "cisa-editor", "pw").status_code == 302
        victim.post(reverse("logout"), REMOTE_ADDR=ATTACKER)
    attacker = Client()
    for quarter in range(8):
        with time_machine.travel(START + dt.timedelta(minutes=16 * quarter), tick=False):
            assert fail(attacker, LIMIT).status_code == 429, quarter
            assert sign_in(Client(), "cisa-editor", "pw").status_code == 429  # an unknown browser waits
            assert sign_in(victim, "cisa-editor", "pw").status_code == 302
            assert signed_in(victim)
            victim.post(reverse("logout"), REMOTE_ADDR=ATTACKER)


def test_a_known_browser_still_counts_its_own_failures(client, cisa_editor, clock):
    assert sign_in(client, "cisa-editor", "pw").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=ATTACKER)
    assert fail(client, LIMIT).status_code == 429
    assert sign_in(client, "cisa-editor", "pw").status_code == 429


def test_a_known_browser_is_known_for_its_username_only(client, cisa_editor, treasury_editor, clock):
    assert sign_in(client, "treasury-editor", "pw").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR=ATTACKER)
    fail(Client(), LIMIT)  # cisa-editor locked for unknown browsers at this address
    assert sign_in(client, "cisa-editor", "pw").status_code == 429


def test_a_forged_device_cookie_is_an_unknown_browser(client, cisa_editor, clock):
    assert sign_in(client, "cisa-editor", "pw").status_code == 302
    genuine = client.cookies["orderctl_device"].value
    fail(Client(), LIMIT)
    forger = Client()
    forger.cookies["orderctl_device"] = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    assert sign_in(forger, "cisa-editor", "pw").status_code == 429


def test_the_device_cookie_is_httponly_same_site_and_expires(client, cisa_editor, clock, settings):
    sign_in(client, "cisa-editor", "pw")
    cookie = client.cookies["orderctl_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 90 * 24 * 3600
