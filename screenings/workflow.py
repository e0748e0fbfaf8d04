"""What the screenings app owns in the case core (cases.registry): the amenability review's moves, the
fear-claim hold, and its case event types. Registered once, from ``ScreeningsConfig.ready()``."""

from __future__ import annotations

from cases.models import CaseStatus as S
from cases.registry import HoldKind, edge_register, event_type_register, hold_kind_register
from mpp.accounts.roles import Role

AMENABILITY_REVIEW = "screenings.amenability_review"

INTAKE_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
DECIDE_ROLES = frozenset({Role.CBP_SUPERVISOR})
# S1: any CBP officer or agent, or court staff, records that a person stated fear while in the U.S.
FEAR_CLAIM_OPEN_ROLES = frozenset(
    {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.COURT_STAFF}
)
# S3: the assessment takes effect when a supervisory asylum officer concurs.
FEAR_CLAIM_RELEASE_ROLES = frozenset({Role.SUPERVISORY_ASYLUM_OFFICER})

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
    released_by_where="the case page, by a supervisory asylum officer recording the concurred assessment",
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
    for code, label in (
        ("screening.facts_saved", "Screening facts updated"),
        ("review.submitted", "Screening submitted for supervisor review"),
        ("review.decided", "Amenability decided by the supervisor"),
        ("review.returned", "Returned to the officer for re-screening"),
    ):
        event_type_register(code, label, owner="screenings")
