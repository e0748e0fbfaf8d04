"""Which roles may move a case into which status (deny by default), and who is told when it happens."""

from __future__ import annotations

from cases.models import CaseStatus as S
from mpp.accounts.roles import Role

_CBP_FIELD = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR})

# Moves that only a workflow makes, never the generic status change: the workflow records what the move
# rests on (the screening facts, the frozen proposal, the supervisor's decision with separation of duties
# and a single-decision lock). Status → where that happens, for the refusal message.
WORKFLOW_OWNED: dict[str, str] = {
    S.AWAITING_REVIEW: "submitting the family's screening for supervisor review (A3)",
    S.AMENABLE: "the supervisor's amenability review of the family (A3)",
    S.NOT_AMENABLE: "the supervisor's amenability review of the family (A3)",
    S.SCREENING: "the supervisor returning the family to the officer from the amenability review (A3)",
}

# S3/S4: where a case goes after a fear claim is the outcome of the USCIS assessment, which a supervisory
# asylum officer reviews before it takes effect (negative: back to where the case stood, or on to Mexico;
# positive: removed from MPP, or not amenable before enrolment, F3/F5). Until the fear-assessment
# workflow of a later step records the assessment itself, that role makes the move, with the outcome as
# its reason — and no other role moves a case out of a pending fear claim.
FEAR_OUTCOME_ROLES = frozenset({Role.SUPERVISORY_ASYLUM_OFFICER})

# Target status → roles that may request that move through the generic transition endpoint and page.
# Moves tied to a decision a later step's workflow will own (fear assessment, hearing outcomes) are still
# reachable here for now, each limited to the role that owns that decision.
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    S.ENROLLED: _CBP_FIELD,
    S.IN_MEXICO: _CBP_FIELD,
    S.IN_US_FOR_HEARING: _CBP_FIELD,
    S.FEAR_CLAIM_PENDING: _CBP_FIELD,  # S1: CBP refers the claim to USCIS
    S.REMOVED_FROM_MPP: frozenset({Role.CBP_SUPERVISOR, Role.SUPERVISORY_ASYLUM_OFFICER}),
    S.COMPLETED_RELIEF: frozenset({Role.COURT_STAFF}),
    S.COMPLETED_REMOVAL_ORDER: frozenset({Role.COURT_STAFF}),
    S.COMPLETED_OTHER: frozenset({Role.COURT_STAFF}),
    S.REOPENED: frozenset({Role.COURT_STAFF}),
    S.HANDED_TO_ICE: frozenset({Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.ICE_OFFICER}),  # H4
}


def workflow_owner(current: str, target: str) -> str | None:
    """Where a workflow makes this move (for the refusal message), or None if a user may ask for it."""
    if current == S.FEAR_CLAIM_PENDING and target != current:
        return None
    return WORKFLOW_OWNED.get(target)


def roles_for_move(current: str, target: str) -> frozenset[str]:
    """The roles that may ask for ``current`` → ``target`` through the generic status change (deny by
    default; the transition table is checked separately). Repeating a move that already happened (a double
    submit) is judged as that move was."""
    if current == S.FEAR_CLAIM_PENDING and target != current:
        return FEAR_OUTCOME_ROLES
    if target in WORKFLOW_OWNED:
        return frozenset()
    return TRANSITION_ROLES.get(target, frozenset())


# Target status → (roles to tell, whether only those at the case's location, message template).
NOTIFY_ON: dict[str, tuple[frozenset[str], bool, str]] = {
    S.AWAITING_REVIEW: (frozenset({Role.CBP_SUPERVISOR}), True, "{case} is waiting for amenability review."),
    S.FEAR_CLAIM_PENDING: (
        frozenset({Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER}),
        False,
        "{case}: fear of return to Mexico stated; an MPP assessment interview is needed.",
    ),
    S.COMPLETED_REMOVAL_ORDER: (
        frozenset({Role.ICE_OFFICER}),
        False,
        "{case}: final order of removal; hand-off to ICE ERO due.",
    ),
    S.HANDED_TO_ICE: (frozenset({Role.ICE_OFFICER}), False, "{case} was handed over to ICE ERO."),
}
