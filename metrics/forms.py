"""The metrics pages' one input: the date a metric is counted as of."""

from __future__ import annotations

import datetime as dt

from django import forms

from cases.forms import domain_error_text
from metrics.selectors import PROGRAM_START, as_of_checked
from mpp.exceptions import DomainError


class AsOfForm(forms.Form):
    """``?as_of=YYYY-MM-DD`` (default today), checked by ``metrics.selectors.as_of_checked``: its refusal is
    shown next to the field, in the words every page uses (``domain_error_text``)."""

    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=f"Counts what had happened by the end of this day (for M2, the asylum office's local day). From "
        f"{PROGRAM_START:%Y-%m-%d}, when MPP began, to today; empty means today. Format: YYYY-MM-DD.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD, for example 2026-11-30."},
    )

    def clean_as_of(self) -> dt.date:
        try:
            return as_of_checked(self.cleaned_data.get("as_of"))
        except DomainError as error:
            raise forms.ValidationError(domain_error_text(error), code=error.code) from None
