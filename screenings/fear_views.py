"""The fear-claim pages (S1-S4, F4): a case's fear claims (the case page loads them in place), recording a
claim, F4's independent basis to separate a member, the asylum office's queue, and the claim page where
the interview is scheduled, the assessment recorded and the supervisory review made.

Views only call selectors (``screenings.fear_selectors``: the field-level rule lives there, in
``claim_view``) and services (``screenings.fear_services``, ``cases.services.hold_exempt_member``), and map
a service's refusal (``DomainError``) to a message next to the field it names, as ``rule · code: message``.
Who may open which page (deny by default: any other role gets 403):

- a case's fear claims: whoever reads the case's context (``may_read_case_context``: not print staff, not
  analysts), each seeing what ``claim_view`` lets them; recording one: ``FEAR_CLAIM_OPEN_ROLES``; the F4
  exception: ``SEPARATE_ROLES`` (the CBP supervisor);
- the queue and the claim page: USCIS (``ASSESS_ROLES``), for the asylum offices they are posted at; a
  claim of another office answers 404, like a missing one.

Every page works without JavaScript; on the case page htmx only loads the fear section in place.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.models import Case, CaseStatus, Hold, HoldExemption
from cases.rules import age_on, local_day
from cases.selectors import case_detail, family_open_holds, may_read_case_context, user_sees_cases
from cases.services import hold_exempt_member
from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import User, display_name
from mpp.accounts.roles import roles_in_words
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record
from mpp.exceptions import DomainError
from screenings import fear_selectors
from screenings.fear_forms import (
    AssessmentForm,
    FearClaimForm,
    InterviewScheduleForm,
    ReviewForm,
    SeparateMemberForm,
    local_now,
)
from screenings.fear_selectors import ClaimView, claim_view
from screenings.fear_services import (
    ADULT_AGE,
    CLAIM_REFUSED_STATUSES,
    CONCUR,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import FearAssessment, FearClaim
from screenings.selectors import languages_for_choice
from screenings.workflow import (
    ASSESS_ROLES,
    CONCUR_ROLES,
    FEAR_CLAIM,
    FEAR_CLAIM_OPEN_ROLES,
    SEPARATE_ROLES,
)

# When nothing says otherwise, an interview is proposed for the next morning at the asylum office.
DEFAULT_INTERVIEW_HOUR = 9


def when_words(moment: dt.datetime | None, tz_name: str) -> str:
    """ "2026-12-15 08:30 PST (America/Los_Angeles)": the clock at the place, with its zone named."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(tz_name))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({tz_name})"


def _user_with(request: HttpRequest, roles: frozenset[str], what: str) -> User:
    user = signed_in_user(request)
    if not user.has_role(*roles):
        raise PermissionDenied(f"{what} is for: {roles_in_words(roles)}.")
    return user


def _log_cases(request: HttpRequest, user: User, case_ids: list[int]) -> None:
    access_log_record(
        user=user, request=request, channel=AccessLog.Channel.PAGE, object_type="case", object_ids=case_ids
    )


def _failed(*forms: tuple[Form | None, str]) -> tuple[Form | None, str]:
    """The form just refused (for the page title and the error summary at the top), and its heading."""
    return next(((form, heading) for form, heading in forms if form is not None and form.errors), (None, ""))


# --- A case's fear claims (S1, F4) -------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    view: ClaimView
    stated_when: str  # at the place it was stated, zone named
    interview_when: str  # at the asylum office
    decided_when: str


@dataclass(frozen=True)
class SeparationOption:
    """F4's exception offered to the CBP supervisor: another member's open fear-claim hold that blocks this
    member's return, and the form to separate this member from it."""

    hold: Hold
    claimant_name: str
    since: str
    form: SeparateMemberForm


@dataclass(frozen=True)
class SeparationRow:
    exemption: HoldExemption
    recorded_when: str


def _fear_case(request: HttpRequest, case_id: int) -> tuple[User, Case]:
    user = signed_in_user(request)
    if not user_sees_cases(user) or not may_read_case_context(user):
        raise PermissionDenied("Fear claims are not shown to your role.")
    case = case_detail(user=user, case_id=case_id)
    if case is None:  # does not exist, or outside the user's duty locations: the same answer
        raise Http404("No such case.")
    return user, case


def _default_setting(user: User, case: Case) -> str:
    if not user.is_location_scoped:  # court staff
        return FearClaim.Setting.COURT
    if case.status == CaseStatus.IN_US_FOR_HEARING:
        return FearClaim.Setting.HEARING_DAY
    if case.status in (CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW):
        return FearClaim.Setting.SCREENING
    return FearClaim.Setting.ENCOUNTER


def _claim_form(user: User, case: Case, data: Any = None) -> FearClaimForm:
    alien = case.alien
    members = case.encounter.family_unit.members.all()  # prefetched by case_detail, with the people
    parents = [
        (m.alien.pk, f"{m.alien.full_name} ({m.get_relationship_display().lower()})")
        for m in members
        if m.alien_id != alien.pk
    ]
    is_child = age_on(alien.date_of_birth, local_day(timezone.now(), case.location.time_zone)) < ADULT_AGE
    # The case's own place when the user may record there; else the user picks (court staff: the court).
    default = case.location if case.location_id in user.duty_location_ids else None
    form = FearClaimForm(
        data,
        locations=fear_selectors.claim_locations_for(user),
        languages=languages_for_choice(),
        parents=parents,
        is_child=is_child,
        initial=FearClaimForm.initial_for(
            location=default,
            tz_name=(default or case.location).time_zone,
            language_id=alien.preferred_language_id,
            setting=_default_setting(user, case),
        ),
    )
    return form


def _render_case_fear(
    request: HttpRequest,
    user: User,
    case: Case,
    *,
    claim_form: FearClaimForm | None = None,
    separate_form: tuple[int, SeparateMemberForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    views = fear_selectors.fear_claims_of_case(user=user, case=case)
    _log_cases(request, user, [case.pk])
    rows = [
        ClaimRow(
            view=v,
            stated_when=when_words(v.claim.stated_at, v.claim.location.time_zone),
            interview_when=when_words(v.assessment.interview_at, v.claim.asylum_office.time_zone)
            if v.assessment
            else "",
            decided_when=when_words(v.claim.decided_at, v.claim.asylum_office.time_zone),
        )
        for v in views
    ]
    pending = next((v for v in views if v.is_pending), None)
    may_record = (
        user.has_role(*FEAR_CLAIM_OPEN_ROLES)
        and pending is None
        and case.status not in CLAIM_REFUSED_STATUSES
    )
    if claim_form is None and may_record:
        claim_form = _claim_form(user, case)
    # F4: the other members' pending fear claims that block this member's return, and the exception.
    others = [
        hold
        for hold in family_open_holds(family_unit_id=case.encounter.family_unit_id)
        if hold.kind == FEAR_CLAIM.code and hold.case_id != case.pk
    ]
    blocking = [hold for hold in others if case.pk not in (getattr(hold, "exempt_case_ids", None) or [])]
    options = []
    if user.has_role(*SEPARATE_ROLES) and case.status not in CLAIM_REFUSED_STATUSES:
        for hold in blocking:
            bound = separate_form[1] if separate_form and separate_form[0] == hold.pk else None
            options.append(
                SeparationOption(
                    hold=hold,
                    claimant_name=hold.case.alien.full_name,
                    since=when_words(hold.opened_at, hold.location.time_zone),
                    form=bound or SeparateMemberForm(prefix=f"separate-{hold.pk}"),
                )
            )
    separations = [
        SeparationRow(exemption=e, recorded_when=when_words(e.recorded_at, e.hold.location.time_zone))
        for e in fear_selectors.separations_of_case(case)
    ]
    failed = _failed(
        (claim_form, "The fear claim was not recorded"),
        (separate_form[1] if separate_form else None, "The separation was not recorded"),
    )
    context = {
        "case": case,
        "person": case.alien,
        "rows": rows,
        "pending": pending,
        "blocking": [(h, when_words(h.opened_at, h.location.time_zone)) for h in blocking],
        "claim_form": claim_form if may_record or (claim_form is not None and claim_form.errors) else None,
        "options": options,
        "separations": separations,
        "closed": case.status in CLAIM_REFUSED_STATUSES,
        "failed_form": failed[0],
        "failed_heading": failed[1],
    }
    if request.GET.get("partial") and status == 200:
        return render(request, "screenings/_case_fear.html", context)
    return render(request, "screenings/fear_case.html", context, status=status)


@never_cache
@login_required
@require_safe
def case_fear(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's fear claims, newest first, as the reader may see them; the form to record one; F4's
    exception for the CBP supervisor. ``?partial=1`` renders only the section the case page loads in
    place (htmx)."""
    user, case = _fear_case(request, case_id)
    return _render_case_fear(request, user, case)


@never_cache
@login_required
@require_POST
def fear_claim_record_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """S1: record that the person (or their parent or guardian) stated a fear; refers them to USCIS and
    blocks the family's return to Mexico (F4)."""
    _user_with(request, FEAR_CLAIM_OPEN_ROLES, "Recording a fear claim")
    user, case = _fear_case(request, case_id)
    form = _claim_form(user, case, request.POST)
    if not form.is_valid():
        return _render_case_fear(request, user, case, claim_form=form, status=400)
    started = timezone.now()
    try:
        claim = fear_claim_record(case_id=case.pk, actor=user, data=form.claim_input())
    except DomainError as error:
        form.add_domain_error(error)
        _, case = _fear_case(request, case_id)  # reload: the case may have moved meanwhile
        return _render_case_fear(request, user, case, claim_form=form, status=error.http_status)
    office = claim.asylum_office.name
    name = case.alien.full_name
    if claim.created_at < started:  # a claim was pending already: recording it again is the same claim
        messages.info(
            request,
            f"{name} already has a fear claim pending (referred to the {office}): it is the same claim, so "
            "nothing new was recorded. The family may not be returned to Mexico until it is decided (F4).",
        )
    else:
        messages.success(
            request,
            f"Fear claim recorded for {name}: referred to the {office} for an MPP assessment interview (S1). "
            "Nobody in the family may be returned to Mexico until it is decided (F4).",
        )
    return redirect(reverse("cases:detail", args=[case.pk]))


@never_cache
@login_required
@require_POST
def fear_member_separate(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    """F4's exception: the CBP supervisor records an independent basis to separate this member from the
    block of another member's pending fear claim; only this member's return is then allowed."""
    _user_with(request, SEPARATE_ROLES, "Recording an independent basis to separate a member")
    user, case = _fear_case(request, case_id)
    form = SeparateMemberForm(request.POST, prefix=f"separate-{hold_id}")
    if not form.is_valid():
        return _render_case_fear(request, user, case, separate_form=(hold_id, form), status=400)
    try:
        exemption = hold_exempt_member(
            hold_id=hold_id, case_id=case.pk, actor=user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        form.add_domain_error(error)
        _, case = _fear_case(request, case_id)
        return _render_case_fear(request, user, case, separate_form=(hold_id, form), status=error.http_status)
    messages.success(
        request,
        f"Independent basis recorded (F4): {case.alien.full_name} is separated from the family's block for "
        f"{exemption.hold.case.alien.full_name}'s pending fear claim. The claimant and the rest of the family "
        "stay blocked.",
    )
    return redirect(reverse("cases:detail", args=[case.pk]))


# --- The asylum office's queue (S1-S3) ---------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    claim_id: int
    family_name: str
    given_names: str
    a_number: str
    stated_when: str
    place: str
    setting_label: str
    status_label: str
    outcome_label: str
    interview_when: str
    officer: str


_SETTINGS = dict(FearClaim.Setting.choices)
_STATUSES = dict(FearClaim.Status.choices)
_OUTCOMES = dict(FearClaim.Outcome.choices)


def _queue_row(v: dict[str, Any], office_zone: str) -> QueueRow:
    """A queue row from its values (``fear_selectors.QUEUE_ROW_VALUES``)."""
    scheduled = v["assessment__id"] is not None
    return QueueRow(
        claim_id=v["id"],
        family_name=v["case__alien__family_name"],
        given_names=v["case__alien__given_names"],
        a_number=v["case__alien__a_number"] or "",
        stated_when=when_words(v["stated_at"], v["location__time_zone"]),
        place=v["location__name"],
        setting_label=str(_SETTINGS.get(v["setting"], v["setting"])),
        status_label=str(_STATUSES.get(v["status"], v["status"])),
        outcome_label=str(_OUTCOMES.get(v["outcome"], v["outcome"])) if v["outcome"] else "",
        interview_when=when_words(v["assessment__interview_at"], office_zone) if scheduled else "",
        officer=display_name(
            v["assessment__asylum_officer__username"],
            v["assessment__asylum_officer__first_name"],
            v["assessment__asylum_officer__last_name"],
        )
        if scheduled
        else "",
    )


@never_cache
@login_required
@require_safe
def fear_queue(request: HttpRequest) -> HttpResponse:
    """The claims of one of the user's asylum offices, by tab (what is waiting), oldest first, 50 a page."""
    user = _user_with(request, ASSESS_ROLES, "The fear claims queue")
    offices = fear_selectors.asylum_offices_of(user)
    wanted = request.GET.get("office", "")
    office = next((o for o in offices if str(o.pk) == wanted), offices[0] if offices else None)
    tab = request.GET.get("tab", "")
    if tab not in fear_selectors.QUEUE_TABS:
        tab = fear_selectors.default_tab(user)
    context: dict[str, Any] = {"offices": offices, "office": office, "tab": tab, "page": None, "rows": []}
    if office is not None:
        page = fear_selectors.fear_claim_queue(
            user=user,
            office_id=office.pk,
            tab=tab,
            params={**request.GET.dict(), "office": office.pk, "tab": tab},
        )
        _log_cases(request, user, [c.case_id for c in page.rows])
        values = fear_selectors.fear_queue_values([c.pk for c in page.rows])
        rows = [_queue_row(v, office.time_zone) for v in values]
        context.update(
            page=page,
            rows=rows,
            tabs=[
                (key, label, who, f"?office={office.pk}&tab={key}")
                for key, (label, who, _) in fear_selectors.QUEUE_TABS.items()
            ],
            tab_label=fear_selectors.QUEUE_TABS[tab][0],
            zone=office.time_zone,
        )
    return render(request, "screenings/fear_queue.html", context)


# --- One claim: interview, assessment, review (S2, S3, S4) ---------------------------------------------


def _office_claim(request: HttpRequest, claim_id: int) -> tuple[User, FearClaim]:
    user = _user_with(request, ASSESS_ROLES, "The fear claim page")
    claim = fear_selectors.fear_claim_for_office(user=user, claim_id=claim_id)
    if claim is None:  # missing, or at an office the user is not posted at: the same answer
        raise Http404("No such fear claim at your asylum offices.")
    return user, claim


def _schedule_form(claim: FearClaim, user: User, data: Any = None) -> InterviewScheduleForm:
    office = claim.asylum_office
    assessment: FearAssessment | None = getattr(claim, "assessment", None)
    if assessment is not None:
        at = timezone.localtime(assessment.interview_at, zoneinfo.ZoneInfo(office.time_zone))
    else:
        at = (local_now(office.time_zone) + dt.timedelta(days=1)).replace(
            hour=DEFAULT_INTERVIEW_HOUR, minute=0
        )
    return InterviewScheduleForm(
        data,
        officers=fear_selectors.asylum_officers_of(office.pk),
        tz_name=office.time_zone,
        initial={
            "asylum_officer": assessment.asylum_officer_id if assessment else user.pk,
            "interview_date": at.date(),
            "interview_time": at.time(),
        },
    )


def _assessment_form(claim: FearClaim, data: Any = None) -> AssessmentForm:
    tz_name = claim.asylum_office.time_zone
    assessment: FearAssessment = claim.assessment
    return AssessmentForm(
        data,
        languages=languages_for_choice(),
        tz_name=tz_name,
        initial=AssessmentForm.initial_for(assessment, tz_name=tz_name),
    )


def _render_claim(
    request: HttpRequest,
    user: User,
    claim: FearClaim,
    *,
    schedule_form: InterviewScheduleForm | None = None,
    assessment_form: AssessmentForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = claim_view(user=user, claim=claim)
    _log_cases(request, user, [claim.case_id])
    office = claim.asylum_office
    assessment: FearAssessment | None = getattr(claim, "assessment", None)
    assessment_status = assessment.status if assessment else None
    may_schedule = claim.status in (FearClaim.Status.REFERRED, FearClaim.Status.SCHEDULED)
    may_assess = assessment_status in (FearAssessment.Status.SCHEDULED, FearAssessment.Status.RETURNED)
    submitted = assessment_status == FearAssessment.Status.SUBMITTED
    # S3 separation of duties: the predicate fear_assessment_review enforces (any version assessed by them).
    own_assessment = bool(
        submitted
        and assessment is not None
        and user.has_role(*CONCUR_ROLES)
        and fear_selectors.assessed_by_user(user=user, assessment=assessment)
    )
    may_review = submitted and user.has_role(*CONCUR_ROLES) and not own_assessment
    if schedule_form is None and may_schedule:
        schedule_form = _schedule_form(claim, user)
    if assessment_form is None and may_assess:
        assessment_form = _assessment_form(claim)
    if review_form is None and may_review:
        review_form = ReviewForm()
    failed = _failed(
        (schedule_form, "The interview was not scheduled"),
        (assessment_form, "The assessment was not submitted"),
        (review_form, "The review was not recorded"),
    )
    tz_name = office.time_zone
    context = {
        "claim": claim,
        "view": view,
        "a": view.assessment,
        "case": claim.case,
        "person": claim.case.alien,
        "office": office,
        "zone": tz_name,
        "stated_when": when_words(claim.stated_at, claim.location.time_zone),
        "decided_when": when_words(claim.decided_at, tz_name),
        "interview_when": when_words(assessment.interview_at, tz_name) if assessment else "",
        "held_when": when_words(assessment.interview_held_at, tz_name) if assessment else "",
        "assessed_when": when_words(assessment.assessed_at, tz_name) if assessment else "",
        "reviewed_when": when_words(assessment.reviewed_at, tz_name) if assessment else "",
        "returned": assessment_status == FearAssessment.Status.RETURNED,
        "schedule_form": schedule_form if may_schedule else None,
        "assessment_form": assessment_form if may_assess else None,
        "review_form": review_form if may_review else None,
        "own_assessment": own_assessment,
        "awaiting_review": submitted and not user.has_role(*CONCUR_ROLES),
        "effects": fear_selectors.claim_effects(claim) if claim.status == FearClaim.Status.DECIDED else [],
        "failed_form": failed[0],
        "failed_heading": failed[1],
    }
    return render(request, "screenings/fear_claim.html", context, status=status)


@never_cache
@login_required
@require_safe
def fear_claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    user, claim = _office_claim(request, claim_id)
    return _render_claim(request, user, claim)


@never_cache
@login_required
@require_http_methods(["POST"])
def fear_interview_schedule_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """S2: schedule or reschedule the interview, with an asylum officer of the office."""
    user, claim = _office_claim(request, claim_id)
    form = _schedule_form(claim, user, request.POST)
    if not form.is_valid():
        return _render_claim(request, user, claim, schedule_form=form, status=400)
    try:
        assessment = fear_interview_schedule(
            claim_id=claim.pk,
            actor=user,
            interview_at=form.cleaned_data["interview_at"],
            asylum_officer_id=form.cleaned_data["asylum_officer"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        _, claim = _office_claim(request, claim_id)
        return _render_claim(request, user, claim, schedule_form=form, status=error.http_status)
    messages.success(
        request,
        f"Interview scheduled for {when_words(assessment.interview_at, claim.asylum_office.time_zone)} with "
        f"{assessment.asylum_officer.display_name} (S2).",
    )
    return redirect("screenings:fear-claim", claim_id=claim.pk)


@never_cache
@login_required
@require_http_methods(["POST"])
def fear_assessment_submit_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """S2/S3: record the interview and the determination, for the supervisory review."""
    user, claim = _office_claim(request, claim_id)
    if getattr(claim, "assessment", None) is None:
        messages.error(request, "Schedule the interview first: there is no interview to record.")
        return redirect("screenings:fear-claim", claim_id=claim.pk)
    form = _assessment_form(claim, request.POST)
    if not form.is_valid():
        return _render_claim(request, user, claim, assessment_form=form, status=400)
    try:
        fear_assessment_submit(claim_id=claim.pk, actor=user, data=form.assessment_input())
    except DomainError as error:
        form.add_domain_error(error)
        _, claim = _office_claim(request, claim_id)
        return _render_claim(request, user, claim, assessment_form=form, status=error.http_status)
    messages.success(
        request,
        "Assessment submitted for supervisory review (S3). It takes effect only when a supervisory asylum "
        "officer concurs; the office's supervisors are notified.",
    )
    return redirect("screenings:fear-claim", claim_id=claim.pk)


@never_cache
@login_required
@require_http_methods(["POST"])
def fear_assessment_review_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """S3: concur (the assessment takes effect: S4, F3, F5) or return it for correction."""
    user, claim = _office_claim(request, claim_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_claim(request, user, claim, review_form=form, status=400)
    decision = form.cleaned_data["decision"]
    try:
        assessment = fear_assessment_review(
            claim_id=claim.pk, actor=user, decision=decision, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        form.add_domain_error(error)
        # Reload: another supervisor may have decided meanwhile, and the page must show that decision.
        _, claim = _office_claim(request, claim_id)
        return _render_claim(request, user, claim, review_form=form, status=error.http_status)
    if decision != CONCUR:
        assessor = assessment.assessed_by.display_name if assessment.assessed_by else "the asylum officer"
        messages.success(request, f"Returned to {assessor} for correction (S3); they are notified.")
    elif assessment.determination == FearAssessment.Determination.POSITIVE:
        messages.success(
            request,
            "Concurred (S3): the positive assessment is in effect. The person and their family are not "
            "returned to Mexico; their cases moved as listed below, and ICE is asked for a custody "
            "determination (S4, F5).",
        )
    else:
        messages.success(
            request,
            "Concurred (S3): the negative assessment is in effect. The hold is released; nobody was moved, and "
            "the person may be returned to Mexico pending proceedings (S4).",
        )
    return redirect("screenings:fear-claim", claim_id=claim.pk)
