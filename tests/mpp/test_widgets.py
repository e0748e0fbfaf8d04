"""mpp.widgets.FastSelect renders exactly what django.forms.Select renders."""

from __future__ import annotations

import pytest
from django import forms

from mpp.widgets import FastSelect

CHOICES = [
    ("", "The whole day"),
    (1, "08:30 PST, Courtroom 1 (hearing 1)"),
    (2, 'A & B <"quoted">'),
    (30, "x"),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", 30, 99])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"class": "usa-select", "id": "id_ask-hearing"},
        {"aria-invalid": "true", "required": True, "x": False},
    ],
)
def test_fast_select_renders_what_select_renders(value, attrs):
    plain = forms.Select(choices=CHOICES).render("ask-hearing", value, attrs=attrs)
    fast = FastSelect(choices=CHOICES).render("ask-hearing", value, attrs=attrs)
    assert fast == plain


def test_fast_select_in_a_form_field_renders_the_same_bound_widget():
    class Plain(forms.Form):
        hearing = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False)

    class Fast(forms.Form):
        hearing = forms.TypedChoiceField(choices=CHOICES, coerce=int, required=False, widget=FastSelect)

    data = {"hearing": "2"}
    assert str(Fast(data)["hearing"]) == str(Plain(data)["hearing"])
    assert "selected" in str(Fast(data)["hearing"])


def test_fast_select_refuses_option_groups():
    grouped = [("Courtroom 1", [(1, "08:30")])]
    with pytest.raises(ValueError, match="option groups"):
        FastSelect(choices=grouped).render("h", None)
