"""The words of a duty (pure): sentences, "shall", action items, titles and the refs a clause names."""

from __future__ import annotations

import re

from .tree import Node

SHALL = re.compile(r"\bshall\b(?!\s+not\b)")
PASSIVE = re.compile(r"^[\s,]*(?:(?:also|further|each|jointly|not|then|thereafter|immediately)\s+)*be\b")
# A lead-in that describes a thing ("sites that:", "language that identifies:") rather than a duty.
CONTENT_LEAD_IN = re.compile(
    r"(?:\bthat|\bwhich|\bwho|\bregarding|\bincluding(?:\s+for)?|\binclude|\bincludes|\bidentif(?:y|ies)|\bdescribe"
    r"|\bsuch as|\bto:?\s*access and proximity to|\bcharacteristics[^:]{0,120}|\bwhether|\bthat\s+\w+"
    r"|\bassociated with|\brelated to|\bconsisting of|\bcompris(?:e|es|ing)"
    r"|\brecommendations?\s+(?:for|on|regarding|to)\b[^:]{0,200}"
    # "a plan ... to advance the following goals, with particular attention to ...:": what the plan aims at.
    r"|\bthe following (?:goals|objectives|principles|priorities|purposes|aims|topics|areas|criteria"
    r"|elements)\b"
    r"[^:]{0,300}"
    # "shall request the NAS, through its Council, to enter into a contract to:": the items are the other's.
    r"|\b(?:request|ask|invite)s?\s+(?:the\s+)?[A-Z][^:]{0,300}\bto)\s*:$",
    re.IGNORECASE,
)
VERBS = frozenset(
    re.findall(
        r"[a-z]+",
        """
    accelerate accept adopt advance advise align allocate allow amend analyze announce apply appoint
    approve assess assign assist authorize begin build clarify collaborate collect commence communicate
    complete comply conduct confer consider consolidate consult continue convene coordinate create
    decide define deliver deploy design designate determine develop direct disseminate draft educate
    eliminate employ enable encourage engage enhance ensure establish estimate evaluate examine execute
    expand expedite explore facilitate finalize form formulate foster fund grant harmonize help hire
    identify implement improve incentivize incorporate increase initiate integrate invest issue lead
    leverage maintain make manage maximize minimize mitigate modernize modify monitor notify obtain
    offer operate organize oversee partner perform pilot plan prepare present prioritize procure
    produce promote propose protect provide publicize publish pursue raise recommend reduce release
    remove report require rescind research review revise seek select set share solicit strengthen
    streamline study submit support take track train transmit undertake update use validate verify work
    prescribe investigate enforce compile negotiate certify withdraw audit reassess reevaluate recruit
    simplify standardize upgrade restore secure start write contact inform brief launch hold post send
    request resume revisit reconvene utilize adjust address award refine reform reinforce renew replace
    resolve respond retain revoke safeguard specify sponsor waive invite measure gather distribute
    participate cooperate reconcile prohibit terminate suspend
""",
    )
)
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z(\u201c])")
_NO_SPLIT_AFTER = re.compile(
    r"(?:\b(?:U\.S|U\.S\.C|C\.F\.R|e\.g|i\.e|No|Nos|Sec|Pub|et seq|v|Inc|Co|Jr|Mr|Ms|Dr|St|al)\.|\b[A-Z]\.)$"
)
_NO_SPLIT_REACH = 12  # longer than the longest abbreviation above ("U.S.C.", "et seq.")
ONGOING_DUTY = re.compile(
    r"\b(?:develop|establish|create|build|implement)\s+and\s+(?:maintain|update)\b", re.I
)
AMENDED = re.compile(r"Executive Order (\d{4,5})\b[^.]{0,400}?\b(?:is|are) hereby (?:further )?amended", re.S)
# An amending clause of its own: "Section 1-102 of Executive Order 12898 ... is further amended by adding".
AMENDING_CLAUSE = re.compile(
    r"Executive Order (\d{4,5})\b[^.]{0,400}?\b(?:is|are) (?:hereby )?(?:further )?amended\b", re.S
)


def sentences(text: str) -> list[tuple[int, str]]:
    """Return the sentences of ``text`` with their offsets; a ";" or ":" ends one too."""
    found: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        # Only the sentence's last words can be an abbreviation; searching all of it again at every
        # candidate end made a text of many short candidates ("Sec. Sec. ...") quadratic.
        if _NO_SPLIT_AFTER.search(text, max(start, m.start() - _NO_SPLIT_REACH), m.start()):
            continue
        found.append((start, text[start : m.start()]))
        start = m.end()
    found.append((start, text[start:]))
    return [(offset, s) for offset, s in found if s.strip()]


def node_text(node: Node, texts: list[str]) -> str:
    """Return the node's text without its heading or its marker: "(i) Heads of ..." -> "Heads of ..."."""
    paragraphs = node.paragraphs[1:] if node.depth == 0 and node.ref and node.title else node.paragraphs
    text = " ".join(texts[i] for i in paragraphs)
    return strip_marker(text) if node.depth > 0 else text


def strip_marker(text: str) -> str:
    return re.sub(r"^\((?:[a-zA-Z]{1,2}|[ivxlc]+|\d{1,3})\)\s+", "", text)


_BEFORE_THE_VERB = re.compile(
    # A deadline with no comma after it: "within 180 days of the date of this order develop and provide".
    r"^(?:(?:within|not later than|no later than)\s[^,]{3,120}?\bthis\s+(?:order|memorandum|proclamation)\s+"
    r"(?=[a-z])(?!(?:and|or|as|to|in|of|for|with|by|under|through)\b)"
    r"|(?:(?:by|within|not later than|no later than)\s(?:[A-Z][a-z]+ \d{1,2}, \d{4}|[^,]{3,250})"
    # "..., and annually thereafter, preparing and submitting": the recurrence is part of the deadline.
    r"|and (?:annually|biennially|quarterly|semiannually|monthly|on an? \w+ basis|every \w+ \w+) thereafter"
    r"(?: for a period of [^,;:]{3,40})?"
    # Whom to consult, a list with commas of its own, before a deadline: "in consultation with State,
    # local, and tribal government officials and the private sector, not later than 180 days ..., develop".
    r"|in (?:consultation|coordination) with [^;:]{3,300}?"
    r"(?=,\s*(?:not later than|no later than|within|by)\s)"
    r"|on (?:at least )?an? \w+ basis"
    r"|(?:in order )?to (?:ensure|promote|help|improve|better|support|protect|address|advance"
    r"|increase|reduce|facilitate|encourage|prevent)\b[^,]{3,250}"
    r"|in (?:consultation|coordination) with [^,]{3,250}"
    r"|as appropriate(?: and consistent with applicable law)?"
    r"|(?:acting )?through (?:the|its|their) [^,;:]{3,150}"
    # "consistent with section 313 of the Homeland Security Act of 2002, as amended (6 U.S.C. 193),"
    r"|consistent with [^,;:]{3,200}?(?:,\s*as amended(?:\s*\([^()]{1,40}\))?)?"
    r"|consistent with (?:applicable )?law),\s*)",
    re.IGNORECASE,
)


_DEADLINE_THEN_VERB = re.compile(
    r",\s*(?:within|not later than|no later than)\s[^,;:]{3,120}?"
    r"\bthis\s+(?:order|memorandum|proclamation),\s*"
    r"(?:(?:acting\s+)?through\s[^,;:]{3,150},\s*)?(?P<verb>[a-z]+)\b",
    re.IGNORECASE,
)


# Words in "-ing" that do not say what is done: "Nothing in this section", "During ...", "Notwithstanding".
_NOT_GERUNDS = frozenset(
    {
        "existing",
        "leading",
        "during",
        "pending",
        "nothing",
        "something",
        "anything",
        "everything",
        "notwithstanding",
        "including",
        "following",
        "according",
        "regarding",
        "concerning",
        "remaining",
    }
)


def is_action_item(text: str) -> bool:
    """Return whether an item begins with what is done ("develop ...", "establishing ..."), not a thing."""
    body = strip_marker(text)
    # What may come before the verb: a purpose ("to ensure that farmers ..., "), whom to consult, "as
    # appropriate", and the deadline ("not later than 30 days after the date of this order, appoint").
    for _ in range(4):
        shorter = _BEFORE_THE_VERB.sub("", body, count=1)
        if shorter == body:
            break
        body = shorter
    # "(i) Prioritizing the development ...": an item may open with a capitalized gerund (a capitalized
    # "Review" or "Plan" is more often a heading's noun than a verb).
    first = re.match(r"[a-z][a-z-]*|[A-Z][a-z-]*ing\b", body)
    if not first:
        # "(iv) Review and, as needed, update within 60 days ... any website content ...;": a capitalized
        # verb opens a duty when what follows is a sentence's worth of words, not a heading's ("Review.",
        # "Review of Agency Policies.", "Report on Progress and Next Steps for the Program."), and no
        # office of its own acts in it.
        verb = re.match(r"([A-Z][a-z-]+)\b(?!\s+of\b)", body)
        head = re.split(r"[.:;](?:\s|$)", body, maxsplit=1)[0]
        words = [w for w in head.split() if len(w) > 3]
        title_case = sum(w[0].isupper() for w in words) > len(words) / 2
        return bool(
            verb
            and verb.group(1).lower() in VERBS
            and len(head.split()) >= 8
            and not title_case
            and not re.search(r"\bshall\b", head)
        )
    word = first.group(0).lower()
    if word in VERBS or (word.endswith("ing") and word not in _NOT_GERUNDS):
        return True
    # "(vi) to help ensure that the patent system, while ..., not later than 45 days after the date of this
    # order, through the Commissioner, write a letter": a purpose with commas of its own, then the deadline
    # and the verb.
    dated = _DEADLINE_THEN_VERB.search(body[:600])
    return bool(dated and dated.group("verb") in VERBS)


def duty_title(duty: str) -> str:
    text = strip_marker(duty).strip()
    text = re.sub(r"^[\s,]*(?:(?:each|jointly|also|further|immediately|promptly|subsequently)\s+)*", "", text)
    text = re.sub(
        r"^,?\s*(?:as appropriate|if possible|to the extent[^,]*|consistent with[^,]*|as feasible[^,]*),\s*",
        "",
        text,
    )
    text = re.sub(
        r"^(?:by|within|not later than|no later than)\s(?:[A-Z][a-z]+ \d{1,2}, \d{4}|[^,]{3,200}),\s*",
        "",
        text,
        flags=re.I,
    )
    cut = len(text)
    stops = (
        r"[;:]|,\s+(?!and\b)|\s+in order to\b|\s+(?:that|which|consistent with|pursuant to)\s"
        r"|\s+(?:within|by|every|not later than|no later than)\s+(?:\d|[A-Z][a-z]+ \d|thirty|sixty|ninety)"
    )
    for m in re.finditer(stops, text):
        if m.start() >= 12:
            cut = m.start()
            break
    text = text[:cut].strip(" ,.;:")
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0]
    text = re.sub(r"\s+(?:to|and|or|by|the|of|for|with|a|an|in)$", "", text)
    return (text[:1].upper() + text[1:]) if text else ""


def expand_refs(refs: str) -> list[str]:
    """Expand "2(a)-(b)", "4(d)(ii)-(iii)", "5" and "3 and 4" into single refs."""
    from .tree import roman_value

    out: list[str] = []
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", refs.strip()):
        part = part.strip(" .")
        m = re.match(r"^(?P<base>\d+[A-Za-z]?(?:\([^)]+\))*?)\((?P<a>[^)]+)\)-\((?P<b>[^)]+)\)$", part)
        if m:
            a, b = m.group("a"), m.group("b")
            if roman_value(a) and roman_value(b) and not (len(a) == 1 and len(b) == 1 and a not in "ivx"):
                values = range(roman_value(a) or 0, (roman_value(b) or 0) + 1)
                out.extend(f"{m.group('base')}({roman(v)})" for v in values)
            elif len(a) == 1 and len(b) == 1:
                out.extend(f"{m.group('base')}({chr(c)})" for c in range(ord(a), ord(b) + 1))
            continue
        if re.match(r"^\d+[A-Za-z]?(?:\([^)]+\))*$", part):
            out.append(part)
    return out


def roman(value: int) -> str:
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    text = ""
    for amount, numeral in numerals:
        while value >= amount:
            text += numeral
            value -= amount
    return text
