"""The roles of the system. Each is a Django group with exactly this name, created by a migration.

Administrators assign roles by adding users to groups. Code refers to roles only through ``Role``.
"""

from collections.abc import Iterable

from django.db import models


class Role(models.TextChoices):
    CBP_OFFICER = "cbp_officer", "CBP officer (port of entry)"
    BORDER_PATROL_AGENT = "border_patrol_agent", "Border Patrol agent"
    CBP_SUPERVISOR = "cbp_supervisor", "CBP supervisor (for the Port Director / Chief Patrol Agent)"
    ASYLUM_OFFICER = "asylum_officer", "USCIS asylum officer"
    SUPERVISORY_ASYLUM_OFFICER = "supervisory_asylum_officer", "USCIS supervisory asylum officer"
    COURT_STAFF = "court_staff", "Immigration court staff"
    ICE_OFFICER = "ice_officer", "ICE officer"
    PRINT_STAFF = "print_staff", "Print staff"
    ANALYST = "analyst", "Analyst (read-only reports)"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles whose work is tied to the place they are posted: they see the cases encountered at their duty
# locations only. The others work nationally (courts, USCIS, ICE) or see no case data at all (analysts).
LOCATION_SCOPED_ROLES = frozenset(
    {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR, Role.PRINT_STAFF}
)
# Roles that never see personal case data; analysts read aggregate metrics only.
NO_CASE_ACCESS_ROLES = frozenset({Role.ANALYST})
# Restricted content (field-level privacy): which roles may read what a record says about a person's health
# or their fear of return, beyond the fact that such a record exists. Keys are the content kinds that case
# events and pages mark (cases.models.Sensitivity).
# - medical: the CBP officers and agents who record the A4/A5 screening and the supervisor who decides it.
# - fear: USCIS, who assess the claim (S1-S3), and the CBP supervisor, who decides amenability knowing the
#   referral and must not enrol or return a claimant (S4, F4). The officer who records a claim sees that it
#   exists and its status, not the account.
DETAIL_ROLES: dict[str, frozenset[str]] = {
    "medical": frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR}),
    "fear": frozenset({Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER, Role.CBP_SUPERVISOR}),
    # - interview: what the MPP assessment interview records — the person's account, medical details
    #   disclosed to the asylum officer, the officer's analysis (S2, S3). USCIS only: the CBP supervisor
    #   needs the claim, its status, outcome and grounds to decide amenability and F4's exception, not the
    #   account itself.
    "interview": frozenset({Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER}),
}


def roles_in_words(roles: Iterable[str]) -> str:
    """The roles a refusal names, in words: "CBP officer (port of entry), Border Patrol agent"."""
    return ", ".join(sorted(str(Role(role).label) for role in roles)) or "nobody"
