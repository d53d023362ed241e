"""Subjects the text names by what they do or by a title it named before: who acts, drafted whole."""

from directives import deadlines
from directives.drafting import draft
from tests.drafting.test_drafter import by_ref

D = deadlines
HEADER = """Executive Order 99031 of March 3, 2026

By the authority vested in me as President, it is hereby ordered:

"""


def test_the_agency_named_by_what_it_does_acts_as_every_agency_and_is_flagged():
    d = draft(
        HEADER
        + """Sec. 4. Spills. (a) No later than 3 weeks following a spill reported under section 2 of this
order, the reporting agency shall hold a hearing on it.  The agency shall post notice of the hearing no
later than 48 hours after the spill.
"""
    )

    got = by_ref(d)
    assert got["4(a)"].leads == ("AGENCIES",)
    assert got["4(a)"].rule == D.DaysFromEvent(
        days=21, event="a spill reported under section 2 of this order"
    )
    assert "'reporting'" in got["4(a)"].review
    assert got["4(a)-2"].rule == D.DaysFromEvent(days=2, event="spill")
