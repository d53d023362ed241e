"""API clients for the personas, each signed in with a personal token as a script would be."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from agencies import actions


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Start every test with empty throttle counters (they live in the cache)."""
    cache.clear()
    yield
    cache.clear()


def token_client(user, *, read_only: bool = False) -> APIClient:
    """Return a client that sends a new token of ``user`` as ``Authorization: Token <key>``."""
    _, key = actions.create_api_token(user, actor=user, name="tests", read_only=read_only, expires_days=90)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def as_cisa(cisa_editor) -> APIClient:
    return token_client(cisa_editor)


@pytest.fixture
def as_treasury(treasury_editor) -> APIClient:
    return token_client(treasury_editor)


@pytest.fixture
def as_oncd(oncd_editor) -> APIClient:
    """An editor of ONCD, consulted on 2(c), 2(d), 2(e) and Sec. 3 but leading nothing."""
    return token_client(oncd_editor)


@pytest.fixture
def as_dhs(dhs_editor) -> APIClient:
    return token_client(dhs_editor)


@pytest.fixture
def as_reviewer(reviewer) -> APIClient:
    return token_client(reviewer)


@pytest.fixture
def as_admin(admin_user) -> APIClient:
    return token_client(admin_user)


@pytest.fixture
def as_read_only(cisa_editor) -> APIClient:
    """A CISA editor's read-only token: it reads like them and writes nothing."""
    return token_client(cisa_editor, read_only=True)


@pytest.fixture
def as_outsider(outsider) -> APIClient:
    return token_client(outsider)
