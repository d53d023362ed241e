"""Which pages ``check_page`` keeps a screenshot of under test-artifacts/ (``BROWSER_SCREENSHOTS``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import ARTIFACTS, SCREENSHOTS, screenshot_every_page

pytestmark = pytest.mark.browser

ACCESSIBLE = (
    '<!doctype html><html lang="en"><head><title>Fine</title></head>'
    "<body><main><h1>Fine</h1></main></body></html>"
)
# An image with no text alternative: axe's image-alt rule.
INACCESSIBLE = ACCESSIBLE.replace(
    "<h1>Fine</h1>", '<h1>Not fine</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
)


def kept(request, step: str):
    path = ARTIFACTS / f"{request.node.name}__{step}.png"
    path.unlink(missing_ok=True)
    return path


def test_every_checked_page_is_kept_by_default(request, monkeypatch, page: Page, check_page):
    monkeypatch.delenv(SCREENSHOTS, raising=False)
    path = kept(request, "fine")
    page.set_content(ACCESSIBLE)
    check_page(page, "fine")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_with_failures_only_a_page_with_a_violation_is_kept(request, monkeypatch, page: Page, check_page):
    monkeypatch.setenv(SCREENSHOTS, "failures")
    fine, broken = kept(request, "fine"), kept(request, "broken")
    page.set_content(ACCESSIBLE)
    check_page(page, "fine")
    assert not fine.exists()

    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError, match="image-alt"):
        check_page(page, "broken")
    assert broken.read_bytes().startswith(b"\x89PNG")


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv(SCREENSHOTS, "some")
    with pytest.raises(pytest.UsageError, match="BROWSER_SCREENSHOTS='some': say 'every' or 'failures'"):
        screenshot_every_page()
