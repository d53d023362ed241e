"""Subjects: the words before "shall" that name who acts, after any leading phrase ("Within 30 days ...,").

``subject_of`` finds them; ``actors.ActorResolver`` resolves them to offices.
"""

from __future__ import annotations

import re

# An actor as a sentence's subject starts like one of these (after "the", "each", "all", "and" ...).
ACTOR_START = re.compile(
    r"^(?:and\s+|or\s+)?(?:[Tt]he\s+|[Ee]ach\s+|[Aa]ll\s+|[Aa]ny\s+|[Ss]uch\s+|[Rr]elevant\s+|[Aa]ppropriate\s+)?(?:"
    r"Secretar(?:y|ies)|Deputy|Under\s+Secretary|Assistant|Director|Administrator|Attorney\s+General|Chair\w*"
    r"|Commissioner|Chief|[Hh]eads?\b|National\s+(?:Cyber\s+Director|Manager|Security\s+Advisor)|President\s+of"
    r"|Special\s+Advisor|Archivist|Commandant|Federal\s+Chief|Vice\s+(?:President|Chair\w*)|Co-Chair\w*"
    r"|United\s+States\s+Trade|(?:interagency\s+|inter-agency\s+)?working\s+group\b|task\s+force\b"
    r"|[Aa]genc(?:y|ies)\b|executive\s+departments|[Aa]gency\s+(?:members|heads)|[Mm]embers\s+of|Permitting\s+Council"
    r"|[Dd]epartments?\s+and\s+agenc(?:y|ies)\b|(?:[a-z]+(?:ing|ed)|lead|member)\s+agenc(?:y|ies)\b|Department\s+of\b|(?:[A-Z][\w-]*\s+){1,3}agencies\b"
    r"|[A-Z]{2,}[A-Za-z-]*\b|(?:[A-Z][\w'\u2019-]*\s+){0,6}(?:Council|Board|Committee|Subcommittee|Commission|Task\s+Force|Group|Panel"
    r"|Office|Agency|Administration|Service|Bureau|Corps|Agencies)\b"
    r"|(?:[A-Z][\w'\u2019-]*\s+){1,4}(?:Executive|Coordinator|Officer|Advisor|Adviser|Representative)\b)"
)
# Subjects that refer back to an actor already named in the paragraph.
ANAPHORA = re.compile(
    r"^(?:and\s+)?(?:the|each|such|those|these|both)\s+(?:Secretar(?:y|ies)|Director|Administrator|Chair\w*"
    r"|agenc(?:y|ies)|Agencies|heads?\s+of\s+(?:such|those|these)\s+agencies|Attorney\s+General|Council|Board)$"
    r"|^(?:they|it|he|she)$",
    re.IGNORECASE,
)

_LEADING_ADVERB = re.compile(
    r"^(?:(?:no|not)\s+less\s+(?:often\s+)?than\s+|at\s+least\s+)?(?:annually|quarterly|biennially|"
    r"semiannually|immediately|thereafter|subsequently|promptly|also"
    # "Within 1 year of the date of this order the CEQ Chair shall": a deadline with no comma after it.
    r"|(?:within|not later than|no later than)\s[^,]{3,120}?\bthis\s+(?:order|memorandum|proclamation))\s+",
    re.IGNORECASE,
)


_RUN_BY = re.compile(
    r"\b(?:program|initiative|center|fellowship)\b,?\s+(?:administered|managed|operated|run)\s+by\s+"
    r"(?P<office>(?:the\s+)?[A-Z][^;]{2,200})$"
)


def subject_of(clause: str) -> str:
    """Return the actor phrase of the text before "shall", after a leading phrase ("Within 30 days ...,")."""
    text = clause.strip()
    candidates = [0] + [m.end() for m in re.finditer(r"[,;]\s+", text)]
    adverb = _LEADING_ADVERB.match(text)
    if adverb:
        candidates.insert(1, adverb.end())
    skip_to = 0
    for index, start in enumerate(candidates):
        rest = text[start:].strip()
        # Leading phrases that name offices are not the subject: "In consultation with the NCD, agencies".
        if re.match(
            r"(?i)^(?:and\s+)?(?:in\s+(?:consultation|coordination)|after\s+(?:appropriate\s+)?consult|with\s+the)",
            rest,
        ):
            # "after consultation with the A, the B, and the C, the Attorney General": the list of the
            # offices consulted ends at its "and"; the subject follows it.
            later = candidates[index + 1 :]
            ends = [
                i
                for i, c in enumerate(later[:-1])
                if re.match(r"and\s", text[c:].strip()) and ACTOR_START.match(text[c:].strip())
            ]
            skip_to = later[ends[0] + 1] if ends else 0
            continue
        if start < skip_to:
            continue
        if re.match(r"(?i)^(?:acting\s+)?through\b", rest):
            continue
        possessive = re.match(r"^(?:[Tt]he\s+)?[\w\s-]{1,60}?['\u2019]s\s+(?P<next>\S)", rest)
        if possessive and not possessive.group("next").isupper():
            # A possessive names a thing, not who acts ("The Board's initial review shall"), unless a proper
            # name follows it: "the President's Council of Advisors on Science and Technology shall".
            continue
        if ACTOR_START.match(rest) or ANAPHORA.match(rest):
            return rest
    # "the Presidential Innovation Fellows (PIF) program, administered by the General Services
    # Administration (GSA) in collaboration with other agencies, shall": the program acts through its office.
    run = _RUN_BY.search(text)
    return run.group("office").strip(" ,") if run else ""
