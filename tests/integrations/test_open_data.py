"""Open data: an order published by an administrator (recorded in the access log) has a public,
read-only, rate-limited JSON and CSV feed and page of its directives, deadlines and status, with a
license and a last-updated time, and never a note or evidence; unpublished, it is a 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema_rs
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings

from directives import actions
from directives.models import Directive
from directives.models.outreach import Publication
from directives.publishing import opendata
from ledger.models import AccessEvent

NOTE = "Internal: waiting on the contractor's SBOM, do not share"
EVIDENCE = "https://intranet.cisa.example.gov/evidence/secret-report.pdf"
SCHEMAS = Path(__file__).parents[1] / "schemas"
PATHS = ("/open-data/orders/14409/", "/open-data/orders/14409.json", "/open-data/orders/14409.csv")


@pytest.fixture
def published(order, admin_user, directive, cisa_editor, today):
    actions.record_update(
        directive("2(c)(ii)"), actor=cisa_editor, status="in_progress", note=NOTE, evidence_url=EVIDENCE
    )
    actions.publish_order(order, actor=admin_user)
    return order


@pytest.mark.parametrize("path", PATHS)
def test_an_unpublished_order_is_a_404_to_everyone(client, order, admin_user, path):
    assert client.get(path).status_code == 404
    client.force_login(admin_user)
    assert client.get(path).status_code == 404


def test_publishing_is_for_administrators_and_recorded(order, admin_user, cisa_editor):
    with pytest.raises(PermissionDenied):
        actions.publish_order(order, actor=cisa_editor)
    assert not Publication.objects.exists()
    actions.publish_order(order, actor=admin_user)
    actions.publish_order(order, actor=admin_user)  # again: nothing new
    logged = AccessEvent.objects.filter(kind=AccessEvent.Kind.ORDER_PUBLISHED)
    assert logged.count() == 1 and json.loads(logged.get().detail) == {"order": 14409}
    assert actions.unpublish_order(order, actor=admin_user)
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.ORDER_UNPUBLISHED).count() == 1


def test_the_json_feed_has_status_deadlines_license_and_time_and_no_note(client, published):
    response = client.get("/open-data/orders/14409.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    assert NOTE not in text and EVIDENCE not in text and "note" not in text and "evidence" not in text
    body = json.loads(text)
    assert "public domain" in body["license"]
    assert body["last_updated"].endswith("Z")
    rows = {row["ref"]: row for row in body["directives"]}
    assert rows["2(c)(ii)"]["status"] == "in_progress"
    assert rows["2(c)(ii)"]["due_on"] == "2026-07-02"
    assert rows["2(c)(ii)"]["lead_agencies"] == ["CISA"]
    assert set(rows["2(c)(ii)"]) == set(opendata.COLUMNS)
    assert len(rows) == Directive.objects.filter(order=published).trackable().count()
    assert response["Last-Modified"]


def test_the_csv_feed_is_the_same_rows(client, published):
    response = client.get("/open-data/orders/14409.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark: Excel reads UTF-8
    text = response.content.decode("utf-8-sig")
    assert NOTE not in text and EVIDENCE not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == opendata.COLUMNS
    assert {r["ref"]: r["status"] for r in rows}["2(c)(ii)"] == "in_progress"
    assert "public domain" in response["X-License"]


def test_the_page_shows_the_license_and_the_eastern_last_updated_time(client, published):
    response = client.get("/open-data/orders/14409/")
    page = response.content.decode()
    assert response.status_code == 200
    assert NOTE not in page and EVIDENCE not in page
    assert "public domain" in page
    assert "(US Eastern)" in page and ("EST" in page or "EDT" in page)


def test_the_feeds_are_rate_limited_per_address(client, published, settings):
    settings.OPEN_DATA_RATE = "3/minute"
    with time_machine.travel(dt.datetime(2026, 12, 1, 15, 0, 10, tzinfo=dt.UTC), tick=False):
        assert [client.get("/open-data/orders/14409.json").status_code for _ in range(4)] == [
            200,
            200,
            200,
            429,
        ]
        limited = client.get("/open-data/orders/14409.csv")
        assert limited.status_code == 429
        assert limited["Retry-After"] == "50"
        assert "Too many requests" in json.loads(limited.content)["detail"][0]
        assert client.get("/open-data/orders/14409.json", REMOTE_ADDR="198.51.100.9").status_code == 200
    with time_machine.travel(dt.datetime(2026, 12, 1, 15, 1, 0, tzinfo=dt.UTC), tick=False):
        assert client.get("/open-data/orders/14409.json").status_code == 200


def test_the_publish_order_command(order, capsys):
    call_command("publish_order", "14409")
    assert Publication.objects.filter(order=order).exists()
    call_command("publish_order", "14409", "--withdraw")
    assert not Publication.objects.exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no executive order 99999"):
        call_command("publish_order", "99999")


def dcat_us_validator() -> jsonschema_rs.Validator:
    """Return a validator of GSA's DCAT-US 1.1 catalog schema, vendored with the files it refers to."""
    folder = SCHEMAS / "dcat-us-1.1"

    def retrieve(uri: str) -> dict:
        # The schema refers to its siblings by their published addresses (dataset.json, vcard.json ...).
        return json.loads((folder / uri.rsplit("/", 1)[-1].split("#")[0]).read_text())

    catalog = json.loads((folder / "catalog.json").read_text())
    return jsonschema_rs.Draft4Validator(catalog, retriever=retrieve, validate_formats=True)


def errors_of(validator: jsonschema_rs.Validator, document: dict) -> list[str]:
    return [f"{list(e.instance_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


def test_the_dcat_us_schema_is_the_vendored_1_1_and_finds_real_faults():
    validator = dcat_us_validator()
    assert errors_of(
        validator, {"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": [{}]}
    )


@override_settings(OPEN_DATA_BUREAU_CODE="011:00", OPEN_DATA_PROGRAM_CODE="011:000")
def test_data_json_is_a_valid_dcat_us_catalog_of_the_published_orders(client, published):
    response = client.get("/data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    catalog = response.json()
    assert errors_of(dcat_us_validator(), catalog) == []
    [dataset] = catalog["dataset"]
    assert dataset["identifier"] == "http://testserver/open-data/orders/14409/"
    assert (dataset["bureauCode"], dataset["programCode"]) == (["011:00"], ["011:000"])
    downloads = {d["format"]: d.get("downloadURL") for d in dataset["distribution"]}
    assert downloads["JSON"] == "http://testserver/open-data/orders/14409.json"
    assert downloads["CSV"] == "http://testserver/open-data/orders/14409.csv"
    for url in downloads.values():
        if url:
            assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert NOTE not in response.content.decode()


def test_data_json_lists_no_unpublished_order(client, order):
    catalog = client.get("/data.json").json()
    assert catalog["dataset"] == []
    assert errors_of(dcat_us_validator(), catalog) == []


def test_the_json_feed_links_its_schema_and_is_valid_against_it(client, published):
    response = client.get("/open-data/orders/14409.json")
    body = response.json()
    assert body["describedBy"] == "http://testserver/open-data/schema.json"
    assert response["Link"] == '<http://testserver/open-data/schema.json>; rel="describedby"'
    served = client.get("/open-data/schema.json")
    assert served["Content-Type"] == "application/schema+json"
    validator = jsonschema_rs.Draft7Validator(served.json(), validate_formats=True)
    assert errors_of(validator, body) == []
    broken = {**body, "directives": [{**body["directives"][0], "status": "done"}]}
    assert errors_of(validator, broken)  # the schema does check the rows


def test_a_disputed_completion_is_never_published_as_completed(
    client, published, directive, cisa_editor, reviewer
):
    d = directive("2(c)(i)")
    actions.change_status(d, "completed", actor=cisa_editor, completed_on=dt.date(2026, 11, 27))
    actions.review(d, "disputed", actor=reviewer, note="No charter was signed.")
    body = json.loads(client.get("/open-data/orders/14409.json").content)
    row = {r["ref"]: r for r in body["directives"]}["2(c)(i)"]
    assert (row["status"], row["review_status"]) == ("completion_disputed", "disputed")
    lines = list(csv.DictReader(io.StringIO(client.get("/open-data/orders/14409.csv").content.decode())))
    assert {line["ref"]: line for line in lines}["2(c)(i)"]["status"] == "completion_disputed"
