"""The Chromium every browser test shares, as launched: Playwright's own switches kept, and no hidden
page rendered that no test looks at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import IDLE_UI_FEATURES

pytestmark = pytest.mark.browser


def _descendants(pid: int) -> list[int]:
    """Return every process below ``pid``, from /proc (Playwright's driver, and Chromium under it)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone since the listing
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _browser_command_line() -> list[str]:
    """Return the switches of the Chromium browser process this test process launched.

    Chromium rewrites its own command line into one string, so it is split on spaces again.
    """
    lines = []
    for pid in _descendants(os.getpid()):
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ").split()
            binary = Path(f"/proc/{pid}/exe").resolve().name
        except OSError:
            continue
        if binary != "chromium":
            continue  # a shell that starts it (Debian's /usr/bin/chromium script execs it)
        if "--remote-debugging-pipe" in words and not any(w.startswith("--type=") for w in words):
            lines.append(words)
    assert len(lines) == 1, f"expected one Chromium browser process, found {len(lines)}"
    return lines[0]


def test_our_disabled_features_keep_every_one_playwright_disables(browser):
    """Chromium reads only its last ``--disable-features``: ours must repeat Playwright's, or an upgrade
    of Playwright that turns one more off would see it on again."""
    switch = "--disable-features="
    given = [w.removeprefix(switch).split(",") for w in _browser_command_line() if w.startswith(switch)]
    assert len(given) >= 2, given  # Playwright's, then ours
    *playwrights, ours = given
    missing = {feature for switch in playwrights for feature in switch} - set(ours)
    assert not missing, f"add {sorted(missing)} to PLAYWRIGHT_DISABLED_FEATURES (tests/browser/conftest.py)"
    assert set(IDLE_UI_FEATURES) <= set(ours)


def test_no_window_renders_an_address_bar_popup_nobody_sees(page):
    page.set_content("<title>t</title><p>a page, so the context has its window</p>")
    session = page.context.browser.new_browser_cdp_session()
    try:
        targets = session.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    finally:
        session.detach()
    urls = [target["url"] for target in targets]
    assert not [url for url in urls if url.startswith("chrome://omnibox-popup")], urls
    assert any(target["type"] == "page" for target in targets), urls
