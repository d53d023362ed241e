"""Every staff page keeps its CSS and JavaScript in static files, ready for a strict CSP."""

import re

import pytest
from django.urls import reverse

# A script element without a src (inline code), a style element or attribute, an event handler attribute.
INLINE = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


@pytest.mark.parametrize("persona", ["cisa_editor", "oncd_editor", "reviewer"])
def test_no_page_has_inline_script_or_style(client, request, persona, directive):
    client.force_login(request.getfixturevalue(persona))
    paths = [
        reverse("my_agency"),
        reverse("directive_list") + "?status=nonsense",
        reverse("directive_detail", args=[directive("2(c)(ii)").pk]),
        reverse("directive_detail", args=[directive("2(c)").pk]),
        reverse("order_detail", args=[14409]),
        reverse("api_tokens"),
        reverse("password_change"),
        "/no-such-page/",
    ]
    for path in paths:
        html = client.get(path).content.decode()
        assert "</html>" in html, path
        assert not INLINE.search(html), f"{path}: {INLINE.search(html).group(0)!r}"


def test_the_sign_in_page_has_no_inline_script_or_style(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "</html>" in html
    assert not INLINE.search(html)
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/site.js" defer>']


def test_the_pattern_finds_inline_code_and_lets_script_files_pass():
    assert INLINE.search("<script>alert(1)</script>")
    assert INLINE.search('<script type="module">x()</script>')
    assert INLINE.search('<p style="color:red">')
    assert INLINE.search('<button onclick="x()">')
    assert not INLINE.search('<script src="/static/js/site.js" defer></script>')
