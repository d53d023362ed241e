"""Actors: the offices that shall act (leads, owner first) and those consulted, through the catalog."""

import pytest

from agencies.catalog import default_catalog
from directives.drafting.actors import ActorResolver
from directives.drafting.definitions import chaired_bodies, local_definitions
from directives.drafting.subjects import subject_of


def parse(subject, text=""):
    resolver = ActorResolver(default_catalog(), local_definitions(text))
    actors = resolver.parse(subject_of(subject))
    label = [a.agency.abbreviation if a.agency else f"?{a.unknown}" for a in actors.leads]
    consulted = [a.agency.abbreviation if a.agency else f"?{a.unknown}" for a in actors.consulted]
    return label, consulted, actors


@pytest.mark.parametrize(
    ("subject", "leads", "consulted"),
    [
        (
            "Within 90 days of the date of this order, the Secretary of Commerce, acting through the "
            "Director of NIST, in consultation with the Attorney General and in coordination with the "
            "Secretary of State,",
            ["NIST"],
            ["DOJ", "STATE"],
        ),
        ("the Secretary of Homeland Security acting through the Director of CISA", ["CISA"], []),
        (
            "the Secretary of Defense and the Secretary of Energy, in consultation with each other,",
            ["DOD", "DOE"],
            [],
        ),
        ("the Secretary of War, through the Director of NSA, and the Attorney General", ["NSA", "DOJ"], []),
        ("the Director of OMB, in coordination with the National Cyber Director", ["OMB"], ["ONCD"]),
        (
            "the APST, in consultation with the heads of such agencies as the APST deems appropriate,",
            ["OSTP"],
            [],
        ),
        ("the Assistant to the President for National Security Affairs", ["NSC"], []),
        ("the head of each agency", ["AGENCIES"], []),
        ("Heads of FCEB Agencies", ["FCEB"], []),
        ("agency members of the FAR Council", ["FAR-COUNCIL"], []),
        ("the Secretary of Defense", ["DOD"], []),  # as a text of its time says
        ("the Secretary of War", ["DOW"], []),
        (
            "the Secretary of Commerce, acting through the Director of NIST; the Secretary of Energy; and "
            "the Director of the National Science Foundation",
            ["NIST", "DOE", "NSF"],
            [],
        ),
        # "other" before a group the catalog names is that group; before "agencies" it names no one.
        (
            "the Attorney General, the Secretary of Homeland Security, and the heads of other Federal LEAs",
            ["DOJ", "DHS", "FED-LEAS"],
            [],
        ),
        ("the Attorney General and the heads of other relevant agencies", ["DOJ"], []),
        (
            "the heads of the Departments of Defense, the Interior, and Agriculture, the Environmental "
            "Protection Agency, and other agencies as recommended by the Council",
            ["DOD", "DOI", "USDA", "EPA"],
            [],
        ),
        ("the Secretary of Commerce, working in partnership with the Attorney General,", ["DOC"], ["DOJ"]),
        (
            "Within 1 year of the date of this order the Chair of the Council on Environmental Quality",
            ["CEQ"],
            [],
        ),
        (
            "Within 90 days, the Fellows program, administered by the General Services Administration (GSA) "
            "in collaboration with the Secretary of Labor,",
            ["GSA"],
            ["DOL"],
        ),
    ],
)
def test_it_resolves_leads_and_consulted_offices(subject, leads, consulted):
    got_leads, got_consulted, _ = parse(subject)
    assert (got_leads, got_consulted) == (leads, consulted)


def test_an_unknown_office_is_kept_by_name():
    leads, consulted, _ = parse(
        "the Secretary of Widgets, in consultation with the Director of the Office of Gears"
    )
    assert (leads, consulted) == (["?Secretary of Widgets"], ["?Director of the Office of Gears"])


def test_an_unknown_component_acted_through_keeps_the_department_and_says_so():
    leads, _, actors = parse("the Secretary of Energy, acting through the Director of the Office of Gears")
    assert leads == ["DOE"]
    assert "not in the agency catalog" in actors.notes[0]


def test_an_order_s_own_abbreviation_names_the_office():
    text = "the Secretary shall establish the Cyber Safety Review Board (Board) at once."
    assert parse("and the Board", text)[0] == ["CSRB"]


def test_an_abbreviation_in_quotes_names_the_office():
    text = "the Secretary of Homeland Security (the \u201cSecretary\u201d) shall act."
    assert parse("the Secretary", text)[0] == ["DHS"]


def test_a_bare_title_refers_back():
    assert parse("the Secretary")[2].anaphoric
    assert parse("Such agencies")[2].anaphoric


@pytest.mark.parametrize(
    "clause",
    [
        "This order",
        "Nothing in this order",
        "The costs for publication of this order",
        "The Board's initial review",
        "The recommendations",
    ],
)
def test_things_are_not_actors(clause):
    assert subject_of(clause) == ""


def test_the_subject_follows_leading_phrases():
    assert subject_of("To implement the policy set forth in subsection (f), the Secretary of Energy") == (
        "the Secretary of Energy"
    )
    assert subject_of("In consultation with the National Cyber Director, agencies") == "agencies"
    assert subject_of("No less than annually the Secretary of Defense") == "the Secretary of Defense"


@pytest.mark.parametrize(
    ("subject", "leads"),
    [
        ("the Secretaries of State, the Treasury, and Defense", ["STATE", "TREASURY", "DOD"]),
        ("the Secretaries of Health and Human Services and Agriculture", ["HHS", "USDA"]),
        ("The Secretaries of Defense and Energy", ["DOD", "DOE"]),
    ],
)
def test_a_list_of_officers_under_one_plural_title_keeps_every_officer(subject, leads):
    parsed = ActorResolver(default_catalog(), {}).parse(subject)

    assert [a.agency.abbreviation for a in parsed.leads] == leads


@pytest.mark.parametrize(
    ("subject", "leads"),
    [
        ("all agency heads", ["AGENCIES"]),
        ("Federal agencies", ["AGENCIES"]),
        ("each department and agency", ["AGENCIES"]),
        ("each FCEB agency", ["FCEB"]),
        ("the Department of Transportation", ["DOT"]),
    ],
)
def test_a_group_of_agencies_or_a_department_as_subject_is_one_lead(subject, leads):
    parsed = ActorResolver(default_catalog(), {}).parse(subject)

    assert [a.agency.abbreviation for a in parsed.leads] == leads


def test_a_body_the_order_sets_up_acts_through_its_chair():
    text = (
        "(d) within 60 days, establish an Interagency Task Force, chaired by the Secretary of Energy and "
        "composed of officials. The Committee shall be chaired by the Administrator of the Environmental "
        "Protection Agency."
    )
    resolver = ActorResolver(default_catalog(), {}, chaired_bodies(text))

    assert [a.agency.abbreviation for a in resolver.parse("the Task Force").leads] == ["DOE"]
    assert [a.agency.abbreviation for a in resolver.parse("The Committee").leads] == ["EPA"]


def test_a_chair_named_after_the_body_is_read_too():
    text = "The Director of the Office of Science and Technology Policy shall be the Chair of the Task Force."

    assert chaired_bodies(text) == {
        "task force": "The Director of the Office of Science and Technology Policy"
    }


def test_a_body_with_co_chairs_is_led_by_all_of_them_first_named_first():
    text = (
        "There is established a Chemical Facility Safety and Security Working Group (Working Group) "
        "co-chaired by the Secretary of Homeland Security, the Administrator of the Environmental "
        "Protection Agency (EPA), and the Secretary of Labor or their designated representatives."
    )
    resolver = ActorResolver(default_catalog(), local_definitions(text), chaired_bodies(text))

    assert [a.agency.abbreviation for a in resolver.parse("the Working Group").leads] == ["DHS", "EPA", "DOL"]


def test_co_chairs_and_vice_chairs_who_serve_as_such_lead_what_the_text_gives_them():
    text = (
        "There is hereby established an Interagency Working Group on Energy Communities (Working Group). "
        "The Secretary of Energy and the Secretary of Labor shall serve as Co-Chairs of the Working Group. "
        "There shall be an Interagency Working Group on the Workforce (Workforce Group), to be chaired by "
        "the Secretary of Defense. The Deputy Director of the Office of Personnel Management (OPM) and the "
        "Deputy Director of the Office of Science and Technology Policy (OSTP) for National Security shall "
        "serve as Vice Chairs."
    )
    resolver = ActorResolver(default_catalog(), local_definitions(text), chaired_bodies(text))

    def leads(subject):
        return [a.agency.abbreviation for a in resolver.parse(subject_of(subject)).leads if a.agency]

    assert leads("the Working Group") == ["DOE", "DOL"]
    vice_chairs = (
        "Within 90 days, the Vice Chairs of the Workforce Group established in section 3 of this order"
    )
    assert leads(vice_chairs) == ["OPM", "OSTP"]


def test_a_body_s_own_shall_be_chaired_by_outranks_an_earlier_body_led_by_another():
    text = (
        "The Interagency Adaptation Task Force led by the Council on Environmental Quality (CEQ) drove "
        "planning. There is established a Leaders Task Force (Task Force). The Task Force shall be "
        "co-chaired by the Chair of CEQ and the Director of the Office of Science and Technology Policy."
    )
    resolver = ActorResolver(default_catalog(), local_definitions(text), chaired_bodies(text))

    assert [a.agency.abbreviation for a in resolver.parse("the Task Force").leads] == ["CEQ", "OSTP"]


def test_co_chairs_marked_in_a_membership_list_lead_the_body():
    text = (
        "(i) There is hereby established the Federal Experts Advisory Panel (Panel).\n"
        "(ii) The Panel shall consist of representatives from the following:\n"
        "1. the Department of State;\n"
        "2. the Department of Agriculture (Co-Chair);\n"
        "3. the Department of Health and Human Services (Co-Chair); and\n"
        "4. any other agency designated by the Co-Chairs.\n"
    )
    resolver = ActorResolver(default_catalog(), local_definitions(text), chaired_bodies(text))

    subject = subject_of("To assist the Secretaries in implementing this order, the Panel")
    assert [a.agency.abbreviation for a in resolver.parse(subject).leads if a.agency] == ["USDA", "HHS"]


def test_an_office_named_with_a_slip_or_the_area_it_serves_is_still_that_office():
    assert parse("the Director of the Office and Management and Budget")[0] == ["OMB"]
    assert parse("the Deputy Director of the Office of Personnel Management for Workforce Policy")[0] == [
        "OPM"
    ]


def test_a_term_the_definitions_section_defines_names_its_office():
    text = "(b) \u201cSecretary\u201d means the Secretary of Homeland Security."

    assert local_definitions(text)["secretary"] == "the Secretary of Homeland Security"


@pytest.mark.parametrize(
    ("subject", "leads"),
    [
        # Offices named inside how the lead takes part are no leads, however many an "and" joins.
        (
            "the Department of Transportation, in accordance with its agreement with the Department of "
            "Housing and Urban Development and the Environmental Protection Agency,",
            ["DOT"],
        ),
        (
            "the Secretary of Defense and the Director of National Intelligence, rather than the Secretary "
            "of Homeland Security and the Director of OMB,",
            ["DOD", "ODNI"],
        ),
        ("the Director of NSA, serving in its capacity as the National Manager,", ["NSA"]),
        # A plural title's list ends where another office is named, and may join more than two offices.
        (
            "the Secretaries of Health and Human Services and Agriculture and the Attorney General",
            ["HHS", "USDA", "DOJ"],
        ),
        ("the Secretary of Energy or his designee", ["DOE"]),
        ("The Attorney General is authorized to and", ["DOJ"]),
        ("the heads of all Federal Civilian Executive Branch (FCEB) Agencies", ["FCEB"]),
    ],
)
def test_it_keeps_the_leads_whole_and_only_the_leads(subject, leads):
    got_leads, _, _ = parse(subject)
    assert got_leads == leads


@pytest.mark.parametrize(
    ("subject", "leads"),
    [
        ("the heads of all agencies tasked in this order", ["AGENCIES"]),
        ("the head of each agency responsible for operating a high-priority program", ["HPP-AGENCIES"]),
        ("agencies maintaining NSS", ["NSS-AGENCIES"]),
        ("Within 1 year of the date of this order, procuring agencies", ["PROCURING-AGENCIES"]),
        (
            "the heads of all agencies, as well as the Secretary of the Army, acting through the Assistant "
            "Secretary of the Army for Civil Works",
            ["AGENCIES", "USACE"],
        ),
        ("the CEO of the DFC and the Secretary of Defense", ["DFC", "DOD"]),
        ("the Chief Performance Officer (CPO)", ["OMB"]),
        ("the Chairman of the Joint Chiefs of Staff", ["JCS"]),
        ("the Assistant to the President and Director of the Domestic Policy Council", ["DPC"]),
    ],
)
def test_it_resolves_groups_and_titles_that_real_orders_use(subject, leads):
    got_leads, _, _ = parse(subject)
    assert got_leads == leads


def test_a_narrowed_group_is_every_agency_and_says_so():
    _, _, actors = parse("the head of each agency that funds research in marine biology")
    assert actors.leads[0].agency.abbreviation == "AGENCIES"
    assert any("a group the text narrows" in note for note in actors.notes)


@pytest.mark.parametrize(
    ("subject", "group"),
    [
        ("the heads of agencies that operate national security systems", "NSS-AGENCIES"),
        ("each agency maintaining a National Security System", "NSS-AGENCIES"),
        ("the heads of all agencies represented on the National Security Council", "NSC-AGENCIES"),
        ("executive departments and agencies located in the National Capital Region", "NCR-AGENCIES"),
        ("each agency with a high-priority program", "HPP-AGENCIES"),
        ("the head of each procuring agency", "PROCURING-AGENCIES"),
    ],
)
def test_a_group_named_by_what_its_members_are_is_the_catalog_s_group_and_needs_no_note(subject, group):
    leads, _, actors = parse(subject)
    assert leads == [group]
    assert not any("a group the text narrows" in note for note in actors.notes)


@pytest.mark.parametrize(
    ("subject", "leads"),
    [
        (
            "the Attorney General, acting through the Director of the Bureau of Alcohol, Tobacco, Firearms "
            "and Explosives, and the Secretary of Homeland Security",
            ["ATF", "DHS"],
        ),
        ("the Director of the Bureau of Alcohol, Tobacco, Firearms and Explosives", ["ATF"]),
        ("the Department of Energy, through its National Nuclear Security Administration,", ["NNSA"]),
    ],
)
def test_an_office_whose_name_has_commas_is_one_office_and_through_its_component_acts(subject, leads):
    assert parse(subject)[0] == leads


def test_a_body_an_office_convenes_and_chairs_acts_through_that_office():
    text = (
        "(a) Within 90 days of the date of this order, the Secretary of Labor shall convene and chair an "
        "interagency working group to study apprenticeships. The interagency working group shall report. "
        "(b) The Secretary of Energy shall establish a Working Group on Grid Data (Working Group)."
    )
    resolver = ActorResolver(default_catalog(), local_definitions(text), chaired_bodies(text))

    assert [a.agency.abbreviation for a in resolver.parse("The interagency working group").leads] == ["DOL"]
    # Another group of the same kind, which the order names, is not the one the Secretary of Labor chairs.
    assert all(a.agency is None for a in resolver.parse("the Working Group").leads)


@pytest.mark.parametrize(
    "subject",
    [
        "the Deputy Director for Management of OMB and other members of the President's Management Council",
        "the Deputy Director for Management of OMB and the other members of the PMC",
    ],
)
def test_an_office_and_other_members_of_a_body_both_lead(subject):
    assert parse(subject)[0] == ["OMB", "PMC"]


@pytest.mark.parametrize(
    ("clause", "subject"),
    [
        (
            "Within 180 days of the date of this order, the Federal Environmental Executive",
            "the Federal Environmental Executive",
        ),
        ("Within 90 days, the National Coordinator", "the National Coordinator"),
    ],
)
def test_an_officer_titled_executive_or_coordinator_is_a_subject(clause, subject):
    assert subject_of(clause) == subject


@pytest.mark.parametrize(
    "subject", ["The Senior Sustainability Officer for each agency", "each agency's Chief Data Officer"]
)
def test_an_officer_every_agency_has_acts_for_every_agency(subject):
    assert parse(subject)[0] == ["AGENCIES"]


def test_a_component_named_with_its_department_s_possessive_is_the_component():
    assert parse("the Department of Homeland Security's Cybersecurity and Infrastructure Security Agency")[
        0
    ] == ["CISA"]


def test_the_lead_agencies_are_the_offices_the_order_makes_leads_first_made_first():
    text = (
        "Within 90 days, the agencies named in this section as lead agencies shall report on the river.\n"
        "The Secretary of Energy shall be the lead agency for subsection (a). The NASA shall lead on "
        "subsection (b).\nThe Secretary of Labor and the Secretary of Energy shall share the lead on (c)."
    )
    resolver = ActorResolver(default_catalog(), {}, chaired_bodies(text))

    leads = resolver.parse("the agencies named in this section as lead agencies").leads
    assert [a.agency.abbreviation for a in leads] == ["DOE", "NASA", "DOL"]
    leads = resolver.parse("The lead agencies").leads
    assert [a.agency.abbreviation for a in leads] == ["DOE", "NASA", "DOL"]


def test_one_lead_agency_makes_no_group_of_lead_agencies():
    text = "The Secretary of Energy shall be the lead agency for subsection (a)."
    assert "lead agencies" not in chaired_bodies(text)


def test_a_body_the_order_sets_up_named_in_lower_case_is_a_subject_acting_through_its_chair():
    text = "(a) The Secretary of Labor shall convene and chair an interagency working group on training."
    resolver = ActorResolver(default_catalog(), {}, chaired_bodies(text))

    subject = subject_of("As part of this work, the interagency working group")
    assert subject == "the interagency working group"
    assert [a.agency.abbreviation for a in resolver.parse(subject).leads] == ["DOL"]


def test_a_group_the_order_names_for_itself_is_the_offices_it_lists_not_every_agency():
    text = (
        "The Secretary of Energy, the Secretary of Labor, and the Administrator of NASA (agency heads) shall "
        "each name a coordinator within 30 days."
    )
    resolver = ActorResolver(default_catalog(), {}, chaired_bodies(text))

    assert [a.agency.abbreviation for a in resolver.parse("agency heads").leads] == ["DOE", "DOL", "NASA"]
    bare = ActorResolver(default_catalog(), {}, chaired_bodies("Agency heads shall name a coordinator."))
    assert [a.agency.abbreviation for a in bare.parse("agency heads").leads] == ["AGENCIES"]


def test_the_subject_follows_a_leading_list_of_offices_consulted_after_its_and():
    clause = (
        "Within 90 days, and after appropriate consultation with the Secretary of State, the Secretary of "
        "Energy, and the Administrator of NASA, the Secretary of Labor"
    )
    assert subject_of(clause) == "the Secretary of Labor"


def test_a_leading_phrase_coordinating_with_no_office_does_not_hide_the_subject_s_list():
    clause = (
        "Within 9 months and in coordination with the efforts described in section 2, the heads of the "
        "Departments of Energy, Labor, and Agriculture"
    )
    assert subject_of(clause).startswith("the heads of the Departments of Energy")


def test_a_narrowed_group_the_catalog_lacks_beside_a_group_it_names_is_not_every_agency():
    leads, _, actors = parse(
        "the heads of FCEB agencies, as well as heads of agencies attending as observers,"
    )
    alone, _, _ = parse("the heads of agencies attending as observers")

    assert leads == ["FCEB"]
    assert any("read with FCEB" in note for note in actors.notes)
    assert alone == ["AGENCIES"]  # on its own it is still drafted as every agency, flagged
