"""Every status and every review has a tag of its own: text from its label, and a look no other shares."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

from directives.models import Review, Status

CSS = (Path(__file__).parents[2] / "static" / "css" / "orderctl.css").read_text()


def rule(selector: str) -> str:
    """Return the declarations of the rule whose selector list ends with ``selector``."""
    found = re.search(r"(?:^|\})\s*[^{}]*" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found, f"no rule for {selector}"
    return " ".join(found[1].split())


def test_each_status_has_its_own_colour():
    looks = {s: rule(f".orderctl-status--{s}") for s in Status.values}
    assert len(set(looks.values())) == len(Status.values), looks


def _lab(hex_colour: str) -> tuple[float, float, float]:
    """Return the CIE L*a*b* of an sRGB ``#rrggbb`` (D65), where distance is what the eye sees."""

    def linear(u: float) -> float:
        return ((u + 0.055) / 1.055) ** 2.4 if u > 0.04045 else u / 12.92

    r, g, b = (linear(int(hex_colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    x = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883

    def f(u: float) -> float:
        return u ** (1 / 3) if u > 0.008856 else 7.787 * u + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_no_two_statuses_look_alike():
    """Issue 24: not started and rescinded were two greys 10 apart, in progress and partially complete
    two blues 12 apart (CIE76 distance); 20 is told apart at a glance."""
    colours = {
        s: re.search(r"background-color: (#[0-9a-f]{6})", rule(f".orderctl-status--{s}"))[1]
        for s in Status.values
    }
    close = [
        (a, b, round(math.dist(_lab(colours[a]), _lab(colours[b]))))
        for a, b in itertools.combinations(Status.values, 2)
        if math.dist(_lab(colours[a]), _lab(colours[b])) < 20
    ]
    assert close == [], colours


def test_each_review_has_its_own_look_and_disputed_is_not_unreviewed():
    base = rule(".usa-tag.orderctl-review")
    looks = {r: base + rule(f".usa-tag.orderctl-review--{r}") for r in Review.values if r != "unreviewed"}
    looks["unreviewed"] = base
    assert len(set(looks.values())) == len(Review.values), looks
    assert "background-color: #b50909" in looks["disputed"]
    assert "dashed" in looks["unreviewed"] and "dashed" not in rule(".usa-tag.orderctl-review--disputed")
