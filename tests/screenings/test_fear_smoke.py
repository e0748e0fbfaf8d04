import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, CustodyReferral
from mpp.accounts.models import Location
from mpp.accounts.roles import Role
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from tests.factories import family_with_cases, language, location, user_with_role

pytestmark = pytest.mark.django_db


def test_smoke_positive_family_removed():
    cases = family_with_cases(size=3, status=Case.Status.ENROLLED)
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])
    office = Location.objects.get(code="lax-zla")
    ao = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"])
    claim = fear_claim_record(
        case_id=cases[0].pk,
        actor=officer,
        data=ClaimInput(
            stated_by="self",
            location_id=location("sys-poe").pk,
            setting="encounter",
            language_id=language("es").pk,
        ),
    )
    assert claim.asylum_office == office
    fear_interview_schedule(claim_id=claim.pk, actor=ao, interview_at=timezone.now() + dt.timedelta(hours=1))
    fear_assessment_submit(
        claim_id=claim.pk,
        actor=ao,
        data=AssessmentInput(
            interview_held_at=timezone.now(),
            determination="positive",
            grounds=["political_opinion"],
            account="x",
            determination_reason="y",
        ),
    )
    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason="ok")
    statuses = [Case.objects.get(pk=c.pk).status for c in cases]
    assert statuses == [Case.Status.REMOVED_FROM_MPP] * 3
    assert CustodyReferral.objects.filter(case__in=cases).count() == 3
