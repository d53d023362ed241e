"""The agencies' admin: refused forms show their errors, whatever was submitted."""

import pytest

from agencies.models import Membership, OversightReviewer

INVALID = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", INVALID), ("1.5", INVALID), ("\x00", "Null characters are not allowed.")],
)
def test_a_membership_with_a_user_that_is_no_id_is_refused_at_the_field(
    client, admin_user, cisa_editor, value, message
):
    client.force_login(admin_user)
    memberships = Membership.objects.count()
    response = client.post("/admin/agencies/membership/add/", {"user": value, "agency": "", "role": "editor"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Membership.objects.count() == memberships


def test_an_oversight_reviewer_with_a_user_that_is_no_id_is_refused_at_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/agencies/oversightreviewer/add/", {"user": "abc"})
    assert response.status_code == 200
    assert b"Select a valid choice." in response.content
    assert not OversightReviewer.objects.exists()
