"""A request's rights are decided once: the directive page and a status update build one ``Access``.

The page asks up to seven questions of the user's rights (which form, evidence, event date, review,
extension, the action's own check, the acting agency); each is answered from the one ``Access`` the
view builds. These tests count the computations, so a check that works the rights out again (a bare
user passed where the view's ``Access`` belongs) fails them.
"""

import re
import sys
from collections import Counter

import pytest
from django.urls import reverse

import agencies.access
from agencies.access import Access
from directives.models import DirectiveEvent, Status


@pytest.fixture
def computed(monkeypatch) -> Counter:
    """Count ``Access.of`` and the lookups of the user's agencies and reviewer role, wherever imported."""
    counts: Counter = Counter()
    build = Access.__dict__["of"].__func__

    def counted_build(cls, user):
        counts["Access.of"] += 1
        return build(cls, user)

    monkeypatch.setattr(Access, "of", classmethod(counted_build))
    for name in ("editor_agency_ids", "is_reviewer"):
        original = getattr(agencies.access, name)

        def counted(user, _original=original, _name=name):
            counts[_name] += 1
            return _original(user)

        for module in list(sys.modules.values()):
            if getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, counted)
    return counts


def _url(d) -> str:
    return reverse("directive_detail", args=[d.pk])


def _hidden(client, d) -> dict:
    html = client.get(_url(d)).content.decode()
    return dict(re.findall(r'<input type="hidden" name="(version|seen_event)" value="([^"]*)"', html))


def test_the_directive_page_works_out_a_lead_editors_rights_once(client, cisa_editor, directive, computed):
    client.force_login(cisa_editor)
    response = client.get(_url(directive("2(c)(ii)")))
    assert response.status_code == 200
    assert 'name="status"' in response.content.decode()  # the checks did run: the editor's form
    assert computed["Access.of"] == 1
    assert computed["editor_agency_ids"] == 1


def test_the_directive_page_works_out_a_reviewers_rights_once(client, reviewer, directive, computed):
    client.force_login(reviewer)
    response = client.get(_url(directive("2(c)(ii)")))
    assert response.status_code == 200
    assert computed["Access.of"] == 1
    assert computed["editor_agency_ids"] == 1  # no form, no evidence, no event date, no extension: asked once
    assert computed["is_reviewer"] == 1


def test_a_status_update_works_out_the_rights_once_from_form_to_event(
    client, cisa_editor, directive, computed
):
    d = directive("2(c)(ii)")
    client.force_login(cisa_editor)
    data = {**_hidden(client, d), "status": Status.IN_PROGRESS, "note": "Started."}
    computed.clear()
    response = client.post(_url(d), data)
    assert response.status_code == 302
    event = DirectiveEvent.objects.filter(directive=d).latest("seq")
    assert event.new_status == Status.IN_PROGRESS
    assert event.agency.abbreviation == "CISA"  # the acting agency, from the same rights
    assert computed["Access.of"] == 1
    assert computed["editor_agency_ids"] == 1


def test_a_refused_status_update_works_out_the_rights_once(client, reviewer, directive, computed):
    d = directive("2(c)(ii)")
    client.force_login(reviewer)
    response = client.post(_url(d), {"version": "x", "status": Status.IN_PROGRESS})
    assert response.status_code == 403
    assert computed["Access.of"] == 1
    assert computed["editor_agency_ids"] == 1
    assert computed["is_reviewer"] == 1
