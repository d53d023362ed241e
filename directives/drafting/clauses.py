"""Clauses: each "X shall ..." of a sentence, with its actors and the deadline phrases that bind it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agencies.catalog import normalize

from . import phrases as ph
from .actors import Actor, ActorResolver, Actors
from .drafted import Inherited
from .subjects import subject_of
from .wording import PASSIVE, SHALL, VERBS, sentences


@dataclass
class Clause:
    """One "X shall ..." of a sentence: the actors, the duty and the deadline phrases that bind it."""

    sentence: str
    offset: int  # of the sentence in the node's text
    actors: Actors
    duty: str
    phrases: list[ph.Phrase]
    leads: list[Actor] = field(default_factory=list)
    consulted: list[Actor] = field(default_factory=list)


def find_clauses(text: str, inherited: Inherited | None, resolver: ActorResolver) -> list[Clause]:
    """Return the "X shall" clauses of ``text`` whose X is an office (named, or referred back to)."""
    found: list[Clause] = []
    previous: Clause | None = None
    # A deadline that a colon cut from its duty: "Within 180 days ..., and in accordance with the Goal:
    # Leveraging Federal Data as a Strategic Asset, ..., agencies shall consider": the next clause's.
    carried: list[ph.Phrase] = []
    for offset, sentence in sentences(text):
        phrases = ph.find(sentence)
        shalls = list(SHALL.finditer(sentence))
        if not shalls:
            carried = [p for p in phrases if p.rule.as_dict().get("kind") != "none"]
            carried = carried if sentence.rstrip().endswith(":") else []
            continue
        starts: list[int] = []
        subjects: list[str] = []
        cursor = 0
        for m in shalls:
            pre = sentence[cursor : m.start()]
            subject = subject_of(pre) or defined_subject(pre, resolver)
            subjects.append(subject)
            starts.append(cursor + pre.rfind(subject) if subject else -1)
            cursor = m.end()
        for k, m in enumerate(shalls):
            subject = subjects[k]
            if PASSIVE.match(sentence[m.end() :]):
                continue
            if not subject:
                before = sentence[(shalls[k - 1].end() if k else 0) : m.start()]
                # "The head of each element of the Intelligence Community: ... (B) shall, within 1 year
                # ..., update": an item that opens with "shall" acts for the office its lead-in names.
                opens_item = offset == 0 and k == 0 and not before.strip() and inherited
                # "X shall take immediate steps ...; and shall, within 30 days ...:": X again.
                continues = previous is not None and re.fullmatch(r"(?:.*[\s,;])?(?:and|or)\s*|\s*", before)
                if not (opens_item or continues):
                    continue
                subject = "they"
            actors = resolver.parse(subject)
            leads, consulted = actors.leads, actors.consulted
            if actors.anaphoric:
                source = previous or (inherited and Clause("", 0, Actors(), "", [], inherited.leads))
                condition = _condition_subject(sentence[cursor_of(shalls, k) : m.start()], subject, resolver)
                if condition is not None:
                    source = Clause("", 0, condition, "", [], condition.leads, condition.consulted)
                if not source or not source.leads:
                    # "Within 1 year of the submission of the plans to the Chair of CEQ ..., the Chair
                    # shall": with no duty before it to refer back to, the officer of that title named
                    # last before it, in the sentence or the paragraph.
                    named = named_before(text[:offset] + sentence[: m.start()], subject, resolver)
                    source = Clause("", 0, named, "", [], named.leads) if named else None
                if not source or not source.leads:
                    continue
                leads = source.leads
                consulted = source.consulted if previous else (inherited.consulted if inherited else [])
            if not leads:
                continue
            # A clause with a subject of its own reads from its subject; one that continues the clause
            # before it ("... and shall, within 30 days, ...") from its "shall", so the deadline of the
            # sentence's opening stays the first clause's.
            region_start = 0 if k == 0 else (starts[k] if starts[k] >= 0 else m.start())
            region_end = starts[k + 1] if k + 1 < len(shalls) and starts[k + 1] >= 0 else len(sentence)
            if k + 1 < len(shalls) and starts[k + 1] < 0:
                region_end = shalls[k + 1].start()
            duty = sentence[m.end() : region_end]
            mine = [
                p
                for p in phrases
                if region_start <= p.start < region_end and binds(p, sentence, m.start(), m.end(), region_end)
            ]
            if carried and k == 0 and not any(p.start < m.start() for p in mine):
                mine = [*carried, *mine]
            clause = Clause(sentence, offset, actors, duty, mine, leads, consulted)
            for extra in consulted_after_shall(duty, resolver):
                if all(not same_actor(extra, c) for c in [*clause.consulted, *clause.leads]):
                    clause.consulted.append(extra)
            found.append(clause)
            previous = clause
        carried = []
    return found


# The office that a condition before a pronoun names: "if MARAD determines that ..., it shall".
_CONDITION = re.compile(
    r"\b(?:[Ii]f|[Ww]hen|[Oo]nce|[Uu]nless)\s+(?P<subject>(?:the\s+)?[A-Z][^,;]{0,100}?)\s+[a-z]{2,}s\b"
)


# A title that refers back ("the Chair", "the Secretary") and the officers it can name: "the Chair of CEQ",
# "the CEQ Chair", "the Secretary of Health and Human Services".
_TITLE = re.compile(
    r"^(?:the\s+)?(?P<title>Secretary|Director|Administrator|Chair(?:man|person)?)$", re.IGNORECASE
)


def named_before(before: str, subject: str, resolver: ActorResolver) -> Actors | None:
    """Return the office a bare title ("the Chair") names: the last officer of that title that ``before``
    names ("... to the Chair of CEQ under section 4(a) ..., the Chair shall" -> CEQ); None if none."""
    title = _TITLE.match(subject.strip())
    if title is None:
        return None
    word = re.escape(title.group("title"))
    officers = re.compile(
        rf"\b(?:[Tt]he\s+)?(?:{word}\s+of\s+[^,;:()]{{2,120}}|(?:[A-Z][\w-]*\s+){{1,3}}{word}\b)",
    )
    for m in reversed(list(officers.finditer(before))):
        words = m.group(0).split()
        # The longest run of its first words that names an office: "the Chair of CEQ under section 4(a)".
        for end in range(min(len(words), 12), 1, -1):
            actor = resolver.resolve(" ".join(words[:end]))
            if actor.agency is not None and not actor.agency.is_group:
                return Actors(leads=[actor])
    return None


def cursor_of(shalls: list[re.Match[str]], k: int) -> int:
    """Return where the text before the ``k``-th "shall" of a sentence starts (after the one before it)."""
    return shalls[k - 1].end() if k else 0


def _condition_subject(before: str, subject: str, resolver: ActorResolver) -> Actors | None:
    """Return the office a pronoun subject ("it", "he") refers to when a condition just before it names one:
    "If the Board finds that ..., it shall" -> the Board. None otherwise."""
    if subject.strip().lower() not in ("it", "he", "she", "they"):
        return None
    for m in reversed(list(_CONDITION.finditer(before))):
        actors = resolver.parse(m.group("subject"))
        if actors.leads and not actors.anaphoric:
            return actors
    return None


def same_actor(a: Actor, b: Actor) -> bool:
    if a.agency and b.agency:
        return a.agency.abbreviation == b.agency.abbreviation
    return a.unknown == b.unknown


def same_leads(a: list[Actor], b: list[Actor]) -> bool:
    return [label(x) for x in a] == [label(x) for x in b]


def label(actor: Actor) -> str:
    return actor.agency.abbreviation if actor.agency else actor.unknown


def consulted_after_shall(duty: str, resolver: ActorResolver) -> list[Actor]:
    """Return offices a duty consults right after "shall": "shall, in consultation with X, issue"."""
    m = re.match(
        r"^\s*,\s*(?:as appropriate,\s*)?in (?:consultation|coordination) with "
        r"([^,]+(?:,\s*and [^,]+)?),",
        duty,
    )
    if not m:
        return []
    parsed = resolver.parse(f"the office, in consultation with {m.group(1)}")
    return parsed.consulted


# "shall thereafter submit two further annual reports, by June 1, 2007, and June 1, 2008, that provide ...":
# a date set off by commas right after what the duty sends says when that is due.
_SENT_BY = re.compile(
    r"\s*(?:(?:thereafter|also|each|jointly|annually)\s+)*"
    r"(?:submit|transmit|provide|deliver|send|present|publish|issue)s?\s+(?:(?!\bto\b)[^,;:])+,\s*",
    re.IGNORECASE,
)


def binds(phrase: ph.Phrase, sentence: str, shall_start: int, shall_end: int, region_end: int) -> bool:
    """Return whether a deadline phrase binds the duty, rather than being a date inside what is done."""
    if phrase.start < shall_start:
        return True
    if not phrase.fixed_date:
        return True
    between = sentence[shall_end : phrase.start]
    if re.fullmatch(r"[\s,]*(?:(?:each|jointly|also|further|as appropriate|if possible),?\s*)*", between):
        return True
    after = sentence[phrase.end : region_end]
    if re.fullmatch(r"[\s.,;:]*", after):
        return True
    # "(b) building upon current initiatives, not later than December 31, 2006, develop a plan": set off by
    # commas right before the duty's verb; not inside an infinitive it belongs to ("require vendors to,
    # by January 4, 2027, ensure ...").
    if _SENT_BY.fullmatch(between) and after.lstrip().startswith(","):
        return True
    verb = re.match(r",\s*([a-z]+)\b", after)
    return bool(
        verb
        and verb.group(1) in VERBS
        and re.search(r",\s*$", between)
        and not re.search(r"\bto,?\s*$", between)
    )


# "(vi) ..., not later than 45 days after the date of this order, through the Commissioner of Food and Drugs,
# write a letter", "(i) within 180 days ..., assessing, through the Department of Commerce's Bureau of
# Economic Analysis, the feasibility ...": the item's duty is done through that office.
_ITEM_THROUGH = re.compile(r",\s*(?:acting\s+)?through\s+(?P<who>(?:the|its|their)\s+[^,;:]{3,150}?),")


_SENDS = re.compile(r"(?:submit|transmit|provide|report|send|deliver|forward|present|make|return)\w*$")


def item_through(sentence: str, resolver: ActorResolver) -> list[Actor]:
    """Return the office an item acts through, when it names one in its first words; else []."""
    m = _ITEM_THROUGH.search(sentence[:400])
    if m is None:
        return []
    before = sentence[: m.start()].rsplit(",", 1)[-1].strip()
    # Right after the deadline or the duty's own verb; not the channel of what is sent ("submit to the
    # President, through the Director of the NEC, a report").
    after_deadline = re.search(r"\bthis\s+(?:order|memorandum|proclamation)$", before)
    after_verb = re.fullmatch(r"[a-z]+", before) and not _SENDS.match(before)
    if not (after_deadline or after_verb):
        return []
    who = re.sub(r"^(?:its|their)\s+", "the ", m.group("who"))
    actor = resolver.resolve(who)
    if actor.agency is None and not re.search(
        r"\b(?:Commissioner|Director|Administrator|Bureau|Office)\b", who
    ):
        return []
    return [actor]


# The last words before "shall", after a comma or at the start: "For the purpose of ..., Advocacy".
_LAST_NAME = re.compile(r"(?:^|,\s*)(?P<name>(?:the\s+)?[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,4})\s*$")


def defined_subject(pre: str, resolver: ActorResolver) -> str:
    """Return the short name the order itself defined for an office ("... (Advocacy)"), when it is the
    subject before "shall"; else ""."""
    m = _LAST_NAME.search(pre.strip())
    if m is None or normalize(m.group("name")) not in resolver.definitions:
        return ""
    return m.group("name")
