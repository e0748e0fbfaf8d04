"""The fear-claim pages (S1-S4, F4): a case's fear claims and the form to record one, F4's independent basis to
separate a member, the asylum office's queue and the claim page (interview, assessment, supervisory review),
driven through the Django test client on the real database: who may open and use each page and form, what a
refusal says (the field, the rule and the reason code), what each role's HTML contains of the restricted
content (field-level privacy), that the lists read the same number of queries for few rows as for many, and
that hostile text is escaped."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, FamilyMember, HoldExemption
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import FearAssessment, FearClaim
from tests.factories import CaseFactory, language, location, user_with_role

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
STATEMENT = "She said the cartel in Reynosa threatened her daughter by name."
ACCOUNT = "Account: threatened twice outside the shelter; recognised the men; a police report was refused."
MEDICAL = "Medical: fractured wrist, treated in Tijuana, not healed."
REASONS = "Analysis: credible, detailed, consistent; nexus to a particular social group."
ALL_ROLES = list(Role)
SCOPED = {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.PRINT_STAFF}
CASE_FEAR_READERS = {
    Role.CBP_OFFICER,
    Role.BORDER_PATROL_AGENT,
    Role.CBP_SUPERVISOR,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
    Role.COURT_STAFF,
    Role.ICE_OFFICER,
    Role.ADMINISTRATOR,
}
RECORDERS = {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF}
USCIS = {Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    """What a reader sees: tags removed, whitespace collapsed (none before punctuation that follows a tag)."""
    text = " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())
    return re.sub(r" ([:.,)])", r"\1", text)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def someone(role: str):
    """A user of ``role``: the location-scoped roles at San Ysidro, USCIS at the Los Angeles office."""
    if role in SCOPED:
        return user_with_role(role, locations=["sys-poe"])
    if role in USCIS:
        return user_with_role(role, locations=["lax-zla"])
    return user_with_role(role)


def family(*, status: str = CaseStatus.ENROLLED, size: int = 3, **mother) -> list[Case]:
    """Mother (head, 36), her son (9) and daughter (6), Honduran, encountered at San Ysidro."""
    head = CaseFactory(
        status=status,
        alien__given_names=mother.pop("given_names", "Ana"),
        alien__family_name=mother.pop("family_name", "Ruiz Paz"),
        alien__date_of_birth=dt.date(1989, 4, 11),
        **{f"alien__{k}": v for k, v in mother.items()},
    )
    cases = [head]
    for given, born in (("Mateo", dt.date(2016, 8, 2)), ("Lucía", dt.date(2019, 1, 20)))[: size - 1]:
        cases.append(
            CaseFactory(
                status=status,
                encounter=head.encounter,
                alien__given_names=given,
                alien__family_name="Ruiz Paz",
                alien__date_of_birth=born,
                membership=FamilyMember.Relationship.CHILD,
            )
        )
    return cases


def record(
    case: Case, actor, *, statement: str = STATEMENT, stated_by: str = "self", parent=None
) -> FearClaim:
    return fear_claim_record(
        case_id=case.pk,
        actor=actor,
        data=ClaimInput(
            stated_by=stated_by,
            stated_by_alien_id=parent.alien_id if parent else None,
            location_id=location("sys-poe").pk,
            setting=FearClaim.Setting.ENCOUNTER,
            language_id=language("es").pk,
            stated_at=timezone.now() - dt.timedelta(hours=2),
            statement=statement,
        ),
    )


def schedule(claim: FearClaim, ao) -> FearAssessment:
    return fear_interview_schedule(
        claim_id=claim.pk, actor=ao, interview_at=timezone.now() - dt.timedelta(hours=1)
    )


def submit(
    claim: FearClaim, ao, *, determination: str = "positive", account: str = ACCOUNT
) -> FearAssessment:
    return fear_assessment_submit(
        claim_id=claim.pk,
        actor=ao,
        data=AssessmentInput(
            interview_held_at=timezone.now() - dt.timedelta(minutes=30),
            determination=determination,
            grounds=["social_group"] if determination == "positive" else [],
            account=account,
            medical_notes=MEDICAL,
            determination_reason=REASONS,
        ),
    )


def decided(case: Case, officer, ao, sao, *, determination: str = "negative") -> FearClaim:
    claim = record(case, officer)
    schedule(claim, ao)
    submit(claim, ao, determination=determination)
    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason="Concur.")
    claim.refresh_from_db()
    return claim


@pytest.fixture
def ao(db):
    return user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"], first_name="Rosa", last_name="Vega")


@pytest.fixture
def sao(db):
    return user_with_role(
        Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"], first_name="Tom", last_name="Hale"
    )


def case_fear_url(case: Case, *, partial: bool = False) -> str:
    return reverse("screenings:case-fear", args=[case.pk]) + ("?partial=1" if partial else "")


def claim_url(claim: FearClaim) -> str:
    return reverse("screenings:fear-claim", args=[claim.pk])


def claim_post(child: Case, mother: Case | None = None, **changes: object) -> dict[str, object]:
    now = timezone.localtime(timezone.now(), LOS_ANGELES) - dt.timedelta(minutes=10)
    data: dict[str, object] = {
        "fear-stated_by": "parent" if mother else "self",
        "fear-stated_by_alien": mother.alien_id if mother else "",
        "fear-location": location("sys-poe").pk,
        "fear-stated_date": f"{now:%Y-%m-%d}",
        "fear-stated_time": f"{now:%H:%M}",
        "fear-setting": FearClaim.Setting.HEARING_DAY,
        "fear-language": language("es").pk,
        "fear-statement": "",
    }
    data.update({f"fear-{k}": v for k, v in changes.items()})
    return data


def assess_post(**changes: object) -> dict[str, object]:
    held = timezone.localtime(timezone.now(), LOS_ANGELES) - dt.timedelta(minutes=5)
    data: dict[str, object] = {
        "assess-held_date": f"{held:%Y-%m-%d}",
        "assess-held_time": f"{held:%H:%M}",
        "assess-interpretation_mode": "",
        "assess-interview_language": "",
        "assess-interpreter_id": "",
        "assess-counsel_name": "",
        "assess-account": ACCOUNT,
        "assess-medical_notes": MEDICAL,
        "assess-determination": "positive",
        "assess-grounds": ["political_opinion"],
        "assess-determination_reason": REASONS,
    }
    data.update({f"assess-{k}": v for k, v in changes.items()})
    return data


# --- Who may open and use the case's fear section (S1) -------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_s1_the_case_fear_section_is_for_the_readers_of_case_context_and_the_form_for_the_recorders(
    client_for, role
):
    _mother, child, _ = family()
    user = someone(role)

    response = client_for(user).get(case_fear_url(child))

    if role not in CASE_FEAR_READERS:  # print staff print for the person; analysts see no case
        assert response.status_code == 403
        return
    assert response.status_code == 200
    text = visible_text(response)
    assert "No fear of return to Mexico recorded for Mateo Ruiz Paz." in text
    assert ('data-testid="fear-claim-form"' in response.content.decode()) == (role in RECORDERS)


def test_s1_a_case_outside_the_officers_duty_locations_answers_404_like_a_missing_one(client_for):
    _, child, _ = family()
    laredo_officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])
    client = client_for(laredo_officer)

    assert client.get(case_fear_url(child)).status_code == 404
    assert client.get(reverse("screenings:case-fear", args=[999999])).status_code == 404
    assert (
        client.post(reverse("screenings:fear-claim-record", args=[child.pk]), claim_post(child)).status_code
        == 404
    )
    assert not FearClaim.objects.exists()


@pytest.mark.parametrize("role", sorted(set(CASE_FEAR_READERS) - RECORDERS - {Role.ADMINISTRATOR}))
def test_s1_roles_that_do_not_record_claims_are_refused_and_nothing_is_saved(client_for, role):
    mother, child, _ = family()

    response = client_for(someone(role)).post(
        reverse("screenings:fear-claim-record", args=[child.pk]), claim_post(child, mother)
    )

    assert response.status_code == 403
    assert not FearClaim.objects.exists()


def test_the_partial_is_the_section_only_and_the_case_page_loads_it_in_place(client_for, officer):
    _, child, _ = family()
    client = client_for(officer)

    partial = client.get(case_fear_url(child, partial=True)).content.decode()
    case_page = client.get(reverse("cases:detail", args=[child.pk])).content.decode()

    assert "<html" not in partial and 'data-testid="fear-section"' in partial
    assert f'hx-get="{case_fear_url(child)}?partial=1"' in case_page
    assert 'data-testid="case-fear-section"' in case_page


# --- Recording a claim (S1, F4) -------------------------------------------------------------------------


def test_s1_f4_an_officer_records_the_fear_the_mother_stated_for_her_child(client_for, officer):
    mother, child, daughter = family()
    client = client_for(officer)

    form_page = client.get(case_fear_url(child))
    response = client.post(
        reverse("screenings:fear-claim-record", args=[child.pk]),
        claim_post(child, mother, statement="Le tiene miedo al cártel."),
        follow=True,
    )

    form_text = form_page.content.decode()
    assert (
        'value="parent"' in form_text and f'<option value="{mother.alien_id}">Ana Ruiz Paz (head' in form_text
    )
    # The person's preferred language is chosen, and the place is the case's own.
    assert re.search(rf'<option value="{language("es").pk}" selected>', form_text)
    assert re.search(rf'<option value="{location("sys-poe").pk}" selected>', form_text)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[child.pk])
    text = visible_text(response)
    assert "Fear claim recorded for Mateo Ruiz Paz: referred to the Los Angeles Asylum Office" in text
    assert "Nobody in the family may be returned to Mexico until it is decided (F4)." in text
    claim = FearClaim.objects.get()
    assert (claim.case_id, claim.stated_by, claim.stated_by_alien_id) == (child.pk, "parent", mother.alien_id)
    assert (claim.setting, claim.recorded_by_id, claim.asylum_office.code) == (
        "hearing_day",
        officer.pk,
        "lax-zla",
    )
    assert claim.hold.released_at is None
    # The sister's section says her return is blocked by her brother's claim (F4).
    sister = visible_text(client.get(case_fear_url(daughter)))
    assert "F4 · family_fear_pending: Mateo Ruiz Paz, of the same family, has a fear claim pending" in sister


def test_s1_the_time_is_read_on_the_clock_of_the_place_chosen(client_for, court_clerk):
    _mother, child, _ = family()
    court = location("elp-ic")  # El Paso: Mountain time, not the port's Pacific
    stated = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(court.time_zone)) - dt.timedelta(minutes=20)

    client_for(court_clerk).post(
        reverse("screenings:fear-claim-record", args=[child.pk]),
        claim_post(
            child,
            location=court.pk,
            setting="court",
            stated_date=f"{stated:%Y-%m-%d}",
            stated_time=f"{stated:%H:%M}",
        ),
    )

    claim = FearClaim.objects.get()
    assert claim.location == court and claim.setting == "court" and claim.asylum_office.code == "hou-zhn"
    assert claim.stated_at == stated.replace(second=0, microsecond=0)


def test_s1_recording_it_again_is_the_same_claim(client_for, officer):
    _, child, _ = family()
    first = record(child, officer)

    page = client_for(officer).get(case_fear_url(child)).content.decode()

    assert 'data-testid="fear-claim-form"' not in page  # pending: nothing more to record
    assert "S1 · fear_claim_pending" in html.unescape(page)
    assert FearClaim.objects.get() == first


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stated_by": ""}, "Who stated the fear", "Choose who stated the fear."),
        ({"setting": ""}, "When in the process", "Choose when in the process the fear was stated."),
        ({"language": ""}, "Language it was stated in", "Choose the language the fear was stated in."),
        ({"stated_time": "25:61"}, "Time it was stated", "Enter a valid time."),
        ({"location": "lrd"}, "Where it was stated", "Select a valid choice."),
    ],
)
def test_s1_bad_input_names_the_field_and_saves_nothing(client_for, officer, changes, field, message):
    mother, child, _ = family()
    if changes.get("location") == "lrd":  # Laredo is not one of this officer's duty locations
        changes = {"location": location("lrd-poe").pk}

    response = client_for(officer).post(
        reverse("screenings:fear-claim-record", args=[child.pk]), claim_post(child, mother, **changes)
    )

    assert response.status_code == 400
    text = visible_text(response)
    assert "The fear claim was not recorded" in text
    assert f"{field}: {message}" in text
    assert not FearClaim.objects.exists()


def test_s1_a_time_in_the_future_is_refused_by_the_service_next_to_the_time(client_for, officer):
    mother, child, _ = family()
    later = timezone.localtime(timezone.now(), LOS_ANGELES) + dt.timedelta(hours=3)

    response = client_for(officer).post(
        reverse("screenings:fear-claim-record", args=[child.pk]),
        claim_post(child, mother, stated_date=f"{later:%Y-%m-%d}", stated_time=f"{later:%H:%M}"),
    )

    assert response.status_code == 400
    assert "Time it was stated: When it was stated cannot be in the future." in visible_text(response)
    assert not FearClaim.objects.exists()


def test_s1_an_adult_states_their_own_fear_only(client_for, officer):
    mother, child, _ = family()

    page = client_for(officer).get(case_fear_url(mother)).content.decode()
    response = client_for(officer).post(
        reverse("screenings:fear-claim-record", args=[mother.pk]),
        claim_post(mother, child, stated_by="parent", stated_by_alien=child.alien_id),
    )

    assert 'value="parent"' not in page and "fear-stated_by_alien" not in page
    assert response.status_code == 400
    assert "Who stated the fear: Select a valid choice." in visible_text(response)
    assert not FearClaim.objects.exists()


def test_s1_a_case_out_of_mpp_offers_no_claim_and_the_refusal_says_why(client_for, officer):
    removed = CaseFactory(status=CaseStatus.REMOVED_FROM_MPP)

    page = visible_text(client_for(officer).get(case_fear_url(removed)))
    response = client_for(officer).post(
        reverse("screenings:fear-claim-record", args=[removed.pk]), claim_post(removed)
    )

    assert "not returned to Mexico under MPP, so there is no MPP fear claim to record (S1)" in page
    assert response.status_code == 409
    assert "S1 · fear_claim_not_applicable:" in visible_text(response)
    assert not FearClaim.objects.exists()


# --- F4's exception: an independent basis to separate a member ------------------------------------------


def test_f4_a_cbp_supervisor_separates_one_member_from_the_familys_block(client_for, officer, supervisor):
    _mother, child, daughter = family()
    claim = record(child, officer)
    client = client_for(supervisor)

    sister_page = client.get(case_fear_url(daughter)).content.decode()
    child_page = client.get(case_fear_url(child)).content.decode()
    response = client.post(
        reverse("screenings:fear-member-separate", args=[daughter.pk, claim.hold_id]),
        {f"separate-{claim.hold_id}-reason": "Her father in Guatemala holds custody by court order."},
        follow=True,
    )

    assert "Record an independent basis to separate this member (F4 exception)" in sister_page
    assert 'data-testid="fear-separate-form"' not in child_page  # the claimant is never separated
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[daughter.pk])
    assert "Independent basis recorded (F4): Lucía Ruiz Paz is separated" in visible_text(response)
    exemption = HoldExemption.objects.get()
    assert (exemption.case_id, exemption.hold_id, exemption.recorded_by_id) == (
        daughter.pk,
        claim.hold_id,
        supervisor.pk,
    )
    after = visible_text(client.get(case_fear_url(daughter)))
    assert "Separations recorded (F4 exception)" in after
    assert "Her father in Guatemala holds custody by court order." in after
    assert "F4 · family_fear_pending" not in after  # no longer blocked
    assert "Lucía Ruiz Paz separated" in visible_text(client.get(case_fear_url(child)))


def test_f4_only_the_cbp_supervisor_separates_and_a_reason_is_required(client_for, officer, supervisor):
    _mother, child, daughter = family()
    claim = record(child, officer)
    url = reverse("screenings:fear-member-separate", args=[daughter.pk, claim.hold_id])
    field = f"separate-{claim.hold_id}-reason"

    as_officer = client_for(officer).post(url, {field: "A reason."})
    without_reason = client_for(supervisor).post(url, {field: "  "})

    assert (
        "Record an independent basis" not in client_for(officer).get(case_fear_url(daughter)).content.decode()
    )
    assert as_officer.status_code == 403
    assert without_reason.status_code == 400
    assert "Independent basis to separate this member: This field is required." in visible_text(
        without_reason
    )
    assert not HoldExemption.objects.exists()


# --- The asylum office's queue ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_s1_the_queue_is_for_uscis_only(client_for, role):
    response = client_for(someone(role)).get(reverse("screenings:fear-queue"))

    assert response.status_code == (200 if role in USCIS else 403)


def test_s1_the_queue_lists_the_offices_claims_oldest_first_with_local_times(client_for, officer, ao):
    older = record(family(given_names="Older")[0], officer)
    newer = record(family(given_names="Newer")[0], officer)
    FearClaim.objects.filter(pk=older.pk).update(stated_at=timezone.now() - dt.timedelta(days=2))
    houston = CaseFactory(status=CaseStatus.ENROLLED, encounter__location=location("lrd-poe"))
    record_at_laredo = fear_claim_record(
        case_id=houston.pk,
        actor=user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"]),
        data=ClaimInput(
            stated_by="self",
            location_id=location("lrd-poe").pk,
            setting="encounter",
            language_id=language("es").pk,
        ),
    )

    response = client_for(ao).get(reverse("screenings:fear-queue"))

    text = response.content.decode()
    rows = re.findall(r'data-testid="fear-queue-row" data-claim="(\d+)"', text)
    assert rows == [str(older.pk), str(newer.pk)]  # Laredo's claim is Houston's, not this office's
    assert str(record_at_laredo.pk) not in rows
    assert "Los Angeles Asylum Office" in visible_text(response)
    # The page and sort links keep the office and the tab.
    assert f'<input type="hidden" name="office" value="{location("lax-zla").pk}">' in text
    assert '<input type="hidden" name="tab" value="to_schedule">' in text
    stated = timezone.localtime(newer.stated_at, LOS_ANGELES)
    assert f"{stated:%Y-%m-%d %H:%M} {stated.tzname()} (America/Los_Angeles)" in visible_text(response)
    logged = AccessLog.objects.filter(user=ao, object_type="case").latest("at")
    assert logged.object_ids == [str(older.case_id), str(newer.case_id)]
    newest_first = client_for(ao).get(reverse("screenings:fear-queue") + "?sort=newest").content.decode()
    assert re.findall(r'data-claim="(\d+)"', newest_first) == [str(newer.pk), str(older.pk)]


def test_s1_the_queue_tabs_follow_what_is_waiting(client_for, officer, ao, sao):
    claim = record(family()[0], officer)
    schedule(claim, ao)
    submit(claim, ao)

    to_schedule = client_for(ao).get(reverse("screenings:fear-queue")).content.decode()
    review = client_for(sao).get(reverse("screenings:fear-queue")).content.decode()  # a supervisor's default

    assert f'data-claim="{claim.pk}"' not in to_schedule
    assert f'data-claim="{claim.pk}"' in review
    assert re.search(r'aria-current="page" data-tab="review"', review)


def test_s1_an_asylum_officer_posted_at_no_office_is_told_and_shown_nothing(client_for, officer):
    record(family()[0], officer)
    unposted = user_with_role(Role.ASYLUM_OFFICER, locations=[])

    response = client_for(unposted).get(reverse("screenings:fear-queue"))

    assert response.status_code == 200
    assert "You are not posted at an asylum office" in visible_text(response)
    assert "fear-queue-row" not in response.content.decode()


def test_the_queue_reads_the_same_number_of_queries_for_1_claim_as_for_8(client_for, officer, ao):
    record(family()[0], officer)
    client = client_for(ao)
    client.get(reverse("screenings:fear-queue"))
    few = count_queries(client, reverse("screenings:fear-queue"))
    for i in range(7):
        claim = record(family(given_names=f"P{i}", size=1)[0], officer)
        if i % 2:
            fear_interview_schedule(
                claim_id=claim.pk, actor=ao, interview_at=timezone.now() + dt.timedelta(days=1)
            )

    many = count_queries(client, reverse("screenings:fear-queue"))
    scheduled = count_queries(client, reverse("screenings:fear-queue") + "?tab=scheduled")

    assert many == few
    assert scheduled == few


# --- The claim page: who opens it ----------------------------------------------------------------------


def test_s1_the_claim_page_is_for_uscis_of_its_office_and_404_for_another_office(
    client_for, officer, ao, sao
):
    claim = record(family()[0], officer)
    houston = user_with_role(Role.ASYLUM_OFFICER, locations=["hou-zhn"])

    assert client_for(ao).get(claim_url(claim)).status_code == 200
    assert client_for(sao).get(claim_url(claim)).status_code == 200
    assert client_for(houston).get(claim_url(claim)).status_code == 404
    assert client_for(ao).get(reverse("screenings:fear-claim", args=[claim.pk + 1000])).status_code == 404
    for role in set(Role) - USCIS:
        assert client_for(someone(role)).get(claim_url(claim)).status_code == 403, role
    schedule_url = reverse("screenings:fear-interview-schedule", args=[claim.pk])
    assert client_for(houston).post(schedule_url, {}).status_code == 404
    assert not FearAssessment.objects.exists()


# --- Scheduling, assessing, reviewing (S2, S3) -----------------------------------------------------------


def test_s2_the_asylum_officer_schedules_the_interview_on_the_offices_clock(client_for, officer, ao):
    claim = record(family()[0], officer)
    colleague = user_with_role(
        Role.ASYLUM_OFFICER, locations=["lax-zla"], first_name="Ines", last_name="Soto"
    )
    client = client_for(ao)
    page = client.get(claim_url(claim)).content.decode()

    response = client.post(
        reverse("screenings:fear-interview-schedule", args=[claim.pk]),
        {
            "schedule-asylum_officer": colleague.pk,
            "schedule-interview_date": "2030-06-14",
            "schedule-interview_time": "09:30",
        },
        follow=True,
    )

    assert f'<option value="{ao.pk}" selected>' in page and f'<option value="{colleague.pk}">' in page
    assessment = FearAssessment.objects.get()
    assert assessment.asylum_officer == colleague
    assert assessment.interview_at == dt.datetime(2030, 6, 14, 9, 30, tzinfo=LOS_ANGELES)
    assert (
        "Interview scheduled for 2030-06-14 09:30 PDT (America/Los_Angeles) with Ines Soto (S2)."
        in visible_text(response)
    )


def test_s2_scheduling_without_an_officer_names_the_field(client_for, officer, ao):
    claim = record(family()[0], officer)

    response = client_for(ao).post(
        reverse("screenings:fear-interview-schedule", args=[claim.pk]),
        {
            "schedule-asylum_officer": "",
            "schedule-interview_date": "2030-06-14",
            "schedule-interview_time": "09:30",
        },
    )

    assert response.status_code == 400
    assert "Asylum officer who interviews: Choose the asylum officer who interviews." in visible_text(
        response
    )
    assert not FearAssessment.objects.exists()


def test_s3_the_asylum_officer_records_a_positive_determination_for_review(client_for, officer, ao):
    claim = record(family()[0], officer)
    schedule(claim, ao)

    response = client_for(ao).post(
        reverse("screenings:fear-assessment-submit", args=[claim.pk]),
        assess_post(counsel_present_by_phone="on", counsel_name="Lic. Ana Beltrán"),
        follow=True,
    )

    assessment = FearAssessment.objects.get()
    assert assessment.status == FearAssessment.Status.SUBMITTED
    assert (assessment.determination, assessment.grounds) == ("positive", ["political_opinion"])
    assert (assessment.counsel_present_by_phone, assessment.counsel_name) == (True, "Lic. Ana Beltrán")
    assert assessment.account == ACCOUNT and assessment.assessed_by == ao
    text = visible_text(response)
    assert "Assessment submitted for supervisory review (S3)." in text
    assert "Retained counsel by telephone: Lic. Ana Beltrán" in text
    assert "Submitted: a supervisory asylum officer of Los Angeles Asylum Office reviews it (S3)." in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"grounds": []},
            "Grounds: S3: a positive determination names the ground: race, religion, nationality, membership in "
            "a particular social group, political opinion, or torture.",
        ),
        ({"determination": "negative"}, "Grounds: A negative determination names no ground."),
        (
            {"interpretation_mode": "telephonic", "interview_language": "", "interpreter_id": "Int-442"},
            "Interview language: S2: with an interpreter, record the language the interview was interpreted into.",
        ),
        (
            {"counsel_present_by_phone": "on", "counsel_name": ""},
            "Counsel's name: S2: name the retained counsel who took part by telephone.",
        ),
        ({"account": ""}, "The person's account: This field is required."),
        ({"determination": ""}, "Determination (S3): Choose the determination: positive or negative."),
    ],
)
def test_s2_s3_bad_assessments_name_the_field_and_save_nothing(client_for, officer, ao, changes, message):
    claim = record(family()[0], officer)
    schedule(claim, ao)

    response = client_for(ao).post(
        reverse("screenings:fear-assessment-submit", args=[claim.pk]), assess_post(**changes)
    )

    assert response.status_code == 400
    assert message in visible_text(response)
    assert FearAssessment.objects.get().status == FearAssessment.Status.SCHEDULED


def test_s3_only_a_supervisory_asylum_officer_is_offered_the_review_and_may_make_it(
    client_for, officer, ao, sao
):
    claim = record(family()[0], officer)
    schedule(claim, ao)
    submit(claim, ao)
    colleague = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])

    assessor_page = client_for(ao).get(claim_url(claim)).content.decode()
    colleague_page = client_for(colleague).get(claim_url(claim)).content.decode()
    supervisor_page = client_for(sao).get(claim_url(claim)).content.decode()
    refused = client_for(colleague).post(
        reverse("screenings:fear-assessment-review", args=[claim.pk]),
        {"review-decision": "concur", "review-reason": "Fine."},
    )

    for page in (assessor_page, colleague_page):
        assert 'data-testid="fear-review-form"' not in page and 'data-testid="fear-awaiting-review"' in page
        assert 'data-testid="fear-assessment-form"' not in page  # submitted: nothing to record now
        assert 'data-testid="fear-schedule-form"' not in page
    assert 'data-testid="fear-review-form"' in supervisor_page
    assert refused.status_code == 403
    assert "Reviewing assessments is for: USCIS supervisory asylum officer." in visible_text(refused)
    assert FearAssessment.objects.get().status == FearAssessment.Status.SUBMITTED


def test_s3_whoever_assessed_may_not_concur_and_is_told_why(client_for, officer, sao):
    claim = record(family()[0], officer)
    schedule(claim, sao)
    submit(claim, sao)  # a supervisory asylum officer may assess too — then another one reviews it
    client = client_for(sao)

    page = client.get(claim_url(claim))
    response = client.post(
        reverse("screenings:fear-assessment-review", args=[claim.pk]),
        {"review-decision": "concur", "review-reason": "Looks right."},
    )

    assert (
        "S3 · separation_of_duties: you made this assessment; another supervisory asylum officer reviews it."
        in (visible_text(page))
    )
    assert 'data-testid="fear-review-form"' not in page.content.decode()
    assert response.status_code == 403
    assert "S3 · separation_of_duties: You made this assessment" in visible_text(response)
    assert FearAssessment.objects.get().status == FearAssessment.Status.SUBMITTED


def test_s3_a_second_reviewer_is_told_the_first_decided_and_nothing_changes(client_for, officer, ao, sao):
    claim = record(family()[0], officer)
    schedule(claim, ao)
    submit(claim, ao)
    other = user_with_role(
        Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"], first_name="Eva", last_name="Lund"
    )
    stale = client_for(other)
    stale.get(claim_url(claim))  # the second reviewer has the page open
    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason="Well reasoned.")

    response = stale.post(
        reverse("screenings:fear-assessment-review", args=[claim.pk]),
        {"review-decision": "return", "review-reason": "Check the dates."},
    )

    assert response.status_code == 409
    text = visible_text(response)
    assert "The review was not recorded" in text
    assert "S3 · already_reviewed: Tom Hale already concurred with this assessment at" in text
    assert "Nothing was changed." in text
    assessment = FearAssessment.objects.get()
    assert (assessment.status, assessment.reviewed_by) == (FearAssessment.Status.CONCURRED, sao)


def test_s3_a_return_for_correction_goes_back_to_the_asylum_officer_with_the_reason(
    client_for, officer, ao, sao
):
    claim = record(family()[0], officer)
    schedule(claim, ao)
    submit(claim, ao)

    client_for(sao).post(
        reverse("screenings:fear-assessment-review", args=[claim.pk]),
        {"review-decision": "return", "review-reason": "Name the particular social group."},
    )
    page = client_for(ao).get(claim_url(claim))

    assert FearAssessment.objects.get().status == FearAssessment.Status.RETURNED
    text = visible_text(page)
    assert "Correct and resubmit the assessment" in text
    assert "Returned for correction by Tom Hale: Name the particular social group." in text
    assert ACCOUNT in page_text(page)  # the returned assessment, to correct


def test_s4_f5_after_a_positive_concurrence_the_claim_page_lists_the_family_cases_that_moved(
    client_for, officer, ao, sao
):
    mother, child, daughter = family()
    claim = record(child, officer, stated_by="parent", parent=mother)
    schedule(claim, ao)
    submit(claim, ao)

    response = client_for(sao).post(
        reverse("screenings:fear-assessment-review", args=[claim.pk]),
        {"review-decision": "concur", "review-reason": "Concur: credible and well reasoned."},
        follow=True,
    )

    assert [
        c.status for c in Case.objects.filter(pk__in=[mother.pk, child.pk, daughter.pk]).order_by("pk")
    ] == [CaseStatus.REMOVED_FROM_MPP] * 3
    text = visible_text(response)
    assert "Concurred (S3): the positive assessment is in effect." in text
    page = response.content.decode()
    for case in (mother, child, daughter):
        assert f'data-case="{case.pk}" data-moved="yes"' in page
        assert f'href="{reverse("cases:detail", args=[case.pk])}"' in page
    assert "S4 · fear_of_mexico" in text and "F5 · family_member_fear_positive" in text


# --- Field-level privacy in the HTML ----------------------------------------------------------------------


@pytest.fixture
def assessed_claim(officer, ao):
    mother, child, _ = family()
    claim = record(child, officer, stated_by="parent", parent=mother)
    schedule(claim, ao)
    submit(claim, ao)
    return child, claim


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.COURT_STAFF, Role.ICE_OFFICER]
)
def test_s1_privacy_other_roles_see_that_a_claim_exists_not_what_it_says(client_for, role, assessed_claim):
    child, claim = assessed_claim
    client = client_for(someone(role))

    for url in (
        case_fear_url(child),
        case_fear_url(child, partial=True),
        reverse("cases:detail", args=[child.pk]),
    ):
        text = page_text(client.get(url))
        for secret in (STATEMENT, ACCOUNT, MEDICAL, REASONS, "Membership in a particular social group"):
            assert secret not in text, (url, secret)
    section = visible_text(client.get(case_fear_url(child)))
    assert f"Fear claim {claim.pk}: Assessed: awaiting supervisory review" in section
    assert "Los Angeles Asylum Office" in section
    assert "Who stated it restricted (fear)" in section and "What was said restricted (fear)" in section
    assert "restricted (interview)" in section


def test_s1_privacy_the_cbp_supervisor_sees_the_statement_and_grounds_not_the_account(
    client_for, supervisor, assessed_claim
):
    child, _ = assessed_claim

    text = visible_text(client_for(supervisor).get(case_fear_url(child)))

    assert STATEMENT in text and "Membership in a particular social group" in text
    assert "A parent, for the child: Ana Ruiz Paz" in text
    assert ACCOUNT not in text and MEDICAL not in text and REASONS not in text
    assert "restricted (interview)" in text


@pytest.mark.parametrize("role", sorted(USCIS))
def test_s1_privacy_uscis_sees_everything(client_for, role, assessed_claim):
    child, claim = assessed_claim
    client = client_for(someone(role))

    section = page_text(client.get(case_fear_url(child)))
    claim_page = page_text(client.get(claim_url(claim)))

    for text in (section, claim_page):
        assert STATEMENT in text and ACCOUNT in text and MEDICAL in text
    assert REASONS in claim_page and "Membership in a particular social group" in claim_page
    assert "restricted (" not in section


def test_hostile_text_is_escaped_on_every_fear_page(client_for, officer, ao, supervisor):
    mother, _child, _ = family(family_name=HOSTILE)
    claim = record(mother, officer, statement=HOSTILE)
    schedule(claim, ao)
    submit(claim, ao, account=HOSTILE)

    pages = [
        client_for(supervisor).get(case_fear_url(mother)),
        client_for(ao).get(case_fear_url(mother)),
        client_for(ao).get(reverse("screenings:fear-queue") + "?tab=review"),
        client_for(ao).get(claim_url(claim)),
    ]

    for response in pages:
        raw = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in raw and "<img src=x" not in raw
        assert "&lt;script&gt;alert" in raw


# --- The case's fear section reads a fixed number of queries ----------------------------------------------


def test_the_case_fear_section_reads_the_same_number_of_queries_for_1_claim_as_for_3(
    client_for, officer, supervisor, ao, sao
):
    few_family = family()
    many_family = family(given_names="Beatriz")
    record(few_family[1], officer)
    decided(many_family[1], officer, ao, sao)
    decided(many_family[1], officer, ao, sao)
    record(many_family[1], officer)
    client = client_for(supervisor)
    client.get(case_fear_url(few_family[2]))

    few = count_queries(client, case_fear_url(few_family[1], partial=True))
    many = count_queries(client, case_fear_url(many_family[1], partial=True))
    sibling_few = count_queries(client, case_fear_url(few_family[2], partial=True))
    sibling_many = count_queries(client, case_fear_url(many_family[2], partial=True))

    assert FearClaim.objects.filter(case=many_family[1]).count() == 3
    assert many == few
    assert sibling_many == sibling_few
