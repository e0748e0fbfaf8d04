"""Forms of the case pages. They check the shape of the input only; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.models import CustodyDetermination
from cases.registry import HoldKind, hold_kind
from mpp.exceptions import (
    ConcurrentEdit,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="A-number or name",
        required=False,
        max_length=100,
        strip=True,
        help_text=(
            "An A-number in any spelling (A123456789, 123-456-789, a 123456789) or a family or given name."
        ),
    )


class DomainErrorForm(forms.Form):
    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal with its rule ID and reason code, e.g. ``F4 · family_fear_pending: …``;
        next to the field it names, if the form has that field."""
        self.add_error(error.field if error.field in self.fields else None, refusal_text(error))


def refusal_text(error: DomainError) -> str:
    """A refusal as officers read it: rule · code, then the plain explanation."""
    prefix = f"{error.rule} · {error.code}" if error.rule else error.code
    return f"{prefix}: {error.message}"


class _AnyHoldKindField(forms.ChoiceField):
    """Offers the kinds this user may open, but accepts any registered kind: the service, not the form,
    says who may open which, and its refusal names the roles."""

    def valid_value(self, value: str) -> bool:
        return hold_kind(value) is not None


class HoldOpenForm(DomainErrorForm):
    """Open a hold of a kind the user may open (e.g. S1: a fear of return stated)."""

    kind = _AnyHoldKindField(label="What is blocking the case")
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Required: who stated what, when and where. Recorded with your name and the time.",
    )

    prefix = "hold"

    def __init__(self, *args: Any, kinds: Iterable[HoldKind] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.code, f"{k.label} ({k.rule})") for k in kinds]


class HoldReleaseForm(DomainErrorForm):
    """Release an open hold with the outcome its kind asks for."""

    outcome = forms.ChoiceField(label="Outcome", required=False)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Required: what was decided and by whom. The case stays where it is.",
    )

    def __init__(self, *args: Any, kind: HoldKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [("", "- Select -"), *kind.outcomes]
        outcome.required = bool(kind.outcomes)


class ANumberForm(DomainErrorForm):
    """Assign the A-number of a person registered without one (N2)."""

    prefix = "anum"
    a_number = forms.CharField(
        label="A-number",
        max_length=20,
        help_text="The letter A (optional) and 8 or 9 digits, e.g. A123456789 or 123-456-789.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required, e.g. biometrics taken and the number assigned.",
    )


# --- refusals on the workflow pages (screenings, hearings) -----------------------------------------------

# The codes that only say which kind of refusal it is: the API carries them, a page does not.
GENERIC_CODES = frozenset(
    cls.code
    for cls in (DomainError, IllegalTransition, ConcurrentEdit, PolicyRefusal, InvalidInput, NotPermitted)
)


def domain_error_text(error: DomainError) -> SafeString:
    """A service's refusal as a page shows it: the plain explanation first; then, quietly, the rule it
    applies and its reason code (``… (A3 · already_decided)``, ``… (slot_full)``). A generic code alone is
    not shown: it is the API's (``The encounter time cannot be in the future.``)."""
    specific = error.code if error.code not in GENERIC_CODES else ""
    quiet = " · ".join(part for part in (error.rule, specific) if part)
    if not quiet:
        return format_html("{}", error.message)
    return format_html('{} <span class="mpp-code">({})</span>', error.message, quiet)


class ServiceErrorForm(forms.Form):
    """A form of the workflow pages: a service's refusal is shown next to the field it names, as
    ``domain_error_text`` words it."""

    # A service names a field by its own name; a form may call it differently.
    service_fields: Mapping[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal next to the field it names (if this form has it), else above the form."""
        name = self.service_fields.get(error.field or "", error.field)
        self.add_error(name if name in self.fields else None, domain_error_text(error))


# --- ICE custody (S4, F6) ----------------------------------------------------------------------------


class CustodyDeterminationForm(ServiceErrorForm):
    """ICE's case-by-case custody determination (S4): the decision and the reason, for
    ``cases.services.custody_determine``. Recording one when there is a determination already revisits it."""

    decision = forms.ChoiceField(
        label="Custody determination",
        choices=CustodyDetermination.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the determination: detain, parole, release on recognizance or other."
        },
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Required: the facts of this case you based it on (case by case, S4). Recorded in the "
        "custody history and the case timeline with your name and the time.",
        error_messages={"required": "Give the reason for the determination."},
    )
