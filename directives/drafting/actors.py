"""Actors: who "shall" act, who is consulted, resolved to agencies through the catalog.

"the Secretary of Commerce, acting through the Director of NIST, in consultation with the Director of OMB
and in coordination with the Attorney General, shall" -> leads [NIST] (the component acts, so it owns the
status; its department is its parent), consulted [OMB, DOJ]. Several actors before "shall" are joint leads,
the first named the owner. An office the catalog lacks is kept as an agency of its own and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agencies.catalog import Catalog, CatalogAgency, normalize

from .groups import ADJECTIVE_GROUP, GROUP_WORDS, OFFICER_OF_EACH, QUALIFIED_GROUP, group_of, qualified_group
from .subjects import ANAPHORA

# Where the consulted offices start; the lead is named before the first of these.
CONSULT = re.compile(
    r"(?:,\s*|\s+|^)(?:and\s+)?(?:after\s+(?:appropriate\s+)?consult(?:ation|ing)\s+with|in\s+consultation(?:,\s*as\s+appropriate,)?\s+with"
    r"|in\s+coordination(?:,\s*as\s+appropriate,)?\s+with|with\s+the\s+concurrence\s+of|in\s+collaboration\s+with"
    r"|in\s+cooperation\s+with|(?:working\s+)?in\s+partnership\s+with)\s+",
    re.IGNORECASE,
)
THROUGH = re.compile(r"^(?:,\s*)?(?:acting\s+)?through\s+", re.IGNORECASE)
_THROUGH_INSIDE = re.compile(r"\s*,?\s+(?:acting\s+)?through\s+", re.IGNORECASE)
_VAGUE = re.compile(
    r"\bother\b|\bsuch\s+(?:other\s+)?agencies\b|\bdeems?\s+appropriate\b|\bdeem\s+relevant\b|\bas\s+appropriate\b"
    r"|\beach other\b|\bone another\b|\bstakeholders\b|\bprivate[- ]sector\b|\bthe public\b",
    re.IGNORECASE,
)
_NOISE = re.compile(
    r"^(?:as appropriate|if possible|as feasible(?: and appropriate)?|jointly|each|respectively"
    r"|to the extent.*|consistent with.*|as necessary|where appropriate|and|or)$",
    re.IGNORECASE,
)
_OFFICIAL = re.compile(
    r"\b(?:Secretary|Director|Administrator|Attorney General|Chair\w*|Commissioner|Chief|Advisor|Adviser"
    r"|Assistant to the President|Council|Board|Committee|Subcommittee|Commission|Task Force|Representative"
    r"|Counsel|Coordinator|Officer|Manager)\b"
)
# Items of an actor list that are not offices but how they take part: "with support from", "as identified by".
_NOT_AN_OFFICE = re.compile(
    r"^(?:with|rather\s+than|as|from|by|under|including|to|for|in|on|at|if|when|where|who|which|that|other"
    r"|serving)\b",
    re.IGNORECASE,
)


@dataclass
class Actor:
    """One office named in an actor phrase: its agency, or an unknown office kept by name."""

    phrase: str
    agency: CatalogAgency | None = None
    unknown: str = ""  # the office's name when the catalog lacks it


@dataclass
class Actors:
    leads: list[Actor] = field(default_factory=list)
    consulted: list[Actor] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    anaphoric: bool = False


def split_top(text: str, separators: str = r"[,;]") -> list[str]:
    """Split ``text`` on ``separators`` outside parentheses."""
    parts, depth, current = [], 0, ""
    pattern = re.compile(separators)
    index = 0
    while index < len(text):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0:
            m = pattern.match(text, index)
            if m and m.end() > index:
                parts.append(current)
                current = ""
                index = m.end()
                continue
        current += char
        index += 1
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _items(segment: str) -> list[str]:
    """Split an actor list into its offices: on commas, semicolons and an "and" before a new office."""
    items: list[str] = []
    for part in split_top(segment):
        part = re.sub(r"^as\s+well\s+as\s+", "", part.strip())  # "X, as well as Y, shall": both act
        # "the Deputy Director of OMB and other members of the PMC shall": the body they sit on acts too.
        part = re.sub(r"\s+and\s+(?:the\s+)?other\s+members\s+of\s+(?:the\s+)?", " and the ", part)
        if _NOT_AN_OFFICE.match(part):
            # "rather than the Secretary and the Director", "in accordance with its agreement with HUD and
            # the EPA": the offices it names are no leads, however many its "and" joins.
            items.append(part.strip())
            continue
        pieces = re.split(
            r"(?<!Assistant to the President)\s+and\s+"
            r"(?=(?:the\s+|each\s+)?(?:Secretar|Director|Administrator|Attorney|Chair|Commissioner|Head"
            r"|head|National\s+Cyber|Assistant\s+to|APST|APNSA|Special\s+Advisor|Chief\s+Executive|President\s+of"
            r"|[A-Z]{2,}\b|Federal\s+Chief)|the\s+[A-Z])",
            part,
        )
        items.extend(p.strip() for p in pieces if p.strip())
    return items


# A title in the plural before a list of offices: "the Secretaries of State, the Treasury, and Defense".
_PLURAL_TITLE = re.compile(
    r"\b(?:[Tt]he\s+)?(?P<title>Secretaries|Directors|Administrators|Chairs|Chairmen|Departments)\s+of\s+"
    r"(?P<list>[^()]{3,300})$"
)
_LIST_END = re.compile(
    r"(?:,\s*|\s+)(?:and\s+)?(?=the\s+(?:Attorney\s+General|Director|Administrator|Chair|Commissioner"
    r"|Assistant|National|United\s+States\s+Trade|Secretary\s+of|Chief|Head)\b)"
)
_SINGULAR = {
    "secretaries": "Secretary",
    "directors": "Director",
    "administrators": "Administrator",
    "chairs": "Chair",
    "chairmen": "Chairman",
    "departments": "Department",
}


class ActorResolver:
    """Resolve actor phrases of one order through the catalog and the order's own abbreviations."""

    def __init__(self, catalog: Catalog, definitions: dict[str, str], chairs: dict[str, str] | None = None):
        self.catalog = catalog
        self.definitions = definitions
        self.chairs = chairs or {}
        self._resolved: dict[str, Actor] = {}

    def resolve(self, phrase: str) -> Actor:
        """Return the agency ``phrase`` names, or an unknown office flagged by name."""
        # An order names the same offices again and again: resolve each wording once.
        if phrase not in self._resolved:
            self._resolved[phrase] = self._resolve(phrase)
        found = self._resolved[phrase]
        return Actor(phrase=found.phrase, agency=found.agency, unknown=found.unknown)

    def _resolve(self, phrase: str) -> Actor:
        cleaned = re.sub(r"\s*\([^)]*\)", "", phrase).strip(" ,;")
        cleaned = re.sub(r"^(?:and|or)\s+", "", cleaned)
        cleaned = re.sub(r",?\s*(?:each|jointly|respectively|as appropriate)$", "", cleaned)
        # "the Secretary or his designee": the office acts, whoever it designates.
        cleaned = re.sub(r",?\s+or\s+(?:his|her|their|its)\s+designees?$", "", cleaned)
        # "the Interagency Council described in section 7 of this order": the body, wherever it is set up.
        cleaned = re.sub(
            r"\s+(?:established|described|created|convened)\s+(?:in|by|under|pursuant\s+to)\s.*$", "", cleaned
        )
        # "The Attorney General is authorized to and shall": the subject ends at its own verb.
        cleaned = re.split(r"\s+(?:is|are)\s+(?=[a-z])", cleaned, maxsplit=1)[0]
        agency = self.catalog.resolve(cleaned) or group_of(self.catalog, cleaned)
        dual = re.match(r"^(?:the\s+)?Assistant\s+to\s+the\s+President\s+and\s+(?P<office>.+)$", cleaned)
        if agency is None and dual:
            # "the Assistant to the President and Director of the Domestic Policy Council": one office.
            agency = self.catalog.resolve(dual.group("office"))
        if agency is None and re.search(r"\bOffice and\b", cleaned):
            # A slip of the text: "the Director of the Office and Management and Budget".
            agency = self.catalog.resolve(re.sub(r"\bOffice and\b", "Office of", cleaned, count=1))
        if agency is None:
            # "the Deputy Director of OSTP for National Security": an officer named with the area it serves.
            serves = re.match(r"^(?P<office>.+?\bof\s.+?)\s+for\s+(?:[A-Z][\w-]*\s*){1,6}$", cleaned)
            agency = self.catalog.resolve(serves.group("office")) if serves else None
        owned = re.match(r"^(?:the\s+)?(?P<owner>[^,]{3,100}?)['\u2019]s\s+(?P<part>[A-Z].+)$", cleaned)
        owner = self.catalog.resolve(owned.group("owner")) if owned else None
        if agency is None and owned and owner is not None and not owner.is_group:
            # "the Department of Commerce's Bureau of Economic Analysis": the component, by its own name.
            cleaned = owned.group("part")
            agency = self.catalog.resolve(cleaned)
        as_written = normalize(cleaned)
        if agency is None:
            longer = self.definitions.get(normalize(cleaned))
            if longer:
                agency = self.catalog.resolve(longer)
                if agency is None:
                    cleaned = longer
        if agency is None:
            # "the Director of the NSA as the National Manager" names an office through its abbreviation
            for short, longer in self.definitions.items():
                if normalize(cleaned).endswith(" of " + short) or normalize(cleaned).endswith(
                    " of the " + short
                ):
                    agency = self.catalog.resolve(cleaned[: -len(short)] + longer)
                    break
        chaired = next((k for k in (as_written, normalize(cleaned)) if k in self.chairs), None)
        if agency is None and chaired is not None:
            # A body the order set up acts through its chair: "the Task Force" -> the Director of OSTP.
            chair = self.chairs[chaired]
            agency = self.catalog.resolve(chair) or self.catalog.resolve(
                self.definitions.get(normalize(chair), "")
            )
        if agency is None and OFFICER_OF_EACH.search(cleaned):
            # "the Senior Sustainability Officer for each agency": an officer every agency has acts for it.
            agency = self.catalog.resolve("each agency")
        if agency is None or agency.abbreviation == "AGENCIES":
            # "the heads of agencies that operate NSS": the group its members' qualifier names, if any.
            agency = qualified_group(self.catalog, cleaned) or agency
        if agency is not None:
            return Actor(phrase=phrase, agency=agency)
        return Actor(phrase=phrase, unknown=re.sub(r"^(?:the|The)\s+", "", cleaned))

    def parse(self, subject: str) -> Actors:
        """Return the leads and consulted offices that an actor phrase (a sentence's subject) names."""
        result = Actors()
        subject = subject.strip(" ,")
        body = normalize(re.sub(r"\s*\([^)]*\)", "", subject))
        # "the Vice Chairs of the Working Group established in section 3 of this memorandum"
        body = re.sub(
            r"\s+(?:established|described|created|convened)\s+(?:in|by|under|pursuant to)\s.*$", "", body
        )
        # "the agencies identified in this section as the lead agencies": those the order made leads.
        body = re.sub(
            r"^agencies\s+(?:identified|designated|named)\s+(?:in\s+this\s+\w+\s+)?as\s+(?:the\s+)?", "", body
        )
        body = body if body in self.chairs else normalize(self.definitions.get(body, ""))
        known = self.catalog.resolve(subject)
        if body in self.chairs and (known is None or known.is_group):
            # A body the order set up acts through its chair, or all its co-chairs; a group it names for
            # itself ("... (agency heads)") is the offices it lists, not the catalog's wider group.
            chaired = self.parse(self.chairs.pop(body))
            self.chairs[body] = ", ".join(a.phrase for a in chaired.leads)
            if chaired.leads:
                return chaired
        named = self.resolve(subject).agency is not None
        if ANAPHORA.match(subject) and not named:
            result.anaphoric = True
            return result
        parts = CONSULT.split(subject)
        lead_part, consulted_parts = parts[0], parts[1:]
        result.leads = self._segment(lead_part, result, consulted=False)
        for part in consulted_parts:
            result.consulted.extend(self._segment(part, result, consulted=True))
        # The leads are not also consulted; an office is listed once.
        lead_keys = {self._key(a) for a in result.leads}
        seen: set[str] = set()
        consulted = []
        for a in result.consulted:
            key = self._key(a)
            if key not in lead_keys and key not in seen:
                seen.add(key)
                consulted.append(a)
        result.consulted = consulted
        unique, seen = [], set()
        for a in result.leads:
            if self._key(a) not in seen:
                seen.add(self._key(a))
                unique.append(a)
        result.leads = unique
        return result

    @staticmethod
    def _key(actor: Actor) -> str:
        return actor.agency.abbreviation if actor.agency else actor.unknown.lower()

    def distribute(self, segment: str) -> str:
        """Write a plural title's list out in full, so no officer of it is lost.

        "the Secretaries of State, the Treasury, and Defense" -> "the Secretary of State, the Secretary of
        the Treasury, and the Secretary of Defense"; "the Secretaries of Health and Human Services and
        Agriculture" splits at the "and" that leaves two offices the catalog knows.
        """
        m = _PLURAL_TITLE.search(segment)
        if not m:
            return segment
        title = _SINGULAR[m.group("title").lower()]
        offices: list[str] = []
        # The list ends where another office is named: "the Secretaries of Health and Human Services and
        # Agriculture and the Attorney General" -> two Secretaries, then the Attorney General.
        listed_part, after = m.group("list"), ""
        end = _LIST_END.search(listed_part)
        if end:
            listed_part, after = listed_part[: end.start()], listed_part[end.start() :]
        tokens = re.split(r",\s*(?:and\s+)?|;\s*", listed_part)
        for index, token in enumerate(tokens):
            token = re.sub(r"^(?:and|or)\s+", "", token.strip())
            if not token:
                continue
            if (
                offices
                and self.catalog.resolve(f"{title} of {token}") is None
                and self.catalog.resolve(token)
            ):
                # "the Departments of Defense, the Interior, and Agriculture, the Environmental Protection
                # Agency, ...": the list under the title ends where an office named in full follows.
                after = ", " + ", ".join(t.strip() for t in tokens[index:]) + after
                break
            if self.catalog.resolve(f"{title} of {token}") is not None or " and " not in token:
                offices.append(token)
                continue
            offices += self._split_offices(title, token.split(" and ")) or [token]
        if len(offices) < 2:
            return segment
        listed = ", ".join(f"the {title} of {office}" for office in offices)
        return segment[: m.start()] + listed + after + segment[m.end() :]

    def _split_offices(self, title: str, words: list[str]) -> list[str]:
        """Return the offices "A and B and C" names under one title, each known to the catalog, or []."""
        whole = " and ".join(words)
        if self.catalog.resolve(f"{title} of {whole}") is not None:
            return [whole]
        for cut in range(1, len(words)):
            left = " and ".join(words[:cut])
            if self.catalog.resolve(f"{title} of {left}") is not None:
                rest = self._split_offices(title, words[cut:])
                if rest:
                    return [left, *rest]
        return []

    def _segment(self, segment: str, result: Actors, *, consulted: bool) -> list[Actor]:
        # "the Secretaries of the Treasury and Commerce each shall": how they act is no office's name.
        segment = re.sub(r",?\s+(?:each|jointly|respectively)$", "", segment.strip())
        segment = self.distribute(segment)
        actors: list[Actor] = []
        department: list[Actor] = []  # the offices a following "through" acts for
        items = _items(segment)
        index = 0
        while index < len(items):
            item = items[index].strip()
            index += 1
            if not item or _NOISE.match(item):
                continue
            # A name with commas of its own ("the Bureau of Alcohol, Tobacco, Firearms and Explosives") was
            # cut at them: when its first piece names no office, the pieces completing a known name join it.
            joined = self._rejoin(item, items[index:])
            if joined is not None:
                item, taken = joined
                index += taken
            through = THROUGH.match(item)
            if through and actors:
                component = self.resolve(re.sub(r"^(?:its|their)\s+", "", item[through.end() :]))
                self._replace(actors, department, component, item, result)
                department = [component]
                continue
            if _NOT_AN_OFFICE.match(item):
                continue
            inner = _THROUGH_INSIDE.split(item, maxsplit=1)
            if _VAGUE.search(inner[0]) and (consulted or actors):
                # "the Attorney General, the Secretary of Homeland Security, and the heads of other Federal
                # LEAs": "other" before a group the catalog names is that group, not anyone appropriate.
                named = self._named_group(inner[0])
                if named is None:
                    continue
                inner[0] = named
            actor = self.resolve(inner[0])
            if actor.agency is None and not (
                _OFFICIAL.search(actor.unknown) or GROUP_WORDS.search(actor.unknown)
            ):
                continue  # not an office: "as the APST and APNSA deem relevant", "the President"
            if actor.agency is not None and actor.agency.is_group and consulted:
                continue  # "the heads of relevant agencies" is everyone and no one in particular
            bare = re.sub(r"\s*\([^)]*\)", "", inner[0]).strip()
            qualified = QUALIFIED_GROUP.match(bare) or ADJECTIVE_GROUP.match(bare)
            if qualified and actor.agency is not None and actor.agency.abbreviation == "AGENCIES":
                beside = next((a for a in actors if a.agency is not None and a.agency.is_group), None)
                if beside is not None and beside.agency is not None:
                    # "the heads of agencies represented on the NSC, as well as heads of agencies appearing
                    # in an advisory capacity": a narrowing the catalog lacks, beside a group it names,
                    # widens that group at most, never to every agency.
                    result.notes.append(
                        f"'{inner[0].strip()}': a group the text narrows "
                        f"('{qualified.group('qualifier')[:80]}'), read with {beside.agency.abbreviation} "
                        "named before it: name the agencies meant if the order file should."
                    )
                    continue
                result.notes.append(
                    f"'{inner[0].strip()}': a group the text narrows "
                    f"('{qualified.group('qualifier')[:80]}'), "
                    "drafted as every agency: name the agencies meant if the order file should."
                )
            actors.append(actor)
            department = [actor]
            if len(inner) > 1:
                component = self.resolve(inner[1])
                self._replace(actors, department, component, item, result)
                department = [component]
        return actors

    def _named_group(self, item: str) -> str | None:
        """Return ``item`` without its "other" when that is its only vague word and the rest names a group
        of the catalog other than every agency ("the heads of other Federal LEAs"), else None."""
        rest = re.sub(r"\bother\s+", "", item, count=1)
        if rest == item or _VAGUE.search(rest):
            return None
        actor = self.resolve(rest)
        if actor.agency is None or not actor.agency.is_group or actor.agency.abbreviation == "AGENCIES":
            return None
        return rest

    def _rejoin(self, item: str, following: list[str]) -> tuple[str, int] | None:
        """Return ``item`` joined with the next pieces when together, and not alone, they name a known office,
        and how many pieces it took; None when ``item`` needs no joining."""
        office = THROUGH.sub("", item)
        office = re.sub(r"^(?:its|their)\s+", "", office) if office != item else office
        if self.catalog.resolve(re.sub(r"\s*\([^)]*\)", "", office)) is not None:
            return None
        for taken in range(1, min(4, len(following)) + 1):
            candidate = ", ".join([office, *(p.strip() for p in following[:taken])])
            if self.catalog.resolve(re.sub(r"\s*\([^)]*\)", "", candidate)) is not None:
                return ", ".join([item, *(p.strip() for p in following[:taken])]), taken
        return None

    def _replace(
        self, actors: list[Actor], department: list[Actor], component: Actor, item: str, result: Actors
    ) -> None:
        """Let the component a department acts through take the department's place."""
        if component.agency is None:
            result.notes.append(
                f"'{item.strip()}': the office acted through is not in the agency catalog; "
                "the department is kept as the actor."
            )
            return
        for previous in department:
            if previous in actors:
                actors[actors.index(previous)] = component
                return
        actors.append(component)
