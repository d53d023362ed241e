"""GET /api/v1/orders/ and /api/v1/agencies/: what is tracked, and who."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_the_orders(as_reviewer, order):
    body = as_reviewer.get("/api/v1/orders/").json()
    assert body["count"] == 1
    assert body["results"][0]["number"] == 14409


def test_it_shows_an_order_by_its_number(as_cisa, order):
    body = as_cisa.get("/api/v1/orders/14409/").json()
    assert body == {
        "number": 14409,
        "url": "http://testserver/api/v1/orders/14409/",
        "title": "Promoting Advanced Artificial Intelligence Innovation and Security",
        "signed_on": "2026-06-02",
        "federal_register_citation": "91 FR 34565",
        "federal_register_document": "2026-11415",
        "published_on": "2026-06-05",
        "source_url": "https://www.federalregister.gov/documents/2026/06/05/2026-11415",
        "notes": body["notes"],
        "deadline_policy": "literal",
    }
    assert "Sec. 3(c)" in body["notes"]


def test_an_unknown_order_is_404(as_cisa, order):
    assert as_cisa.get("/api/v1/orders/1/").status_code == 404


def test_it_lists_the_agencies(as_treasury, order):
    body = as_treasury.get("/api/v1/agencies/?page_size=100").json()
    assert "CISA" in [a["abbreviation"] for a in body["results"]]


def test_it_shows_an_agency_with_its_department_and_components(as_treasury, order):
    cisa = as_treasury.get("/api/v1/agencies/CISA/").json()
    assert cisa == {
        "abbreviation": "CISA",
        "url": "http://testserver/api/v1/agencies/CISA/",
        "name": "Cybersecurity and Infrastructure Security Agency",
        "kind": "component",
        "parent": "DHS",
        "components": [],
    }
    assert as_treasury.get("/api/v1/agencies/DHS/").json()["components"] == ["CISA"]


def test_an_agency_is_found_in_any_case(as_treasury, order):
    assert as_treasury.get("/api/v1/agencies/cisa/").json()["abbreviation"] == "CISA"


def test_an_unknown_agency_is_404(as_treasury, order):
    response = as_treasury.get("/api/v1/agencies/XYZ/")
    assert response.status_code == 404
    assert response.json() == {"detail": ["No Agency matches the given query."]}


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/agencies/CISA/"])
def test_reads_only(as_admin, order, path):
    response = as_admin.post(path, {}, format="json")
    assert response.status_code == 405
    assert list(response.json()) == ["detail"]


def test_an_unknown_parameter_is_a_400(as_admin, order):
    response = as_admin.get("/api/v1/orders/?number=14409")
    assert response.status_code == 400
    assert response.json() == {"number": ["Unknown parameter. Use page, page_size."]}


def test_an_unknown_path_is_a_json_404(as_admin, order):
    response = as_admin.get("/api/v1/directives")
    assert response.status_code == 404
    assert response.json() == {
        "detail": ["No endpoint at /api/v1/directives. Paths end with a slash; see /api/v1/docs/."]
    }
