"""F4's exception: a CBP supervisor records an independent basis to separate one member of a family from the
block a pending fear claim puts on everyone's return to Mexico (``cases.services.hold_exempt_member``).

F4: if any member of a family unit in MPP expresses fear of returning to Mexico, the whole family waits for
that claim's adjudication before any member is returned — unless an independent basis to separate a member
is recorded. Only that member is freed; the claimant and every other member stay blocked.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.exceptions import CaseNotFound
from cases.models import Case, CaseEvent, CaseStatus, Hold, HoldExemption
from cases.services import case_move, hold_exempt_member
from hearings.workflow import HEARING_DAY
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from screenings.fear_services import ClaimInput, fear_claim_record
from tests.factories import CaseFactory, family_with_cases, language, location, user_with_role

pytestmark = pytest.mark.django_db

S = CaseStatus
BASIS = "Adult son travelling on his own asylum case; independent basis confirmed with the port director"


def claim_for(case: Case) -> Hold:
    """The claimant states a fear at the port (S1): the fear workflow opens the fear_claim hold."""
    fear_claim_record(
        case_id=case.pk,
        actor=user_with_role(Role.CBP_OFFICER),
        data=ClaimInput(
            stated_by="self", location_id=location().pk, setting="hearing_day", language_id=language("es").pk
        ),
    )
    return Hold.objects.get(case=case, kind="fear_claim", released_at__isnull=True)


def supervisor(at: str = "sys-poe") -> User:
    return user_with_role(Role.CBP_SUPERVISOR, locations=[at])


def officer() -> User:
    return user_with_role(Role.CBP_OFFICER)


def return_to_mexico(case: Case) -> Case:
    return case_move(
        case_id=case.pk, to_status=S.IN_MEXICO, actor=officer(), reason="Hearing over", workflow=HEARING_DAY
    )


def test_f4_the_exception_frees_only_the_separated_members_return_to_mexico():
    mother, son, daughter = family_with_cases(size=3, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor(), reason=BASIS)

    assert return_to_mexico(son).status == S.IN_MEXICO
    with pytest.raises(PolicyRefusal) as sibling:
        return_to_mexico(daughter)
    assert (sibling.value.rule, sibling.value.code) == ("F4", "family_fear_pending")
    with pytest.raises(PolicyRefusal) as claimant:
        return_to_mexico(mother)
    assert claimant.value.code == "fear_claim_pending"
    assert Case.objects.get(pk=daughter.pk).status == S.IN_US_FOR_HEARING
    assert Case.objects.get(pk=mother.pk).status == S.IN_US_FOR_HEARING


def test_f4_without_the_exception_every_members_return_is_refused():
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    claim_for(mother)

    with pytest.raises(PolicyRefusal) as refused:
        return_to_mexico(son)

    assert refused.value.code == "family_fear_pending"


def test_f4_the_exception_changes_no_status_and_is_recorded_on_both_timelines_with_the_basis():
    mother, son, daughter = family_with_cases(size=3, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)
    boss = supervisor()

    exemption = hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=boss, reason=BASIS)

    assert (exemption.case, exemption.hold, exemption.recorded_by, exemption.reason) == (
        son,
        hold,
        boss,
        BASIS,
    )
    for case in (mother, son):
        event = CaseEvent.objects.get(case=case, type="hold.member_separated")
        assert event.actor == boss
        assert BASIS in event.reason and son.alien.full_name in event.reason and event.reason.startswith("F4")
        assert event.data["member_case_id"] == son.pk and event.data["hold_id"] == hold.pk
    assert not CaseEvent.objects.filter(case=daughter, type="hold.member_separated").exists()
    assert OutboxEvent.objects.filter(event="hold.member_separated", case_id=son.pk).count() == 1
    assert {c.status for c in Case.objects.filter(pk__in=[mother.pk, son.pk, daughter.pk])} == {
        S.IN_US_FOR_HEARING
    }
    hold.refresh_from_db()
    assert hold.is_open  # the claim is still pending: the claimant's hold stays


def test_f4_recording_the_exception_twice_is_a_no_op():
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    first = hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor(), reason=BASIS)
    again = hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor(), reason="Double submit")

    assert again.pk == first.pk and again.reason == BASIS
    assert HoldExemption.objects.count() == 1
    assert CaseEvent.objects.filter(type="hold.member_separated").count() == 2  # one per timeline, once


def test_f4_the_claimant_cannot_be_separated_from_their_own_hold():
    mother, _son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    with pytest.raises(InvalidInput) as refused:
        hold_exempt_member(hold_id=hold.pk, case_id=mother.pk, actor=supervisor(), reason=BASIS)

    assert refused.value.field == "case"
    assert not HoldExemption.objects.exists()


def test_f4_only_a_member_of_the_claimants_family_can_be_separated():
    mother, _son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    stranger = CaseFactory(status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    with pytest.raises(InvalidInput) as refused:
        hold_exempt_member(hold_id=hold.pk, case_id=stranger.pk, actor=supervisor(), reason=BASIS)

    assert refused.value.field == "case"


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.CBP_SUPERVISOR])
def test_f4_only_a_cbp_supervisor_records_the_exception(role):
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)
    user = user_with_role(role, locations=["sys-poe"])

    with pytest.raises((NotPermitted, CaseNotFound)):  # analysts see no case at all: "not found"
        hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=user, reason=BASIS)

    assert not HoldExemption.objects.exists()
    with pytest.raises(PolicyRefusal):
        return_to_mexico(son)


def test_f4_a_cbp_supervisor_elsewhere_does_not_find_the_family():
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    with pytest.raises(CaseNotFound):
        hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor("lrd-poe"), reason=BASIS)

    assert not HoldExemption.objects.exists()


def test_f4_the_exception_needs_a_reason_naming_the_field():
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)

    with pytest.raises(InvalidInput) as refused:
        hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor(), reason="   ")

    assert refused.value.field == "reason"


def test_f4_nothing_is_separated_from_a_hold_released_meanwhile():
    mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    hold = claim_for(mother)
    Hold.objects.filter(pk=hold.pk).update(
        released_at=timezone.now(),
        released_by=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER),
        release_reason="x",
    )

    with pytest.raises(ConcurrentEdit) as refused:
        hold_exempt_member(hold_id=hold.pk, case_id=son.pk, actor=supervisor(), reason=BASIS)

    assert refused.value.code == "already_released"
    assert not HoldExemption.objects.exists()


def test_f4_an_unknown_hold_is_not_found():
    _mother, son = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)

    with pytest.raises(CaseNotFound):
        hold_exempt_member(hold_id=999_999_999, case_id=son.pk, actor=supervisor(), reason=BASIS)
