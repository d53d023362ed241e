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


def test_a_bare_title_with_no_duty_before_it_is_the_officer_of_that_title_named_before_it():
    d = draft(
        HEADER
        + """Sec. 6. Reports. (a) Within 1 year of the date for the delivery of the agencies' water plans to
the Director of OMB under section 2 of this order, the Director shall submit a summary of the plans to the
President.

(b) Within 90 days of the date of this order, the Secretary of Energy shall publish a list of dams.
The Secretary shall update the list annually.
"""
    )

    got = by_ref(d)
    assert got["6(a)"].leads == ("OMB",)  # not left unplaced for want of a named subject
    assert (got["6(b)"].leads, got["6(b)-2"].leads) == (("DOE",), ("DOE",))  # the duty before it still rules
    assert not d.unplaced


def test_a_bare_title_refers_to_no_officer_of_another_title():
    d = draft(
        HEADER
        + """Sec. 6. Reports. (a) Within 1 year of the date for the delivery of the water plans to the
Director of OMB, the Secretary shall submit a summary of the plans to the President.

(b) The Director of OMB shall publish the plans.
"""
    )

    assert "6(a)" not in by_ref(d)
    assert [u.reason for u in d.unplaced] == [
        "its subject is not an office the drafter recognizes (or not an office at all)"
    ]


def test_a_subcommittee_and_a_body_described_elsewhere_are_both_leads():
    d = draft(
        HEADER
        + """Sec. 2. Rivers. (a) The Secretary of the Interior shall establish a Rivers Subcommittee of the
Water Council (Rivers Subcommittee).

(b) The Rivers Subcommittee and the Dams Board described in section 5 of this order shall hold a joint
hearing on river flows.

Sec. 5. Dams. The Dams Board shall advise the Secretary of the Interior on dams.
"""
    )

    assert by_ref(d)["2(b)"].leads == ("RSWC", "DB")  # neither dropped, the Board's name without its place
