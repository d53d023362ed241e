"""A real browser for the staff pages: Playwright driving Debian's Chromium against the live server.

Every page a test visits can be screenshotted into ``test-artifacts/`` and checked with axe-core, the
npm package, injected into the page. The site's Content Security Policy stays in force throughout:
axe is evaluated through the DevTools protocol, which the policy does not govern (an injected
``<script>`` would be refused), and every violation the browser reports is collected and must be none.
Tests here are marked ``browser``; the root conftest deselects them only where /usr/bin/chromium is
missing (CI installs it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PERSONA_PASSWORD = "pw"  # what tests/conftest.py gives every persona
# The features Playwright turns off in every Chromium it launches (playwright 1.65's chromiumSwitches):
# Chromium reads only the last --disable-features it is given, so ours below must name them again.
# tests/browser/test_chromium.py compares them with what Playwright passes.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
# Chromium's headless mode gives each browser context a window of its own, and each window a hidden
# address bar whose suggestion popups are web pages (chrome://omnibox-popup.top-chrome/) rendered ahead
# of use: a renderer that nobody sees, busy while the browser runs, with the browser process answering
# it (tests/browser alone: 202 -> 177 s of CPU without them). No test types into an address bar.
IDLE_UI_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
# Debian's Chromium as it is, never a browser download; quiet flags so a test run talks to nobody.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + IDLE_UI_FEATURES),
]


class _Chromium:
    """One Chromium for a run of browser tests, started by the first and stopped after the last.

    Playwright's sync API keeps an event loop running on this thread while it lives, which Django
    takes for async code (and asyncio for a loop already running): it must not outlive the browser
    tests, so ``pytest_runtest_teardown`` below stops it before any other test runs. The browser
    tests share one xdist worker (tests/conftest.py groups them) and stay together in the collection
    order, so a run starts it once; each test still gets a fresh browser context (its own cookies,
    storage and pages).
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._unsafe_before: str | None = None

    def get(self) -> Browser:
        if self._browser is not None and not self._browser.is_connected():
            self.stop()  # a test crashed it: the next one gets a new Chromium, not the wreck
        if self._browser is None:
            # Django refuses ORM calls beside the running loop as if they came from async code; the
            # tests' own set-up queries and the flush after each are synchronous, so allow them while
            # (and only while) Chromium runs.
            self._unsafe_before = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            if self._browser.is_connected():
                self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
            if self._unsafe_before is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._unsafe_before


_chromium = _Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the test's own teardown (its contexts closed), stop Chromium unless a browser test is next."""
    try:
        return (yield)
    finally:
        if nextitem is None or not nextitem.get_closest_marker("browser"):
            _chromium.stop()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Return the shared Chromium (started for the first browser test of a run)."""
    yield _chromium.get()
    # The test's own queries ran beside Playwright's event loop, on a connection of their own;
    # close it, or PostgreSQL refuses to drop the test database at the end of the run.
    connections.close_all()


# Runs in every document before its own scripts: reports each CSP violation to the test.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.orderctlCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"} ` +
      `at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """The Content Security Policy violations the test's pages reported, in order."""
    return []


@pytest.fixture
def page(browser: Browser, csp_violations: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    context.expose_function("orderctlCspViolation", lambda violation: csp_violations.append(violation))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    """A page with JavaScript switched off, to show the pages work without it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


# Every rule runs on the whole page, and every violating node is reported as before; axe only stops
# describing more than one node for each rule that passed or did not apply (its ``resultTypes``
# option), which it would otherwise give a unique selector each: about a tenth of Chromium's CPU
# in the browser tests.
AXE_VIOLATIONS = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (or `make install`) first")
    return AXE.read_text()


# Which pages ``check_page`` keeps a screenshot of: "every" (the default), or "failures", only those it
# finds a violation on. CI's second pass (the clock moved ahead) takes "failures": its pages are the
# first pass's, and the first pass's screenshots are the run's artifacts (a full-page screenshot is
# about an eighth of the browser tests' CPU).
SCREENSHOTS = "BROWSER_SCREENSHOTS"


def screenshot_every_page() -> bool:
    mode = os.environ.get(SCREENSHOTS, "every")
    if mode not in ("every", "failures"):
        raise pytest.UsageError(f"{SCREENSHOTS}={mode!r}: say 'every' or 'failures'")
    return mode == "every"


@pytest.fixture
def check_page(request, axe_source: str, csp_violations: list[str]):
    """Return a function that screenshots the current page and asserts that neither the Content
    Security Policy (so far in the test) nor axe finds a violation (a page with one is always kept)."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^\w-]+", "_", request.node.name)

    def check(page: Page, step: str) -> None:
        every = screenshot_every_page()
        name = re.sub(r"[^\w-]+", "_", step).strip("_")
        path = ARTIFACTS / f"{test_name}__{name}.png"
        if every:
            page.screenshot(path=path, full_page=True)
        refused = list(csp_violations)  # what the page's own loading reported, before axe runs
        # Evaluated, not added as a <script> element: the page's CSP refuses inline scripts.
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(axe_source)
        violations = page.evaluate(AXE_VIOLATIONS)
        if (refused or violations) and not every:
            page.screenshot(path=path, full_page=True)
        assert refused == [], f"CSP violations up to {page.url} ({step}): {refused}"
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in violations
        )
        assert violations == [], f"axe found violations on {page.url} ({step}):\n{report}"

    return check


@pytest.fixture
def sign_in_with_the_form(live_server):
    """Return a function that signs a persona in through the sign-in form, as a person would."""

    def sign_in(page: Page, username: str, password: str = PERSONA_PASSWORD) -> None:
        page.goto(f"{live_server.url}/")
        page.get_by_label("Username", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in


@pytest.fixture
def sign_in(live_server):
    """Return a function that signs a persona in and opens the page signing in lands on.

    For tests about something other than signing in (those use ``sign_in_with_the_form``): the
    session is made as Django's test client makes one (``force_login``: ``django.contrib.auth.login``,
    its signal's receivers included) and its cookie put in the page's browser context, which is
    Playwright's advice for them ("reuse authentication state"). It saves the sign-in page and the
    form's round trip: the 40 sign-ins of ``tests/browser`` took 180.5 s of the machine's CPU with the
    form, 160.9 s this way (about half a second each, Chromium's included).
    """

    def sign_in(page: Page, username: str) -> None:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/")

    return sign_in


PHONE: ViewportSize = {"width": 375, "height": 812}

# Where a wider element is, when there is one: enough to find the culprit in the template.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  // Wider than the screen, or holding content wider than itself (a long word), outside a region
  // that scrolls on its own; the innermost last.
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > width + 1)
    .filter((e) => !e.closest("[data-scrolls]") || e.matches("[data-scrolls]"))
    .reverse();
  return {
    scroll: document.documentElement.scrollWidth - width,
    wide: wide.slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} ` +
      `${Math.round(e.getBoundingClientRect().right)}px`),
  };
}"""


@pytest.fixture
def phone(browser: Browser, csp_violations: list[str]) -> Iterator[Page]:
    """A page in a phone's viewport (375 px wide, touch), the site's narrowest."""
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
