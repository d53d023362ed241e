"""The offices an order defines for itself: abbreviations it sets ("Cyber Safety Review Board (Board)",
"\u201cSecretary\u201d means ...") and the bodies it sets up with the office that chairs each.

The actor resolver (``actors``) reads both, so "the Board" or "the Task Force" resolves to an office.
"""

from __future__ import annotations

import bisect
import re

from agencies.catalog import normalize

_DEFINITION = re.compile(
    r"(?P<long>(?:[A-Z][\w'\u2019.&-]*)(?:\s+(?:of|for|and|on|to|the|in|at|as|[A-Z][\w'\u2019.&-]*)){0,14}?)"
    r"\s+\((?:the\s+)?[\u201c\"]?(?P<short>[A-Z][A-Za-z.&\s-]{0,40}?)[\u201d\"]?\)"
)

_MEANS = re.compile(
    r"(?:[Tt]he\s+term\s+)?[\u201c\"](?P<short>[A-Z][A-Za-z .&-]{0,40})[\u201d\"]\s+means\s+"
    r"(?P<long>the\s+(?:Secretary|Director|Administrator|Attorney\s+General|Chair\w*)\b[^,.;()]{0,100})"
)


def local_definitions(text: str) -> dict[str, str]:
    """Return the abbreviations an order defines for offices: "Cyber Safety Review Board (Board)"."""
    found: dict[str, str] = {}
    for m in _DEFINITION.finditer(text):
        short = normalize(m.group("short"))
        long = re.sub(r"\s+", " ", m.group("long")).strip()
        # "the Director of the NSA as the National Manager for National Security Systems (National Manager)"
        long = re.split(r"\s+as\s+(?:the\s+)?", long)[-1] if " as " in long else long
        # "... the Act. The Chief Counsel for Advocacy of the Small Business Administration (Advocacy)": the
        # name starts after the sentence before it ends.
        long = re.split(r"(?<=[a-z])\.\s+(?=[A-Z])", long)[-1]
        if short and short not in found and len(short) < 40:
            found[short] = long
    # A definitions section: "(b) \u201cSecretary\u201d means the Secretary of Homeland Security."
    for m in _MEANS.finditer(text):
        short = normalize(m.group("short"))
        if short and short not in found:
            found[short] = m.group("long").strip()
    return found


_BODY = re.compile(
    r"(?:[A-Z][\w\u2019'-]*\s+(?:(?:on|for|of|the|and)\s+){0,2}){0,8}"
    r"(?:Task\s+Force|Working\s+Group|Council|Committee|Board|Group|Commission)\b"
)
_CHAIRED_BY = re.compile(
    r"\b(?:shall\s+be\s+)?(?P<co>co-)?(?:chaired|headed|led)\s+by\s+(?P<chair>the\s+(?:[^.;()]|\([^()]{0,40}\)){3,240})"
)
_IS_CHAIR = re.compile(
    r"(?P<chair>\b[Tt]he\s+[^,.;()]{3,120}?),?\s+(?:who\s+)?shall\s+(?:serve\s+as|be)\s+(?:the\s+)?"
    r"(?:Chair(?:person|man)?|head)\s+of\s+(?P<body>the\s+[^,.;()]{3,120})"
)

# "the Director of OPM shall convene and chair an interagency working group": the office that sets a body up
# to chair it is its chair.
_CONVENES = re.compile(
    r"(?P<chair>\b[Tt]he\s+[^,.;()]{3,120}?),?\s+shall\s+(?:(?:convene|establish|form)\s+and\s+(?:co-)?chair"
    r"|(?:convene|establish|form)\s+and\s+lead)\s+(?P<body>(?:an?|the)\s+(?:[\w\u2019'-]+\s+){0,8}?"
    r"(?:[Tt]ask\s+[Ff]orce|[Ww]orking\s+[Gg]roup|[Cc]ouncil|[Cc]ommittee|[Bb]oard|[Gg]roup|[Cc]ommission))\b"
)


# "The National Climate Advisor and the Assistant to the President for Economic Policy shall serve as
# Co-Chairs of the Interagency Working Group"; "The Deputy Director of OMB, ... shall serve as Vice Chairs."
# (of the body the sentence before names).
_SERVE_AS = re.compile(
    r"(?:^|(?<=[.;]\s))(?P<chair>(?:The|the)\s+[^.;]{3,400}?)\s+shall\s+serve\s+as\s+(?:the\s+)?"
    r"(?P<role>Co-Chair(?:person)?s|Vice\s+Chair(?:person)?s?)"
    r"(?:\s+of\s+(?P<body>the\s+[^,.;()]{3,120}))?"
)


# "The Panel shall consist of representatives from the following: ... 4. the Department of Agriculture
# (Co-Chair); ... 6. the Department of Health and Human Services (Co-Chair);": chairs marked in the list.
_CONSISTS = re.compile(
    r"(?P<body>\b(?:[A-Z][\w'-]*\s+){0,6}[A-Z][\w'-]*)\s+shall\s+(?:consist|be\s+composed)\s+of\b"
)
_MARKED_CHAIR = re.compile(r"(?P<member>\bthe\s+[A-Z][^;()\n]{3,120}?)\s*\((?:Co-)?Chair\)")


def _marked_chairs(text: str) -> dict[str, list[str]]:
    """Return the members a membership list marks "(Chair)" or "(Co-Chair)", by the body it lists."""
    marked: dict[str, list[str]] = {}
    for m in _MARKED_CHAIR.finditer(text):
        lists = list(_CONSISTS.finditer(text, max(0, m.start() - 3000), m.start()))
        if lists:
            marked.setdefault(lists[-1].group("body"), []).append(m.group("member"))
    return marked


# An office the order makes a lead agency: "The EPA shall be the lead agency for subsection (a)", "The DOD
# shall lead on ...", "The DOI and the DOC shall share the lead on subsections (d) and (f)".
_LEAD_AGENCY = re.compile(
    r"(?:^|(?<=[.;:]\s))(?P<leads>(?:The|the)\s+[A-Z][^.;:\n]{1,150}?)\s+shall\s+"
    r"(?:be\s+(?:the\s+)?lead(?:\s+agency)?\s+(?:for|on|in)|lead\s+on|share\s+the\s+lead\s+(?:for|on|in))\b",
    re.MULTILINE,
)


# A list of offices the order names as a group for itself: "The Secretary of State, the Secretary of the
# Treasury, ..., and the Director of OPM (agency heads) shall". Found from its name in parentheses back to
# the list's first "The": one regular expression running forward from every "The" with two open-ended
# runs tried against each other took minutes on a pasted text of 100,000 characters (quadratic).
_GROUP_NAME = re.compile(
    r"\s+\((?:the\s+)?[\u201c\"]?(?P<short>[a-z][a-z -]{0,30}(?:agenc(?:y|ies)|heads|officials|members))"
    r"[\u201d\"]?\)"
)
_LIST_START = re.compile(r"\b[Tt]he\s+[A-Z]")
# What a list never runs across: a parenthesis, a line break, a semicolon or colon, a full stop.
_LIST_BREAK = re.compile(r"[()\n;:]|\.(?=\s)")
_LIST_MAX = 3000  # characters on each side of the list's first comma


def named_lists(text: str) -> dict[str, str]:
    """Return the groups of offices an order names for itself, by the name it gives them ("agency heads").

    A list is "The"/"the" and a capital, at least 10 characters, a comma, at least 3 more, then the name
    in parentheses, with no break (``_LIST_BREAK``) in it; the earliest such "The" wins. One pass over
    the text: each name looks back only to the break before it.
    """
    breaks = [m.start() for m in _LIST_BREAK.finditer(text)]
    commas = [i for i, char in enumerate(text) if char == ","]
    found: dict[str, str] = {}
    for m in _GROUP_NAME.finditer(text):
        end = m.start()
        last_break = bisect.bisect_left(breaks, end) - 1
        region = max(breaks[last_break] + 1 if last_break >= 0 else 0, end - 2 * _LIST_MAX - 40)
        for start in _LIST_START.finditer(text, region, end):
            body = start.end()  # after "The" and the capital
            # A comma with 10 to 3,000 characters before it (after the capital), 3 to 3,000 after it.
            first, last = max(body + 10, end - 1 - _LIST_MAX), min(body + _LIST_MAX, end - 4)
            at = bisect.bisect_left(commas, first)
            if at < len(commas) and commas[at] <= last:
                listed = text[start.start() : end]
                found.setdefault(normalize(m.group("short")), re.sub(r"\s+", " ", listed).strip())
                break
    return found


def _lead_agencies(text: str) -> str:
    """Return the offices an order makes lead agencies, first made first, as one list ("the EPA, the USDA
    and the DOD"), or "" when it names fewer than two: "the lead agencies" refers back to them."""
    leads: list[str] = []
    for m in _LEAD_AGENCY.finditer(text):
        for office in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group("leads")):
            office = re.sub(r"^The\s", "the ", office.strip())  # the list's "and" splits before "the"
            if office and office.lower() not in {o.lower() for o in leads}:
                leads.append(office)
    if len(leads) < 2:
        return ""
    return ", ".join(leads[:-1]) + " and " + leads[-1]


def chaired_bodies(text: str) -> dict[str, str]:
    """Return the bodies an order sets up, by name, with the office that chairs or leads each.

    "establish an Interagency Task Force, chaired by the Director", "The Committee shall be chaired by
    the Administrator of the EPA", "The Director of OSTP shall be the Chair of the Task Force". Each body
    is indexed by its full name and by its bare kind ("task force"), as the order refers back to it.
    """
    chairs: dict[str, str] = {}

    def add(body: str, chair: str, *, by_kind: bool = True, rules: bool = False) -> None:
        body = re.sub(r"^(?:an?|the)\s+", "", body.strip(), flags=re.I)
        chair = re.sub(r"\s*\([^)]*\)", "", chair).strip()
        chair = re.split(r",?\s+(?:and|or|who|which|that|with)\s+(?=(?!the\b)[a-z])", chair, maxsplit=1)[0]
        kind = re.search(r"(?:Task\s+Force|Working\s+Group|Council|Committee|Board|Group|Commission)$", body)
        for key in {normalize(body), normalize(kind.group(0)) if kind and by_kind else ""} - {""}:
            if rules:
                chairs[key] = chair
            else:
                chairs.setdefault(key, chair)

    for m in _CHAIRED_BY.finditer(text):
        window = text[max(0, m.start() - 250) : m.start()]
        bodies = list(_BODY.finditer(window))
        if bodies:
            chair = m.group("chair")
            if not m.group("co"):
                chair = chair.split(",")[0]  # "chaired by the Director, and composed of ...": one chair
            # "The Task Force shall be co-chaired by ..." rules; "the Task Force led by CEQ" in a recital
            # of an earlier body does not outrank it.
            add(bodies[-1].group(0), chair, rules=text[m.start() : m.start() + 8] == "shall be")
    for m in _CONVENES.finditer(text):
        # Not by its bare kind: "an interagency working group" is referred back to by its words, and "the
        # Working Group" may be another group the order names.
        add(m.group("body"), m.group("chair"), by_kind=False)
    for m in _IS_CHAIR.finditer(text):
        add(m.group("body"), m.group("chair"))
    for body, members in _marked_chairs(text).items():
        add(body, ", ".join(members[:-1]) + (" and " if len(members) > 1 else "") + members[-1])
    for m in _SERVE_AS.finditer(text):
        named = m.group("body")
        if named is None:
            bodies = list(_BODY.finditer(text[max(0, m.start() - 400) : m.start()]))
            if not bodies:
                continue
            named = bodies[-1].group(0)
        role = "vice chairs" if m.group("role").lower().startswith("vice") else "co-chairs"
        body = re.sub(r"^(?:an?|the)\s+", "", named.strip(), flags=re.I)
        chairs.setdefault(normalize(f"{role} of the {body}"), m.group("chair"))
        if role == "co-chairs":
            add(body, m.group("chair"))
    for short, offices in named_lists(text).items():
        chairs.setdefault(short, offices)
    lead_agencies = _lead_agencies(text)
    if lead_agencies:
        chairs.setdefault("lead agencies", lead_agencies)
    return chairs
