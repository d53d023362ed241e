"""Pathological texts for the drafter, each about ``size`` characters: what a paste could craft against its
regular expressions. The fuzz test drafts them at a moderate size; bench/drafting.py at 1 MB, timed."""

from __future__ import annotations

import random

_HEAD = "By the authority vested in me as President, it is hereby ordered:\n\nSec. 1. Purpose. "
_DUTY = "(a) Within 30 days of the date of this order, the Secretary of Defense shall "


def _fill(unit: str, size: int, *, head: str = _HEAD, tail: str = "") -> str:
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def cases(size: int) -> dict[str, str]:
    """Return each pathological shape as a text of about ``size`` characters."""
    rng = random.Random(20)  # noqa: S311 - a fixed seed for the same texts in every run, not a secret
    markers = ["(a) ", "(i) ", "(A) ", "(1) ", "\\(b\\) ", "4.1. ", "Sec. 2. ", "Section 305. "]
    return {
        # The input that made the old _SPAN_RUN backtrack for minutes: underlined spans never closed.
        "unclosed underlined spans": _fill('<span style="text-decoration: underline">Sec ', size),
        "nested underlined spans": _fill('<span style="underline">', size, tail="x" + "</span>" * 50),
        "span tags without an end": _fill("<span underline underline ", size),
        "underlined runs of dots": _fill('<span style="underline">Sec</span>. . . ', size, tail="<span"),
        "a run of spaces": _fill(" ", size, head=_HEAD + _DUTY, tail="act."),
        "a run of dots": _fill(".", size),
        "a run of markers": _fill("(a) ", size),
        "a run of escaped markers": _fill("\\(ii\\) ", size),
        "a run of headings": _fill("Sec. ", size),
        "emphasis never closed": _fill("*a ", size, head=_HEAD + _DUTY + "**"),
        "a run of open parentheses": _fill("(", size),
        "a run of quotation marks": _fill("\u201c", size),
        "a run of angle brackets": _fill("<", size),
        "a subject that never ends": _fill("the Secretary of State, ", size, tail=" shall act."),
        "joint subjects": _fill("the Secretary of State and ", size, tail="the Attorney General shall act."),
        "one duty, many deadlines": _fill(
            "act within 30 days of the date of this order ", size, head=_HEAD + _DUTY
        ),
        "one duty, many chained deadlines": _fill(
            "within 30 days of the publication of the guidance described in subsection (b) ",
            size,
            head=_HEAD + _DUTY,
        ),
        "a long duty": _fill("review and ", size, head=_HEAD + _DUTY, tail="report."),
        "definitions without end": _fill("Office of the Board (Board) ", size),
        "random markers and spaces": _HEAD
        + "".join(rng.choice([*markers, " ", "  ", ". ", "\n", "shall "]) for _ in range(size // 4)),
        "many sections": _HEAD
        + "\n\n".join(
            f"Sec. {n}. Title. (a) The Secretary of Defense shall act within {n} days of the date of this "
            "order."
            for n in range(2, max(3, size // 100))
        ),
    }
