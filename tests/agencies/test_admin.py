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


def test_an_administrator_links_a_staff_member_for_single_sign_on_and_unlinks_them(client, admin_user):
    """Staff are never linked by email: an administrator links them, and both steps are audited."""
    from agencies.models import SignOnLink
    from ledger.models import AccessEvent

    client.force_login(admin_user)
    response = client.post(
        "/admin/agencies/signonlink/add/",
        {"user": admin_user.pk, "issuer": "https://login.example.gov", "subject": "admin-subject"},
    )
    assert response.status_code == 302, response.content
    link = SignOnLink.objects.get()
    assert (link.user, link.subject, link.unlinked) == (admin_user, "admin-subject", None)
    linked = AccessEvent.objects.get(kind=AccessEvent.Kind.SIGN_ON_LINKED)
    assert linked.actor_id == admin_user.pk and '"how":"administrator"' in linked.detail
    # The same person again is refused at the form, nothing written.
    again = client.post(
        "/admin/agencies/signonlink/add/",
        {"user": admin_user.pk, "issuer": "https://login.example.gov", "subject": "admin-subject"},
    )
    assert again.status_code == 200 and SignOnLink.objects.count() == 1
    client.post(f"/admin/agencies/signonlink/{link.pk}/delete/", {"post": "yes"})
    link.refresh_from_db()
    assert link.unlinked is not None
    assert AccessEvent.objects.filter(kind=AccessEvent.Kind.SIGN_ON_UNLINKED, actor_id=admin_user.pk).exists()
