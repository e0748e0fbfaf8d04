"""What the hearings app owns in the case core (cases.registry): serving the NTA moves a case to enrolled
(N1), and the hearings app's case event types. Registered once, from ``HearingsConfig.ready()``."""

from __future__ import annotations

from cases.models import CaseStatus as S
from cases.registry import edge_register, event_type_register
from mpp.accounts.roles import Role

NTA_SERVICE = "hearings.nta_service"

# N1: the CBP officer or agent who processed the family serves the NTA and books the initial hearing.
SERVE_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
# EOIR: court staff publish docket time, confirm NTA filing, reschedule and continue hearings (H2).
COURT_ROLES = frozenset({Role.COURT_STAFF})
# N1/N5: print staff print the tear sheets at their duty locations.
PRINT_ROLES = frozenset({Role.PRINT_STAFF})
# N6: an EOIR-33 reaches the court, or is handed to an officer at the port.
ADDRESS_ROLES = frozenset({Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
# Who reads slots, hearings, NTAs and tear sheets (besides the roles above): supervisors follow their
# location's cases; ICE and USCIS read a person's hearings when they act on the case.
READ_ROLES = frozenset(
    {
        *SERVE_ROLES,
        *COURT_ROLES,
        *PRINT_ROLES,
        Role.CBP_SUPERVISOR,
        Role.ICE_OFFICER,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
    }
)

EVENT_TYPES = (
    ("nta.served", "NTA served; initial hearing booked"),
    ("nta.filed", "NTA filed with the immigration court"),
    ("hearing.rescheduled", "Hearing rescheduled"),
    ("hearing.continued", "Hearing continued to a later date"),
    ("tear_sheet.issued", "Tear sheet issued"),
    ("tear_sheet.reissued", "Tear sheet reissued; the earlier version is superseded"),
    ("tear_sheet.printed", "Tear sheet printed"),
    ("tear_sheet.reprinted", "Tear sheet reprinted"),
    ("address.changed", "Change of address in Mexico recorded (EOIR-33)"),
)


def register() -> None:
    edge_register(
        source=S.AMENABLE,
        target=S.ENROLLED,
        roles=SERVE_ROLES,
        owner=NTA_SERVICE,
        where="serving the family's Notice to Appear and booking the initial hearing (the family's NTA page, N1)",
        event="nta.served",
    )
    for code, label in EVENT_TYPES:
        event_type_register(code, label, owner="hearings")
