"""Every status and every review has a tag of its own: text from its label, and a look no other shares."""

from __future__ import annotations

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


def test_each_review_has_its_own_look_and_disputed_is_not_unreviewed():
    base = rule(".usa-tag.orderctl-review")
    looks = {r: base + rule(f".usa-tag.orderctl-review--{r}") for r in Review.values if r != "unreviewed"}
    looks["unreviewed"] = base
    assert len(set(looks.values())) == len(Review.values), looks
    assert "background-color: #b50909" in looks["disputed"]
    assert "dashed" in looks["unreviewed"] and "dashed" not in rule(".usa-tag.orderctl-review--disputed")
