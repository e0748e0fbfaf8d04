"""The HTML pages of step 2: the guided intake (drafts), the family's screening with the live proposal, and the
supervisor's amenability review (A1–A5, F1–F3, N3, S1).

Views only call selectors (reads) and services (writes) and map a service's refusal (``DomainError``) to a
message next to the field it names, with the rule ID and reason code. Who may open which page:

- intake pages: CBP officers and Border Patrol agents (``services.INTAKE_ROLES``), their own drafts only;
- the family screening page: the same roles (who record the facts) and CBP supervisors (read only), at the
  family's location;
- the review queue: CBP supervisors; a review page: CBP supervisors (who decide, or return the family to the
  officer for re-screening) and the intake roles (read only: they are told of the decision there), at its
  location.

Any other role gets 403; a record outside the user's duty locations (or someone else's draft) is a 404.
Every page works without JavaScript; htmx only adds the duplicate check while the officer types.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_countries import countries

from cases.forms import domain_error_text
from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, Language
from cases.rules import age_on, local_day, looks_like_a_number, normalize_a_number
from cases.selectors import alien_duplicate_candidates, open_cases_of
from mpp.accounts.auth import signed_in_user
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError
from mpp.pagination import keyset_page
from screenings import selectors, services
from screenings.forms import (
    AbandonForm,
    DecisionForm,
    DismissDuplicateForm,
    EncounterForm,
    MemberForm,
    ReturnForm,
    ScreeningFactsForm,
    StartIntakeForm,
)
from screenings.models import AmenabilityReview, IntakeDraft, ScreeningFacts
from screenings.rules import ADULT_AGE, MemberFacts, f2_applies, is_unaccompanied_child

INTAKE_ROLES = services.INTAKE_ROLES
DECIDE_ROLES = services.DECIDE_ROLES

INTAKE_STEPS = ("encounter", "members", "review")


def _require_cbp_field_role(request: HttpRequest, what: str) -> None:
    if not signed_in_user(request).has_role(*INTAKE_ROLES, *DECIDE_ROLES):
        raise PermissionDenied(f"{what} is for CBP officers, Border Patrol agents and CBP supervisors")


def _require_intake_role(request: HttpRequest) -> None:
    if not signed_in_user(request).has_role(*INTAKE_ROLES):
        raise PermissionDenied("intake and screening are for CBP officers and Border Patrol agents")


def _require_decide_role(request: HttpRequest) -> None:
    if not signed_in_user(request).has_role(*DECIDE_ROLES):
        raise PermissionDenied("the amenability review queue is for CBP supervisors")


# --- Intake: drafts ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake_list(request: HttpRequest) -> HttpResponse:
    """My drafts (resume), my recently submitted intakes (on to the screening), and "Start a new intake"."""
    _require_intake_role(request)
    user = signed_in_user(request)
    locations = selectors.intake_locations_for(user=user)
    form = StartIntakeForm(request.POST or None, locations=locations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                draft = services.intake_draft_start(actor=user, location=form.cleaned_data["location"])
            except DomainError as error:
                form.add_domain_error(error)
                status = error.http_status
            else:
                return redirect("screenings:intake-draft", pk=draft.pk)
        else:
            status = 400
    # 50 drafts a page, last saved first (keyset: no COUNT, no OFFSET).
    drafts = keyset_page(selectors.drafts_for(user=user), sorts=selectors.DRAFT_SORTS, params=request.GET)
    submitted = selectors.intakes_submitted_by(user=user)
    # The drafts' members are named on the page: one access-log row for the drafts listed.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="intake_draft",
        object_ids=[d.pk for d in [*drafts.rows, *submitted]],
    )
    context = {
        "form": form,
        "has_locations": locations.exists(),
        "drafts": drafts.rows,
        "drafts_page": drafts,
        "submitted": submitted,
    }
    return render(request, "screenings/intake_list.html", context, status=status)


def _own_draft(request: HttpRequest, pk: int) -> IntakeDraft:
    _require_intake_role(request)
    draft = selectors.intake_draft_for(user=signed_in_user(request), draft_id=pk)
    if draft is None:  # does not exist, or someone else's: the same answer
        raise Http404("No intake draft of yours with that number.")
    return draft


def _closed_draft_redirect(request: HttpRequest, draft: IntakeDraft) -> HttpResponse | None:
    """A submitted draft leads to its family's screening; an abandoned one back to the list."""
    unchanged = " Nothing was changed." if request.method == "POST" else ""
    if draft.status == IntakeDraft.Status.SUBMITTED and draft.encounter_id:
        messages.info(request, f"Intake {draft.pk} was submitted: its cases are in screening.{unchanged}")
        return redirect("screenings:family-screening", encounter_id=draft.encounter_id)
    if draft.status == IntakeDraft.Status.ABANDONED:
        messages.info(request, f"Intake {draft.pk} was abandoned.{unchanged}")
        return redirect("screenings:intake-list")
    return None


def _occurred_at(draft: IntakeDraft) -> dt.datetime | None:
    return parse_datetime(draft.data.get("occurred_at") or "")


@dataclass
class DraftMember:
    """One member of a draft as the page shows it, with what the officer still has to decide."""

    index: int
    data: Mapping[str, Any]
    name: str
    relationship: str
    relationship_label: str
    born: dt.date | None
    age: int | None
    citizenship: str
    citizenship_name: str
    language_name: str
    a_number: str
    linked: Alien | None = None
    a_number_owner: Alien | None = None  # N2: the typed A-number is registered: linked on "Create cases"
    # N2: ... but to someone with another name or birth date: link after confirming, or correct the number.
    a_number_conflict: bool = False
    candidates: list[Alien] = field(default_factory=list)  # possible duplicates still to decide
    dismissed: list[tuple[Alien | None, str]] = field(default_factory=list)
    uac: bool = False
    f2_applies: bool = False  # a Mexican member of a mixed-nationality family (F2 choice at screening)
    open_cases: list[Case] = field(default_factory=list)  # the registered person's open cases
    open_case_reason: str = ""  # as typed, when "Create cases" was refused
    repeats: str = ""  # "members 1 and 3 are the same person: …" when this member repeats an earlier one

    @property
    def is_mexican(self) -> bool:
        return self.citizenship.upper() == "MX"


def _draft_members(draft: IntakeDraft, languages: Mapping[str, Language]) -> list[DraftMember]:
    raw: list[dict[str, Any]] = list(draft.data.get("members", []))
    linked_ids = {int(m["existing_alien_id"]) for m in raw if m.get("existing_alien_id")}
    dismissed_ids = {int(k) for m in raw for k in (m.get("dismissed") or {})}
    people = selectors.aliens_by_id(ids=linked_ids | dismissed_ids)
    occurred = _occurred_at(draft)
    on = local_day(occurred, draft.location.time_zone) if occurred else timezone.localdate()
    rows: list[DraftMember] = []
    inputs: list[services.MemberInput] = []  # as intake_create will compare them (the same person twice)
    checked: list[int] = []  # the members not linked, with a birth date: checked for duplicates
    for index, data in enumerate(raw):
        linked = people.get(int(data["existing_alien_id"])) if data.get("existing_alien_id") else None
        born = linked.date_of_birth if linked else parse_date(data.get("date_of_birth") or "")
        citizenship = (
            str(linked.country_of_citizenship) if linked else (data.get("country_of_citizenship") or "")
        )
        language = (
            linked.preferred_language if linked else languages.get(data.get("preferred_language") or "")
        )
        row = DraftMember(
            index=index,
            data=data,
            name=linked.full_name
            if linked
            else f"{data.get('given_names', '')} {data.get('family_name', '')}",
            relationship=data.get("relationship", ""),
            relationship_label=FamilyMember.Relationship(data["relationship"]).label
            if data.get("relationship") in FamilyMember.Relationship.values
            else "—",
            born=born,
            age=age_on(born, on) if born else None,
            citizenship=citizenship,
            citizenship_name=countries.name(citizenship) if citizenship else "—",
            language_name=language.name if language else "—",
            a_number=(linked.a_number if linked else data.get("a_number")) or "",
            linked=linked,
            dismissed=[(people.get(int(k)), reason) for k, reason in (data.get("dismissed") or {}).items()],
        )
        typed = services.MemberInput(
            relationship=row.relationship,
            family_name=data.get("family_name", ""),
            given_names=data.get("given_names", ""),
            date_of_birth=born,
            a_number=row.a_number or None,
            existing_alien_id=linked.pk if linked else None,
            dismissed={int(k): v for k, v in (data.get("dismissed") or {}).items()},
        )
        inputs.append(typed)
        if linked is None and born is not None:
            checked.append(index)
        rows.append(row)
    # The possible duplicates of every member checked, in one query however large the family.
    found = selectors.members_duplicate_candidates([inputs[index] for index in checked])
    for index, candidates in zip(checked, found, strict=True):
        row = rows[index]
        for candidate in candidates:
            if row.a_number and candidate.a_number == row.a_number:
                row.a_number_owner = candidate
                row.a_number_conflict = services.a_number_conflict(inputs[index], candidate)
            else:
                row.candidates.append(candidate)
    for repeated in services.members_repeated(inputs):
        rows[repeated.second].repeats = repeated.sentence(inputs)
    # Who the members are once the cases are created, and so whose open cases to show (one query).
    registered = {
        r.index: (r.linked or r.a_number_owner).pk  # type: ignore[union-attr]
        for r in rows
        if r.linked or (r.a_number_owner and not r.a_number_conflict)
    }
    open_cases = open_cases_of(alien_ids=registered.values())
    for index, alien_id in registered.items():
        rows[index].open_cases = open_cases.get(alien_id, [])
    # The UAC flag (A2) and the F2 choice, as the rules will read them.
    family = [
        MemberFacts(
            key=r.index, name=r.name, age=r.age, citizenship=r.citizenship, relationship=r.relationship
        )
        for r in rows
        if r.age is not None
    ]
    for facts in family:
        rows[facts.key].uac = is_unaccompanied_child(facts, family)
        rows[facts.key].f2_applies = f2_applies(facts, family)
    return rows


def _render_draft(
    request: HttpRequest,
    draft: IntakeDraft,
    *,
    step: str | None = None,
    encounter_form: EncounterForm | None = None,
    member_form: MemberForm | None = None,
    edit_index: int | None = None,
    abandon_form: AbandonForm | None = None,
    dismiss_error: tuple[int, int, DismissDuplicateForm] | None = None,
    submit_error: DomainError | None = None,
    open_case_reasons: Mapping[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    occurred_at = _occurred_at(draft)
    if step not in INTAKE_STEPS:
        step = "members" if occurred_at else "encounter"
    languages = selectors.languages_for_choice()
    by_code = {lang.code: lang for lang in languages}
    members = _draft_members(draft, by_code)
    for index, reason in (open_case_reasons or {}).items():
        if 0 <= index < len(members):
            members[index].open_case_reason = reason
    if edit_index is None and step == "members":
        edit_index = _index_from(request.GET.get("edit"))
    if edit_index is not None and edit_index >= len(members):
        edit_index = None  # a stale link or form: that member no longer exists
    if encounter_form is None:
        encounter_form = EncounterForm(
            initial=EncounterForm.initial_for(draft.location, occurred_at),
            locations=selectors.intake_locations_for(user=user),
        )
    if member_form is None:
        initial = dict(members[edit_index].data) if edit_index is not None else {}
        member_form = MemberForm(initial=initial, languages=languages)
    # Three kinds of record are shown: the draft, the registered people it links or may be (found
    # nationally, so possibly known only at another location), and their open cases: a row for each kind.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="intake_draft",
        object_ids=[draft.pk],
    )
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="alien",
        object_ids=[
            person.pk
            for m in members
            for person in (m.linked, m.a_number_owner, *m.candidates, *(p for p, _ in m.dismissed))
            if person is not None
        ],
    )
    access_log_record(  # and the open cases of those people, shown with their status and location
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="case",
        object_ids=[case.pk for m in members for case in m.open_cases],
    )
    context = {
        "draft": draft,
        "step": step,
        "occurred_at": occurred_at,
        "zone": draft.location.time_zone,
        "zone_now": timezone.now().astimezone(zoneinfo.ZoneInfo(draft.location.time_zone)),
        "encounter_form": encounter_form,
        "member_form": member_form,
        "edit_index": edit_index,
        "editing": members[edit_index] if edit_index is not None else None,
        "members": members,
        "has_head": sum(1 for m in members if m.relationship == FamilyMember.Relationship.HEAD) == 1,
        "undecided": sum(len(m.candidates) for m in members),
        "conflicts": sum(1 for m in members if m.a_number_conflict),
        "repeated": [m.repeats for m in members if m.repeats],
        "with_open_cases": [m for m in members if m.open_cases],
        "open_case_error": _member_field_error(submit_error, "open_case_reason"),
        "dismiss_error": dismiss_error,
        "abandon_form": abandon_form or AbandonForm(),
        "submit_error": domain_error_text(submit_error) if submit_error else "",
    }
    return render(request, "screenings/intake_draft.html", context, status=status)


def _member_field_error(error: DomainError | None, name: str) -> int | None:
    """The member (index from 0) a service's refusal names, when it names its field ``name``
    (``members.<index>.<name>``)."""
    parts = (error.field or "").split(".") if error else []
    if len(parts) == 3 and parts[0] == "members" and parts[1].isdigit() and parts[2] == name:
        return int(parts[1])
    return None


def _draft_url(draft: IntakeDraft, step: str, anchor: str = "") -> str:
    return f"{reverse('screenings:intake-draft', args=[draft.pk])}?step={step}{anchor}"


@never_cache
@login_required
@require_safe
def intake_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    return _closed_draft_redirect(request, draft) or _render_draft(
        request, draft, step=request.GET.get("step")
    )


@never_cache
@login_required
@require_POST
def intake_encounter_save(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    user = signed_in_user(request)
    form = EncounterForm(request.POST, locations=selectors.intake_locations_for(user=user))
    if not form.is_valid():
        return _render_draft(request, draft, step="encounter", encounter_form=form, status=400)
    try:
        draft = services.intake_draft_save_encounter(
            actor=user,
            draft_id=draft.pk,
            location=form.cleaned_data["location"],
            occurred_at=form.cleaned_data["occurred_at"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_draft(request, draft, step="encounter", encounter_form=form, status=error.http_status)
    messages.success(request, "Encounter saved. Now enter the family, member by member.")
    return redirect(_draft_url(draft, "members"))


def _date_or_none(value: str | None) -> dt.date | None:
    try:
        return parse_date((value or "").strip()[:10])
    except ValueError:  # well formed but no such day (2020-02-30)
        return None


def _index_from(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@never_cache
@login_required
@require_POST
def intake_member_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member (no ``index``) or save the edit of member ``index``."""
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    index = _index_from(request.POST.get("index"))
    form = MemberForm(request.POST, languages=selectors.languages_for_choice())
    if not form.is_valid():
        return _render_draft(request, draft, step="members", member_form=form, edit_index=index, status=400)
    try:
        draft = services.intake_draft_save_member(
            actor=signed_in_user(request),
            draft_id=draft.pk,
            data=form.service_data(),
            index=index,
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_draft(
            request, draft, step="members", member_form=form, edit_index=index, status=error.http_status
        )
    saved = index if index is not None else len(draft.data["members"]) - 1
    name = f"{form.cleaned_data['given_names']} {form.cleaned_data['family_name']}"
    messages.success(
        request, f"{name} saved as member {saved + 1}. Add the next member or continue to review."
    )
    return redirect(_draft_url(draft, "members", f"#member-{saved}"))


@never_cache
@login_required
@require_POST
def intake_member_remove(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    try:
        draft = services.intake_draft_remove_member(
            actor=signed_in_user(request), draft_id=draft.pk, index=index
        )
    except DomainError as error:
        messages.error(request, domain_error_text(error))
    else:
        messages.success(request, f"Member {index + 1} removed from this intake.")
    return redirect(_draft_url(draft, request.POST.get("step") or "members", "#members"))


@never_cache
@login_required
@require_POST
def intake_duplicate_resolve(request: HttpRequest, pk: int, index: int, candidate_id: int) -> HttpResponse:
    """Resolve a possible duplicate: "This is the same person" links the member to the registered person;
    "Different person" dismisses the candidate, with a required reason (recorded with the encounter when the
    cases are created)."""
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    posted_step = request.POST.get("step", "")
    step = posted_step if posted_step in INTAKE_STEPS else "members"
    link = request.POST.get("decision") == "same"
    form = DismissDuplicateForm(request.POST)
    if not link and not form.is_valid():
        return _render_draft(request, draft, step=step, dismiss_error=(index, candidate_id, form), status=400)
    try:
        draft = services.intake_draft_resolve_duplicate(
            actor=signed_in_user(request),
            draft_id=draft.pk,
            index=index,
            candidate_id=candidate_id,
            link=link,
            reason="" if link else form.cleaned_data["reason"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_draft(
            request, draft, step=step, dismiss_error=(index, candidate_id, form), status=error.http_status
        )
    if link:
        # The person is now the draft's (shown on it, and on the family's cases once submitted).
        access_log_record(
            user=signed_in_user(request),
            request=request,
            channel=AccessLog.Channel.PAGE,
            object_type="alien",
            object_ids=[candidate_id],
        )
        messages.success(request, f"Member {index + 1} is linked to the registered person.")
    else:
        messages.success(request, f"Recorded: member {index + 1} is a different person, with your reason.")
    return redirect(_draft_url(draft, step, f"#member-{index}"))


@never_cache
@login_required
@require_POST
def intake_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Create cases: the encounter, the family and a case per member, in one transaction."""
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    # Why a person who already has an open case gets another one, per member (asked on the review step).
    prefix = "open_case_reason-"
    reasons = {
        int(key.removeprefix(prefix)): (request.POST.get(key) or "")[:2000]
        for key in request.POST
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit()
    }
    try:
        encounter = services.intake_draft_submit(
            actor=signed_in_user(request), draft_id=draft.pk, open_case_reasons=reasons
        )
    except DomainError as error:
        return _render_draft(
            request,
            draft,
            step="review",
            submit_error=error,
            open_case_reasons=reasons,
            status=error.http_status,
        )
    messages.success(
        request,
        f"Cases created for the family ({encounter.cases.count()} members), in screening. "
        "Record the screening of each member.",
    )
    return redirect("screenings:family-screening", encounter_id=encounter.pk)


@never_cache
@login_required
@require_POST
def intake_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    if closed := _closed_draft_redirect(request, draft):
        return closed
    form = AbandonForm(request.POST)
    step = request.POST.get("step") if request.POST.get("step") in INTAKE_STEPS else None
    if not form.is_valid():
        return _render_draft(request, draft, step=step, abandon_form=form, status=400)
    try:
        services.intake_draft_abandon(
            actor=signed_in_user(request), draft_id=draft.pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_draft(request, draft, step=step, abandon_form=form, status=error.http_status)
    messages.success(request, f"Intake {draft.pk} abandoned. Nothing was registered.")
    return redirect("screenings:intake-list")


@never_cache
@login_required
@require_POST
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """The duplicate check while the officer types (htmx partial): the registered person with this A-number
    (N2), and people with a similar name born the same day (or with day and month swapped).

    A POST, so names, birth dates and A-numbers stay out of URLs (and so out of server and proxy logs).
    Who was shown whom is recorded in the access log: the search is national.
    """
    _require_intake_role(request)
    # A NUL byte cannot reach PostgreSQL (it refuses it in text, a 500): it is dropped from what was typed.
    family_name = (request.POST.get("family_name") or "").replace("\x00", "").strip()[:150]
    given_names = (request.POST.get("given_names") or "").replace("\x00", "").strip()[:150]
    born = _date_or_none(request.POST.get("date_of_birth"))
    raw_a_number = (request.POST.get("a_number") or "").strip()[:20]
    a_number = (
        normalize_a_number(raw_a_number) if raw_a_number and looks_like_a_number(raw_a_number) else None
    )
    candidates = alien_duplicate_candidates(
        family_name=family_name, given_names=given_names, date_of_birth=born, a_number=a_number
    )
    access_log_record(
        user=signed_in_user(request),
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="alien",
        object_ids=[c.pk for c in candidates],
    )
    owner = next((c for c in candidates if a_number and c.a_number == a_number), None)
    typed = services.MemberInput(
        relationship="", family_name=family_name, given_names=given_names, date_of_birth=born
    )
    context = {
        "a_number": a_number,
        "a_number_owner": owner,
        # N2: the number is someone else's unless the name and the date of birth typed are theirs too
        # (None until both are typed).
        "a_number_conflict": services.a_number_conflict(typed, owner)
        if owner is not None and family_name and born
        else None,
        "candidates": [c for c in candidates if not (a_number and c.a_number == a_number)],
        "checked": bool(a_number or (family_name and born)),
    }
    return render(request, "screenings/_duplicate_check.html", context)


# --- The family's screening ----------------------------------------------------------------------------


@dataclass
class ScreeningRow:
    case: Case
    facts: ScreeningFacts | None
    relationship_label: str
    age: int
    f2_applies: bool  # a Mexican member of a mixed-nationality family: the F2 choice is theirs
    proposal: Any  # the live MemberProposal, or the frozen proposal's member (same keys)
    form: ScreeningFactsForm | None
    editable: bool
    interpretation_language: str
    decision: Any = None


def _screening_encounter(request: HttpRequest, encounter_id: int) -> Encounter:
    _require_cbp_field_role(request, "the family screening page")
    encounter = selectors.encounter_for_screening(user=signed_in_user(request), encounter_id=encounter_id)
    if encounter is None:
        raise Http404("No such family at your duty locations.")
    return encounter


def _render_screening(
    request: HttpRequest,
    encounter: Encounter,
    *,
    bound: ScreeningFactsForm | None = None,
    bound_case_id: int | None = None,
    submit_error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="encounter",
        object_ids=[encounter.pk],
    )
    cases, live = selectors.family_proposal(encounter_id=encounter.pk)
    if not cases:
        raise Http404("This encounter has no cases.")
    review = selectors.review_for_encounter(user=user, encounter_id=encounter.pk)
    earlier_decision = None
    if review is not None and not selectors.review_stands(review=review, statuses=[c.status for c in cases]):
        # Every member is back in screening after the decision: the screening is open again, and the
        # next submission is a new review (the decided one stays on record, linked from the page).
        earlier_decision, review = review, None
    frozen = {m["key"]: m for m in review.proposal["members"]} if review else {}
    decisions = {d.case_id: d for d in review.decisions.all()} if review else {}
    languages = selectors.languages_for_choice()
    names = {lang.pk: lang.name for lang in languages}
    codes = {lang.pk: lang.code for lang in languages}
    may_edit = user.has_role(*INTAKE_ROLES) and review is None
    family = [selectors.member_facts(c) for c in cases]
    rows = []
    for case, member in zip(cases, family, strict=True):
        facts: ScreeningFacts | None = getattr(case, "screening", None)
        editable = may_edit and case.status == CaseStatus.SCREENING
        form = None
        if editable:
            form = (
                bound
                if bound is not None and bound_case_id == case.pk
                else ScreeningFactsForm(
                    initial=ScreeningFactsForm.initial_for(facts, language_codes=codes),
                    languages=languages,
                    is_mexican=member.is_mexican,
                    f2_applies=f2_applies(member, family),
                    is_child=member.age < ADULT_AGE,
                    prefix=f"case-{case.pk}",
                )
            )
        rows.append(
            ScreeningRow(
                case=case,
                facts=facts,
                relationship_label=FamilyMember.Relationship(member.relationship).label,
                age=member.age,
                f2_applies=f2_applies(member, family),
                proposal=frozen.get(case.pk) if review else live.for_member(case.pk),
                form=form,
                editable=editable,
                interpretation_language=names.get(facts.interpretation_language_id or 0, "") if facts else "",
                decision=decisions.get(case.pk),
            )
        )
    all_in_screening = all(c.status == CaseStatus.SCREENING for c in cases)
    context = {
        "encounter": encounter,
        "zone": encounter.location.time_zone,
        "rows": rows,
        "review": review,
        "earlier_decision": earlier_decision,
        # A3: the supervisors' returns, newest first — what the officer had (or has) to look at again.
        "returns": selectors.reviews_returned_for_encounter(encounter_id=encounter.pk),
        "proposal": review.proposal if review else live,
        "frozen": review is not None,
        "may_submit": user.has_role(*INTAKE_ROLES) and review is None,
        "ready": live.ready_for_review and all_in_screening,
        "all_in_screening": all_in_screening,
        "submit_error": domain_error_text(submit_error) if submit_error else "",
        "error_case_id": bound_case_id if bound is not None and bound.errors else None,
        "bound": bound if bound is not None and bound.errors else None,
    }
    return render(request, "screenings/family_screening.html", context, status=status)


@never_cache
@login_required
@require_safe
def family_screening(request: HttpRequest, encounter_id: int) -> HttpResponse:
    return _render_screening(request, _screening_encounter(request, encounter_id))


@never_cache
@login_required
@require_POST
def screening_save(request: HttpRequest, encounter_id: int, case_id: int) -> HttpResponse:
    """Record (or correct) one member's facts; errors name the field with the rule ID."""
    _require_intake_role(request)
    encounter = _screening_encounter(request, encounter_id)
    cases = selectors.family_cases(encounter_id=encounter.pk)
    case = next((c for c in cases if c.pk == case_id), None)
    if case is None:
        raise Http404("No such member in this family.")
    family = [selectors.member_facts(c) for c in cases]
    member = next(m for m in family if m.key == case.pk)
    form = ScreeningFactsForm(
        request.POST,
        languages=selectors.languages_for_choice(),
        is_mexican=member.is_mexican,
        f2_applies=f2_applies(member, family),
        is_child=member.age < ADULT_AGE,
        prefix=f"case-{case.pk}",
    )
    if not form.is_valid():
        return _render_screening(request, encounter, bound=form, bound_case_id=case.pk, status=400)
    try:
        services.screening_facts_save(
            actor=signed_in_user(request), case_id=case.pk, facts=form.service_facts()
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _render_screening(
            request, encounter, bound=form, bound_case_id=case.pk, status=error.http_status
        )
    messages.success(request, f"Screening of {case.alien.full_name} saved. The proposal below is updated.")
    return redirect(reverse("screenings:family-screening", args=[encounter.pk]) + f"#member-{case.pk}")


@never_cache
@login_required
@require_POST
def family_submit(request: HttpRequest, encounter_id: int) -> HttpResponse:
    """Freeze the proposal and send the family to the location's supervisors (A3)."""
    _require_intake_role(request)
    encounter = _screening_encounter(request, encounter_id)
    try:
        review = services.family_submit_for_review(actor=signed_in_user(request), encounter_id=encounter.pk)
    except DomainError as error:
        return _render_screening(request, encounter, submit_error=error, status=error.http_status)
    submitted = review.submitted_at.astimezone(zoneinfo.ZoneInfo(encounter.location.time_zone))
    messages.success(
        request,
        f"Submitted for supervisor review (A3) on {submitted:%Y-%m-%d %H:%M %Z}. The supervisors of "
        f"{encounter.location.name} are notified; the screening is now read-only.",
    )
    return redirect("screenings:family-screening", encounter_id=encounter.pk)


# --- The supervisor's review (A3) ----------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    """Families at the supervisor's duty locations awaiting the amenability decision, 50 a page, oldest first
    (or newest first: ``?sort=newest``)."""
    _require_decide_role(request)
    user = signed_in_user(request)
    page = selectors.review_queue_page(user=user, params=request.GET)
    # Each family's members are named: one access-log row for the reviews shown.
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="amenability_review",
        object_ids=[review.pk for review in page.rows],
    )
    return render(request, "screenings/review_queue.html", {"page": page, "reviews": page.rows})


def _visible_review(request: HttpRequest, pk: int) -> AmenabilityReview:
    _require_cbp_field_role(request, "the amenability review page")
    review = selectors.review_visible_to(user=signed_in_user(request), review_id=pk)
    if review is None:
        raise Http404("No such review at your duty locations.")
    return review


def _render_review(
    request: HttpRequest,
    review: AmenabilityReview,
    *,
    form: DecisionForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    access_log_record(
        user=user,
        request=request,
        channel=AccessLog.Channel.PAGE,
        object_type="amenability_review",
        object_ids=[review.pk],
    )
    members = review.proposal["members"]
    cases = {c.pk: c for c in selectors.family_cases(encounter_id=review.encounter_id)}
    languages = {lang.pk: lang.name for lang in selectors.languages_for_choice()}
    decisions = {d.case_id: d for d in review.decisions.all()}
    family = {key: selectors.member_facts(case) for key, case in cases.items()}
    rows = []
    for member in members:
        case = cases.get(member["key"])
        facts = family.get(member["key"])
        screening = getattr(case, "screening", None) if case else None
        rows.append(
            {
                "member": member,
                "case": case,
                "age": facts.age if facts else None,
                "relationship_label": FamilyMember.Relationship(facts.relationship).label if facts else "",
                "facts": screening,
                "interpretation_language": languages.get(screening.interpretation_language_id or 0, "")
                if screening
                else "",
                "decision": decisions.get(member["key"]),
                "f2_applies": f2_applies(facts, list(family.values())) if facts else False,
            }
        )
    pending = review.status == AmenabilityReview.Status.PENDING
    returned = review.status == AmenabilityReview.Status.RETURNED
    superseded = review.status == AmenabilityReview.Status.SUPERSEDED
    is_supervisor = user.has_role(*DECIDE_ROLES)
    # A3 separation of duties: the predicate the service enforces (entered, screened or submitted it).
    separation = (
        selectors.review_separation_refusal(actor=user, review=review) if pending and is_supervisor else None
    )
    own_family = separation is not None
    # Whoever may decide may instead return the family to the officer (the same checks, A3).
    can_decide = pending and is_supervisor and not own_family
    if form is None and can_decide:
        form = DecisionForm(members=members)
    if return_form is None and can_decide:
        return_form = ReturnForm(prefix="return")
    if can_decide and form is not None:
        for row, (_, choice, override_reason) in zip(rows, form.member_fields(), strict=True):
            row["choice"], row["override_reason"] = choice, override_reason
    # A returned (or superseded) review leads on to the corrected screening's review, once submitted.
    newer = (
        selectors.review_for_encounter(user=user, encounter_id=review.encounter_id)
        if returned or superseded
        else None
    )
    refusals = [
        *(form.non_field_errors() if form else []),
        *(return_form.non_field_errors() if return_form else []),
    ]
    context = {
        "review": review,
        "rows": rows,
        "zone": review.location.time_zone,
        "pending": pending,
        "returned": returned,
        "superseded": superseded,
        "newer_review": newer,
        "is_supervisor": is_supervisor,
        "own_family": own_family,
        "separation": domain_error_text(separation) if separation else "",
        "can_decide": can_decide,
        # S1/S4: an open hold (a pending fear claim) refuses the claimant's decision, so the family's.
        "decision_blocks": selectors.review_decision_blocks(review=review) if pending else [],
        "form": form,
        "return_form": return_form,
        "refusals": refusals,
        "refused_return": bool(return_form and return_form.errors),
        "family_reasons": review.proposal.get("family_reasons", []),
    }
    return render(request, "screenings/review_detail.html", context, status=status)


@never_cache
@login_required
@require_safe
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _visible_review(request, pk))


@never_cache
@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision: confirm the proposal, or override a member with a written reason (A2 discretion, A4)."""
    _require_decide_role(request)
    review = _visible_review(request, pk)
    form = DecisionForm(request.POST, members=review.proposal["members"])
    if not form.is_valid():
        return _render_review(request, review, form=form, status=400)
    overrides = {
        key: services.MemberOverride(kind=kind, reason=reason)
        for key, (kind, reason) in form.overrides().items()
    }
    try:
        services.amenability_decide(
            actor=signed_in_user(request),
            review_id=review.pk,
            reason=form.cleaned_data["reason"],
            overrides=overrides,
        )
    except DomainError as error:
        form.add_domain_error(error)
        # Reload: another supervisor may have decided meanwhile, and the page must show that decision.
        review = _visible_review(request, pk)
        return _render_review(request, review, form=form, status=error.http_status)
    messages.success(
        request, "Decision recorded. Each member's case has moved, with your reason in its history."
    )
    return redirect("screenings:review", pk=review.pk)


@never_cache
@login_required
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Instead of deciding, send the family back to the officer for re-screening, saying what to look at
    again (A3). The cases go back to screening; the corrected screening is submitted as a new review."""
    _require_decide_role(request)
    review = _visible_review(request, pk)
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return _render_review(request, review, return_form=form, status=400)
    try:
        services.amenability_return(
            actor=signed_in_user(request), review_id=review.pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        form.add_domain_error(error)
        # Reload: another supervisor may have decided or returned it meanwhile, and the page must show that.
        review = _visible_review(request, pk)
        return _render_review(request, review, return_form=form, status=error.http_status)
    messages.success(
        request,
        "Returned to the officer for re-screening. Each member’s case is back in screening, with your reason "
        "in its history; the officer is notified.",
    )
    return redirect("screenings:review", pk=review.pk)
