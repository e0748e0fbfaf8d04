"""What the hearings app owns in the case core (cases.registry): serving the NTA moves a case to enrolled
(N1), and the hearings app's case event types. Registered once, from ``HearingsConfig.ready()``."""

from __future__ import annotations

from cases.models import CaseStatus as S
from cases.registry import edge_register, event_type_register
from cases.services import ERO_HANDOFF_WORKFLOW
from cases.services import ERO_ROLES as CASES_ERO_ROLES
from mpp.accounts.roles import Role

NTA_SERVICE = "hearings.nta_service"
# H1: hearing day at the reporting port: check-in moves the case into the U.S. for the hearing; the return
# to Mexico when processing ends (or after the NTA is served) moves it back. CBP at the port.
HEARING_DAY = "hearings.hearing_day"
# H4/H5: what the immigration judge decided completes the case; court staff record it.
COMPLETION = "hearings.completion"
# H5: a motion to reopen granted, or a BIA remand, puts a completed case back on the docket.
REOPENING = "hearings.reopening"
# H4: a final order of removal: the person is handed over to ICE ERO (cases owns the hand-off record, and
# names this owner when it records one).
ERO_HANDOFF = ERO_HANDOFF_WORKFLOW

# N1: the CBP officer or agent who processed the family serves the NTA and books the initial hearing.
SERVE_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
# EOIR: court staff publish docket time, confirm NTA filing, reschedule and continue hearings (H2).
COURT_ROLES = frozenset({Role.COURT_STAFF})
# N1/N5: print staff print the tear sheets at their duty locations.
PRINT_ROLES = frozenset({Role.PRINT_STAFF})
# N6: an EOIR-33 reaches the court, or is handed to an officer at the port.
ADDRESS_ROLES = frozenset({Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
# H1: the officers at the reporting port who check people in, transport and return them.
PORT_ROLES = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR})
# H4: who records the hand-off to ICE ERO (CBP where the person is, or ICE taking custody): one set, the
# hand-off service's (cases.services.ERO_ROLES).
ERO_ROLES = CASES_ERO_ROLES
# O1/O2: who records observers' and the press's requests at a hearing facility, and decides them.
OBSERVER_ROLES = frozenset({Role.COURT_STAFF, Role.CBP_SUPERVISOR})
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
    # Step 8: hearing day (H1), in court (H2–H5), F6.
    ("hearing_day.checked_in", "Checked in at the port for a hearing (H1)"),
    ("hearing_day.transported", "Transported to the court or hearing facility (H1)"),
    ("hearing_day.attended", "Attended the hearing"),
    ("hearing_day.failed_to_appear", "Failed to appear at the hearing"),
    ("hearing_day.returned", "Returned to Mexico (H1)"),
    ("hearing_day.overnight_in", "Held overnight in CBP custody (H1)"),
    ("hearing_day.overnight_out", "Released from overnight CBP custody (H1)"),
    ("hearing.scheduled", "Hearing scheduled"),
    ("hearing.held", "Hearing held"),
    ("hearing.closed_to_public", "Hearing closed to the public (O1)"),
    ("hearing.opened_to_public", "Hearing open to the public again (O1)"),
    ("representation.recorded", "Counsel of record entered (EOIR-28, H3)"),
    ("representation.ended", "Counsel of record withdrew or was substituted (H3)"),
    ("completion.recorded", "Immigration judge's decision recorded"),
    ("completion.appeal", "Appeal to the BIA recorded"),
    ("case.reopened", "Case reopened (motion to reopen or remand, H5)"),
    ("ero.handoff_due", "Final order of removal: hand-off to ICE ERO due (H4)"),
    ("ero.handed_off", "Handed over to ICE ERO (H4)"),
    ("ero.handoff_cancelled", "ERO hand-off cancelled: the order was reopened"),
)

S_COMPLETIONS = (S.COMPLETED_RELIEF, S.COMPLETED_REMOVAL_ORDER, S.COMPLETED_OTHER)


def register() -> None:
    edge_register(
        source=S.AMENABLE,
        target=S.ENROLLED,
        roles=SERVE_ROLES,
        owner=NTA_SERVICE,
        where="serving the family's Notice to Appear and booking the initial hearing (the family's NTA page, N1)",
        event="nta.served",
    )
    # H1: check-in at the reporting port (the arrivals list or a scan of the tear sheet).
    for source in (S.IN_MEXICO, S.REOPENED):
        edge_register(
            source=source,
            target=S.IN_US_FOR_HEARING,
            roles=PORT_ROLES,
            owner=HEARING_DAY,
            where="checking the person in at the reporting port (the port's expected arrivals, H1)",
            event="hearing_day.checked_in",
        )
    # H1/N1: returned to Mexico after the NTA is served, or when hearing-day processing ends.
    for source in (S.ENROLLED, S.IN_US_FOR_HEARING, S.REOPENED):
        edge_register(
            source=source,
            target=S.IN_MEXICO,
            roles=PORT_ROLES,
            owner=HEARING_DAY,
            where="recording the return to Mexico at the port (the case's hearing day, H1)",
            event="hearing_day.returned",
        )
    # H4/H5: the immigration judge's decision.
    for source in (S.IN_MEXICO, S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, S.REOPENED):
        for done in S_COMPLETIONS:
            edge_register(
                source=source,
                target=done,
                roles=COURT_ROLES,
                owner=COMPLETION,
                where="recording the immigration judge's decision (the court's docket or the case's hearings)",
                event="completion.recorded",
            )
    # H5: a motion to reopen granted, or a remand.
    for source in (*S_COMPLETIONS, S.HANDED_TO_ICE):
        edge_register(
            source=source,
            target=S.REOPENED,
            roles=COURT_ROLES,
            owner=REOPENING,
            where="recording a motion to reopen granted or a BIA remand (the case's hearings, H5)",
            event="case.reopened",
        )
    # H4: the hand-off to ICE ERO on a final order of removal.
    edge_register(
        source=S.COMPLETED_REMOVAL_ORDER,
        target=S.HANDED_TO_ICE,
        roles=ERO_ROLES,
        owner=ERO_HANDOFF,
        where="recording the hand-off to ICE ERO (the ICE queue or the case's hearings, H4)",
        event="ero.handed_off",
    )
    for code, label in EVENT_TYPES:
        event_type_register(code, label, owner="hearings")
