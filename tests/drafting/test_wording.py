"""The words of a duty: which items of a lead-in begin with what is to be done."""

import pytest

from directives.drafting.wording import CONTENT_LEAD_IN, is_action_item


@pytest.mark.parametrize(
    "item",
    [
        "(c) within 180 days from the date of this order, prescribe such regulations as may be necessary",
        "(a) within 180 days of the date of this order develop and provide to the Chair recommended rules",
        "(ii) within 240 days of the date of this order, and annually thereafter, preparing and submitting",
        "(d) in consultation with State, local, and tribal government officials and the private sector, "
        "not later than 180 days after the date of this order, develop a plan",
        "(i) Prioritizing the development and growth of Registered Apprenticeships",
        "(iv) Review and, as needed, update within 60 days of the date of this memorandum any content",
        "(iii) utilize industry and philanthropic partnerships to the extent practicable.",
        "(B) not later than 5 years after the date of this order and no less than every 5 years thereafter, "
        "contact the relevant element",
        "(e) within 1 year of the date of this order, and annually thereafter for a period of 3 years, "
        "provide an update",
        "(iii) not later than 180 days after the date of this order, consistent with section 313 of the Act, "
        "as amended (6 U.S.C. 193), establishing lists",
        "(vi) to help ensure that the patent system, while incentivizing innovation, does not delay "
        "competition, not later than 45 days after the date of this order, through the Commissioner, write a "
        "letter",
    ],
)
def test_an_item_that_opens_with_its_deadline_or_whom_it_consults_is_a_duty(item):
    assert is_action_item(item)


@pytest.mark.parametrize(
    "item",
    [
        "(b) within 240 days of the date of this order and concurrent with submission of the Plan, the",
        "(iii) within 7 days of receiving notice of an Order or Directive issued pursuant to the procedures",
        "(i) the agency's methodology for identifying and measuring improper payments",
        "(c) Nothing in this section shall be construed to authorize a licensing requirement",
        "(a) Review of existing regulations.",
        "(b) Review. The Secretary shall review the program within 90 days of the date of this order.",
        "(c) Report on Progress and Next Steps for the Program.",
    ],
)
def test_an_item_whose_deadline_runs_on_into_more_conditions_or_a_thing_is_not(item):
    assert not is_action_item(item)


def test_a_lead_in_including_for_introduces_purposes_not_duties():
    assert CONTENT_LEAD_IN.search("prioritize the use of AI in grant programs, including for:")
    assert not CONTENT_LEAD_IN.search("increase participation in Registered Apprenticeships, including by:")


@pytest.mark.parametrize(
    "lead_in",
    [
        "shall develop a strategic plan within 200 days of the date of this order to advance the following "
        "goals, with particular attention to reducing disparities:",
        "shall request the National Academy of Sciences, through its National Research Council, to enter "
        "into a contract to:",
    ],
)
def test_a_lead_in_naming_goals_or_what_another_party_is_asked_to_do_lists_no_duties(lead_in):
    assert CONTENT_LEAD_IN.search(lead_in)


def test_a_lead_in_ending_in_the_following_runs_on_into_its_duties():
    assert not CONTENT_LEAD_IN.search("shall take the following steps to:")
