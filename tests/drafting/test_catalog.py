"""The agency catalog: consistent data, the same agencies as the shipped order file, titles that resolve."""

import pytest

from agencies.catalog import CatalogError, default_catalog, load_catalog
from directives.orderfile import AGENCY_KINDS, parse_order_file
from tests.conftest import ORDER_FILE


def test_the_shipped_catalog_loads_and_every_kind_is_one_order_files_know():
    catalog = default_catalog()
    assert len(catalog.agencies) > 100
    assert all(a.kind in AGENCY_KINDS for a in catalog.agencies.values())


def test_it_defines_the_agencies_of_eo_14409_exactly_as_the_order_file_does():
    # Both load into one table matched by abbreviation: a different name, kind or parent would flip them.
    catalog = default_catalog()
    for agency in parse_order_file(ORDER_FILE.read_text()).agencies:
        ours = catalog.get(agency.abbreviation)
        assert (ours.name, ours.kind, ours.parent) == (agency.name, agency.kind, agency.parent), (
            agency.abbreviation
        )


@pytest.mark.parametrize(
    ("phrase", "abbreviation"),
    [
        ("the Attorney General", "DOJ"),
        ("the Secretary of War", "DOW"),
        ("the Secretary of Defense", "DOD"),
        ("the Director of OMB", "OMB"),
        ("the OMB Director", "OMB"),
        ("the National Cyber Director", "ONCD"),
        ("the Assistant to the President for National Security Affairs", "NSC"),
        ("the APST", "OSTP"),
        ("the Director of the National Institute of Standards and Technology", "NIST"),
        ("the Administrator of General Services", "GSA"),
        ("the Director of the Bureau of Land Management", "BLM"),
        ("the Chair of the Federal Energy Regulatory Commission", "FERC"),
        ("the Director of AISI at NIST", "AISI"),
        ("the Administrator of the Office of Electronic Government within OMB", "EGOV"),
        ("the heads of agencies that possess loan authorities", "AGENCIES"),
        ("the Permitting Council", "FPISC"),
        ("the Federal Energy Management Program", "FEMP"),
        ("the Assistant Secretary of Labor for Employment and Training", "ETA"),
        ("the Employment and Training Administration", "ETA"),
        ("the Select Committee on Artificial Intelligence", "NSTC"),
        ("the NSTC Select Committee on AI", "NSTC"),
        ("the Chief Statistician of the United States", "OIRA"),
        ("the Director of the American Technology Council", "ATC"),
        ("the President's Management Council", "PMC"),
        ("the heads of all Federal LEAs", "FED-LEAS"),
        ("each Federal law enforcement agency", "FED-LEAS"),
        ("the Principal Deputy National Security Advisor", "NSC"),
        ("the Deputy Secretary of Homeland Security", "DHS"),
        ("the Federal Environmental Executive", "OFEE"),
        ("the Officer for Civil Rights and Civil Liberties of DHS", "DHS"),
        ("the General Counsel of the Department of Defense", "DOD"),
        ("the Director of the White House Office of Intergovernmental Affairs", "WHOIA"),
        ("the Assistant to the President and Director of Intergovernmental Affairs", "WHOIA"),
        ("the Director of the Bureau of Justice Statistics", "BJS"),
        ("the United States Chief Statistician", "OIRA"),
    ],
)
def test_titles_and_names_resolve_to_their_agency(phrase, abbreviation):
    assert default_catalog().resolve(phrase).abbreviation == abbreviation


def test_an_official_named_by_who_designates_it_is_not_that_office():
    assert default_catalog().resolve("each agency official designated by the Director of OMB") is None


def test_an_office_it_lacks_resolves_to_nothing():
    assert default_catalog().resolve("the Secretary of Widgets") is None


def test_a_component_s_lineage_goes_up_to_its_department():
    assert [a.abbreviation for a in default_catalog().lineage("USACE")] == ["USACE", "ARMY", "DOW"]


HEAD = '[[agencies]]\nabbreviation = "X"\nname = "X"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ((HEAD + 'category = "department"\n') * 2, "defined twice"),
        (HEAD + 'category = "component"\nparent = "Y"\n', "unknown agency 'Y'"),
        (HEAD + 'category = "club"\n', "category"),
        (HEAD + 'category = "department"\nmotto = "x"\n', "motto"),
        (HEAD + 'category = "department"\nmembers = ["x"]\n', "members: only a group has members"),
        ('[[agencies]]\nabbreviation = "X"\ncategory = "department"\n', "name: missing"),
        ("[[agencies]\n", "not valid TOML"),
    ],
)
def test_inconsistent_catalog_data_is_refused_naming_the_agency(tmp_path, text, message):
    (tmp_path / "agencies.toml").write_text(text)
    with pytest.raises(CatalogError, match=message):
        load_catalog(tmp_path)


def test_a_group_s_members_phrase_in_a_qualifier_names_the_group_and_nothing_else_does():
    catalog = default_catalog()
    assert catalog.group_of_members("that operate National Security Systems").abbreviation == "NSS-AGENCIES"
    assert catalog.group_of_members("in the National Capital Region").abbreviation == "NCR-AGENCIES"
    assert catalog.group_of_members("that fund research in marine biology") is None
    assert catalog.group_of_members("maintaining NSSX") is None  # a phrase is matched as whole words
