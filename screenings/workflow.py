"""What the screenings app owns in the case core (cases.registry): the amenability review's moves, the
fear-claim hold, and its case event types. Registered once, from ``ScreeningsConfig.ready()``."""

from __future__ import annotations

from cases.models import CaseStatus as S
from cases.registry import HoldKind, edge_register, event_type_register, hold_kind_register
from mpp.accounts.roles import Role

AMENABILITY_REVIEW = "screenings.amenability_review"
# S1-S4: the fear claim, the USCIS assessment and its supervisory review; owns the fear_claim hold and
# the moves a concurred positive assessment makes (not processed for MPP; removed from MPP: S4, F3, F5).
FEAR_ASSESSMENT = "screenings.fear_assessment"

INTAKE_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
DECIDE_ROLES = frozenset({Role.CBP_SUPERVISOR})
# S1: any CBP officer or agent, or court staff, records that a person stated fear while in the U.S.
FEAR_CLAIM_OPEN_ROLES = frozenset(
    {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF}
)
# S3: the assessment takes effect when a supervisory asylum officer concurs.
FEAR_CLAIM_RELEASE_ROLES = frozenset({Role.SUPERVISORY_ASYLUM_OFFICER})
# S2/S3: asylum officers schedule, interview and assess; their supervisors may too (not their own review).
ASSESS_ROLES = frozenset({Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER})
CONCUR_ROLES = FEAR_CLAIM_RELEASE_ROLES
# F4's exception: the CBP supervisor (for the Port Director / Chief Patrol Agent) records an independent
# basis to separate one member.
SEPARATE_ROLES = frozenset({Role.CBP_SUPERVISOR})
# Who reads claims (their existence and status; the content by DETAIL_ROLES): everyone who reads cases.
CLAIM_READ_ROLES = frozenset(
    {
        *FEAR_CLAIM_OPEN_ROLES,
        *ASSESS_ROLES,
        Role.ICE_OFFICER,
    }
)

FEAR_CLAIM = HoldKind(
    code="fear_claim",
    label="Fear claim pending (USCIS assessment)",
    rule="S1",
    owner="screenings",
    open_roles=FEAR_CLAIM_OPEN_ROLES,
    release_roles=FEAR_CLAIM_RELEASE_ROLES,
    # S1/S4: no amenability decision or enrolment of the claimant, and no return, until concurred.
    blocks_own=frozenset({S.AMENABLE, S.NOT_AMENABLE, S.ENROLLED, S.IN_MEXICO}),
    own_code="fear_claim_pending",
    own_explanation=(
        "{name} stated a fear of return to Mexico (since {since} at {where}) and was referred to USCIS; "
        "no amenability decision, enrolment or return to Mexico until the assessment is concurred (S1, S4)."
    ),
    # F4: nobody in the family unit is returned to Mexico while the claim is pending.
    blocks_family=frozenset({S.IN_MEXICO}),
    family_rule="F4",
    family_code="family_fear_pending",
    family_explanation=(
        "{name}, of the same family unit, has a fear claim pending (since {since} at {where}); nobody in "
        "the family is returned to Mexico until it is decided."
    ),
    outcomes=(
        ("negative", "Negative, concurred: may be returned to Mexico pending proceedings (S4)"),
        ("positive", "Positive, concurred: not returned to Mexico; removed from MPP or not amenable (S4)"),
    ),
    sensitivities=("fear",),
    released_by_where="the supervisory asylum officer's concurrence with the assessment (the fear claim page, S3)",
    workflow=FEAR_ASSESSMENT,
    opened_by_where="the “Record a fear claim” form on the case page (S1)",
    exempt_roles=SEPARATE_ROLES,
)


def register() -> None:
    where_submit = "submitting the family's screening for supervisor review (the family's screening page, A3)"
    where_decide = "the supervisor's amenability review of the family (the review queue, A3)"
    where_return = "the supervisor returning the family for re-screening (the review page, A3)"
    edge_register(
        source=S.SCREENING,
        target=S.AWAITING_REVIEW,
        roles=INTAKE_ROLES,
        owner=AMENABILITY_REVIEW,
        where=where_submit,
        event="review.submitted",
    )
    for target in (S.AMENABLE, S.NOT_AMENABLE):
        edge_register(
            source=S.AWAITING_REVIEW,
            target=target,
            roles=DECIDE_ROLES,
            owner=AMENABILITY_REVIEW,
            where=where_decide,
            event="review.decided",
        )
    edge_register(
        source=S.AWAITING_REVIEW,
        target=S.SCREENING,
        roles=DECIDE_ROLES,
        owner=AMENABILITY_REVIEW,
        where=where_return,
        event="review.returned",
    )
    hold_kind_register(FEAR_CLAIM)
    # S4/F3/F5: a concurred positive assessment — not processed for MPP (amenable → not amenable), or
    # removed from MPP — made only by the concurrence, for the whole family in one transaction.
    where_fear = "the supervisory asylum officer's concurrence with a positive fear assessment (S4, F3, F5)"
    edge_register(
        source=S.AMENABLE,
        target=S.NOT_AMENABLE,
        roles=CONCUR_ROLES,
        owner=FEAR_ASSESSMENT,
        where=where_fear,
        event="fear.not_processed",
    )
    for source in (S.ENROLLED, S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REOPENED):
        edge_register(
            source=source,
            target=S.REMOVED_FROM_MPP,
            roles=CONCUR_ROLES,
            owner=FEAR_ASSESSMENT,
            where=where_fear,
            event="fear.removed_from_mpp",
        )
    for code, label in (
        ("screening.facts_saved", "Screening facts updated"),
        ("review.submitted", "Screening submitted for supervisor review"),
        ("review.decided", "Amenability decided by the supervisor"),
        ("review.returned", "Returned to the officer for re-screening"),
        ("fear.claim_recorded", "Fear of return to Mexico stated; referred to USCIS (S1)"),
        ("fear.interview_scheduled", "USCIS assessment interview scheduled (S2)"),
        ("fear.assessed", "Fear assessment submitted for supervisory review (S3)"),
        ("fear.assessment_returned", "Fear assessment returned for correction (S3)"),
        ("fear.concurred", "Fear assessment concurred: in effect (S3, S4)"),
        ("fear.family_effect", "A family member's fear assessment took effect (F3, F5)"),
        ("fear.not_processed", "Not processed for MPP: fear assessment (S4)"),
        ("fear.removed_from_mpp", "Removed from MPP: fear assessment (S4, F3, F5)"),
    ):
        event_type_register(code, label, owner="screenings")
