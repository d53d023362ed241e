"""Sign-in, sign-out, password change and where `/` sends each persona."""

import pytest
from django.urls import reverse


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("cisa_editor", "my_agency"),
        ("oncd_editor", "my_agency"),
        ("reviewer", "dashboard"),
        ("outsider", "directive_list"),
    ],
)
def test_it_sends_each_persona_to_their_start_page(client, request, persona, target):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_it_asks_for_sign_in_before_any_page(client, order):
    for path in ["/agency/", "/directives/", "/directives/1/", "/orders/14409/", "/accounts/password/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next="), path


def test_it_signs_in_with_the_uswds_form_and_lands_on_the_agency_page(client, cisa_editor):
    page = client.get(reverse("login"))
    assert b'class="usa-input"' in page.content
    response = client.post(reverse("login"), {"username": "cisa-editor", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_agency")
    assert b"Signed in as <strong>cisa-editor</strong>" in response.content


def test_it_rejects_a_wrong_password_with_an_error_at_the_top(client, cisa_editor):
    response = client.post(reverse("login"), {"username": "cisa-editor", "password": "nope"})
    assert response.status_code == 200
    assert b"usa-alert--error" in response.content
    assert b"correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_a_refused_sign_in_leaves_the_focus_to_its_error_summary(client, cisa_editor):
    """A fresh form starts in the username (autofocus); sent back, the summary takes it (site.js)."""
    assert b" autofocus" in client.get(reverse("login")).content
    response = client.post(reverse("login"), {"username": "cisa-editor", "password": "nope"})
    assert response.request["PATH_INFO"] == reverse("login")
    html = response.content.decode()
    assert 'tabindex="-1" data-error-summary' in html
    assert " autofocus" not in html


def test_it_signs_out_by_post_only(client, cisa_editor):
    client.force_login(cisa_editor)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "a-long-new-secret-9",
            "new_password2": "a-long-new-secret-9",
        },
    )
    assert response.status_code == 302
    cisa_editor.refresh_from_db()
    assert cisa_editor.check_password("a-long-new-secret-9")


def test_it_keeps_the_password_when_the_old_one_is_wrong(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-long-new-secret-9",
            "new_password2": "a-long-new-secret-9",
        },
    )
    assert response.status_code == 200
    assert b"usa-form-group--error" in response.content
    cisa_editor.refresh_from_db()
    assert cisa_editor.check_password("pw")


def test_it_lists_the_demo_accounts_only_in_development(client, cisa_editor, settings):
    settings.DEBUG = False
    assert b"Demo accounts" not in client.get(reverse("login")).content
    settings.DEBUG = True
    page = client.get(reverse("login"))
    assert b"Demo accounts" in page.content
    assert b"cisa-editor" in page.content


# --- The federal look -------------------------------------------------------------------------------


def test_every_page_carries_the_official_banner_unless_turned_off(client, cisa_editor, settings):
    banner = "An official website of the United States government"
    assert banner in client.get(reverse("login")).content.decode()
    client.force_login(cisa_editor)
    assert banner in client.get(reverse("my_agency")).content.decode()
    settings.OFFICIAL_GOV_BANNER = False
    assert banner not in client.get(reverse("my_agency")).content.decode()


def test_the_sign_in_page_shows_the_system_use_notice_as_configured(client, db, settings):
    page = client.get(reverse("login")).content.decode()
    assert "System use notice" in page and "authorized use only" in page
    settings.SYSTEM_USE_NOTICE = "Property of the Office of Oversight. Sessions are recorded."
    assert (
        "Property of the Office of Oversight. Sessions are recorded."
        in client.get(reverse("login")).content.decode()
    )
    settings.SHOW_SYSTEM_USE_NOTICE = False
    assert "System use notice" not in client.get(reverse("login")).content.decode()


def test_signing_out_says_so(client, cisa_editor):
    client.force_login(cisa_editor)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Signing out again, already signed out, says nothing false.
    again = client.post(reverse("logout"), follow=True)
    assert "You have signed out." not in again.content.decode()


def test_a_narrow_screen_gets_the_uswds_menu_button(client, cisa_editor):
    client.force_login(cisa_editor)
    page = client.get(reverse("my_agency")).content.decode()
    assert (
        '<button class="usa-menu-btn orderctl-menu-btn" type="button" aria-expanded="false" '
        'aria-controls="orderctl-menu" data-toggle="orderctl-menu" hidden>Menu</button>'
    ) in page
    assert '<div class="orderctl-menu" id="orderctl-menu">' in page  # open until the script folds it
