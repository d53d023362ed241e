"""What a lead-in hands down to its items: its actors and its deadline, when its duty runs on into them."""

from __future__ import annotations

import re

from directives import deadlines

from . import phrases as ph
from .actors import ActorResolver
from .clauses import Clause, binds
from .drafted import Drafted, Inherited
from .tree import Node
from .wording import CONTENT_LEAD_IN, SHALL, sentences, strip_marker

# A duty that ends at its verb, before the colon: "shall update, as appropriate and consistent with
# ... interests:", "shall develop and publish:". Its items are the things done: "(a) export policies".
VERB_THEN_COLON = re.compile(r"[a-z]+(?:\s+(?:and|or)\s+[a-z]+)?(?:\s*,[^:;]*)?\s*:")


# A duty whose deadline dates only its start: "shall initiate a process to ...", "shall begin to review".
STARTS_ONLY = re.compile(r"\s*(?:[^,]{0,80},\s*)?(?:initiate|begin|commence)\b", re.IGNORECASE)


# A lead-in whose items are steps of the process its paragraph sets up: "As part of this process, ...".
PART_OF_PROCESS = re.compile(
    r"(?:As|In)\s+(?:a\s+)?part\s+of\s+(?:this|that|such|these|the\s+foregoing)\s+"
    r"(?:process|effort|efforts|work|review|initiative)\b",
    re.IGNORECASE,
)


def handed_down(
    resolver: ActorResolver,
    texts: list[str],
    node: Node,
    text: str,
    clauses: list[Clause],
    made: list[Drafted],
) -> Inherited | None:
    """Return the lead-in's actors and deadline, when its duty runs on into its items."""
    passed: Inherited | None = None
    if made and text.rstrip().endswith(":"):
        last_sentence = sentences(text)[-1][1]
        lead_in = next((c for c in reversed(clauses) if c.sentence == last_sentence), None)
        tail = text.rstrip()[-160:]
        runs_on = not CONTENT_LEAD_IN.search(tail) or re.search(r"following:$", tail)
        if runs_on and lead_in is not None:
            own = list(lead_in.phrases)
            rule = own[0].rule if own else made[0].rule
            phrase = own[0] if own else made[0].phrase
            process = [d for d in made if d.phrase is not None]
            if not own and process and PART_OF_PROCESS.match(last_sentence.strip()):
                # "As part of this process, the working group shall:": the items are steps of the process
                # the paragraph sets up, due when it ends, at its last deadline ("culminating in an action
                # plan to be published within 365 days").
                rule, phrase = process[-1].rule, process[-1].phrase
            if re.search(r"\bwho\s+shall:$", tail):
                # "designate a senior agency employee ... ("Chief Science Officer"), who shall: (i) Serve
                # ...": the items are the designee's standing role, not dated by the designation.
                rule, phrase = deadlines.NoDeadline(), None
            passed = Inherited(lead_in.leads, lead_in.consulted, rule, phrase, list(node.paragraphs))
            passed.objects = bool(VERB_THEN_COLON.fullmatch(lead_in.duty.strip()))
            passed.purpose = bool(re.search(r"\s(?:in\s+order\s+)?to:$", tail))
    if passed is None and not made and node.children and text.rstrip().endswith(":"):
        # "The head of each element of the Intelligence Community:" and items that open with "shall":
        # the lead-in names the office, each item its duty.
        office = resolver.parse(sentences(text)[-1][1].rstrip().rstrip(":"))
        if office.leads and not office.anaphoric and not SHALL.search(text):
            opens_with_shall = [
                c for c in node.children if re.match(r"shall\b", strip_marker(texts[c.paragraphs[0]]))
            ]
            if opens_with_shall:
                passed = Inherited(office.leads, office.consulted, deadlines.NoDeadline(), None, [])
    if passed is None and node.children and (not made or not text.rstrip().endswith(":")):
        # "(a) Within 180 days of the date of this order: (i) the Secretary of Energy shall ...; (ii) the
        # Director of OSTP shall ...": the lead-in gives its items their deadline, they name the actors.
        # The lead-in's sentence: its last, or (when its items follow a sentence of what is to be
        # done, "the heads of agencies specified in (i)-(v) shall submit the following reports")
        # its first with a deadline.
        candidates = (
            [sentences(text)[-1][1]] if text.rstrip().endswith(":") else [s for _, s in sentences(text)]
        )
        for sentence in candidates:
            dated = [p for p in ph.find(sentence) if not isinstance(p.rule, deadlines.NoDeadline)]
            if any(c.sentence == sentence and STARTS_ONLY.match(c.duty) for c in clauses):
                # "Within 30 days ..., the Secretary shall initiate a process to adjust ...": the date is
                # the process's start; what its items' offices do within it is not due then.
                break
            if dated and (not dated[0].fixed_date or binds(dated[0], sentence, 0, 0, 0)):
                passed = Inherited([], [], dated[0].rule, dated[0], list(node.paragraphs))
                break
    return passed
