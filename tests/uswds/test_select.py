"""The select rendered in Python says what Django's template-rendered select says."""

from __future__ import annotations

import re

import pytest
from django import forms

from uswds.forms import Select, UswdsForm

CHOICES = [("a", "Apples & pears"), ("b", 'Say "b"'), ("", "None")]


class Form(UswdsForm):
    fast = forms.ChoiceField(choices=CHOICES, widget=Select, help_text="Pick one.")
    slow = forms.ChoiceField(choices=CHOICES, help_text="Pick one.")


def parts(html: str) -> tuple[dict[str, str], list[tuple[str, bool, str]]]:
    """Return a select's attributes (the field's name as X) and its options (value, selected, label)."""
    opening = re.match(r"<select ([^>]*)>", html)
    assert opening
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', opening[1]))
    attrs = {k: v.replace("fast", "X").replace("slow", "X") for k, v in attrs.items()}
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    return attrs, [(value, bool(selected), label) for value, selected, label in options]


@pytest.mark.parametrize("data", [None, {"fast": "b", "slow": "b"}, {"fast": "z", "slow": "z"}])
def test_it_renders_the_attributes_and_options_djangos_select_renders(data):
    form = Form(data)
    if data:
        form.is_valid()
    assert parts(str(form["fast"])) == parts(str(form["slow"]))


def test_it_escapes_values_and_labels_and_marks_the_chosen_option():
    html = str(Form({"fast": "b"})["fast"])
    assert '<option value="b" selected>Say &quot;b&quot;</option>' in html
    assert '<option value="a">Apples &amp; pears</option>' in html
    assert html.startswith('<select name="fast" aria-describedby="id_fast_helptext" class="usa-select"')
