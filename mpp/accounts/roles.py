"""The roles of the system. Each is a Django group with exactly this name, created by a migration.

Administrators assign roles by adding users to groups. Code refers to roles only through ``Role``.
"""

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
