"""``manage.py seed_demo``: demo users, one per role, and about fifty realistic cases with real timelines.

Safe to run again: existing users keep their passwords (``--reset-passwords`` sets and prints a new one)
and the cases are created only once. Every case is walked through ``cases.services`` — registration,
family unit, encounter, opening, then each status move through the transition table — by the user who
would do it in real life, with a reason, so every case page shows a genuine history. The people, A-numbers
and dates are made up; the randomness is seeded, so every run of the seed tells the same story (dates are
relative to the day it runs).

Hearings (step 6): the court's docket time for the next three weeks at every hearing location, a
fictional pro bono list per court, and for everyone whose story reaches "enrolled" the NTA served through
``hearings.services.nta_serve_family`` (initial hearing, address in Mexico, tear sheet v1), filed by court
staff unless the family was served only days ago. Steps that happened weeks or months ago run "as of" the
story's day (``_as_of``), so the services' own checks (no booking into a slot that has begun, no docket
time on a past day) hold as they did then. Packets of people already returned to Mexico were printed; the
newly served families' packets wait in the print queue at San Ysidro and Laredo; one family's hearing is
rescheduled, and the outbox relay runs in-process so its new tear sheet is issued and the old one
superseded (N5).

Fear claims (step 7) go through ``screenings.fear_services`` too: a claim pending at San Ysidro (the
family waits, F4), one with its interview scheduled, one assessed by the demo asylum officer and waiting for
the demo supervisory asylum officer's review, one concurred negative (the person was then returned to
Mexico) and one concurred positive, which removed a family of three from MPP and put them on ICE's
custody queue (S4, F5). The demo asylum officers are posted at both asylum offices; the demo ICE officer at
every place a demo case is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import secrets
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Field
from django.utils import timezone

from cases.models import (
    OPEN_REFERRAL,
    Alien,
    Case,
    CaseEvent,
    CaseStatus,
    CustodyReferral,
    Encounter,
    EroHandoff,
    Language,
)
from cases.services import (
    MemberSpec,
    alien_create,
    case_open,
    encounter_create,
    ero_handoff_record,
    family_unit_create,
)
from hearings.court_services import (
    appeal_record,
    completion_record,
    failure_to_appear,
    hearing_held,
    hearing_schedule,
    reopening_record,
    representation_record,
)
from hearings.day_services import check_in, overnight_in, overnight_out, return_to_mexico, transported
from hearings.models import (
    Completion,
    Hearing,
    HearingAttendance,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    ObserverRequest,
    ProBonoProvider,
    Reopening,
    Representation,
    TearSheet,
)
from hearings.observer_services import (
    hearing_close_to_public,
    observer_request_decide,
    observer_request_record,
)
from hearings.services import (
    INLINE_BATCH_MAX,
    AddressInput,
    address_change_record,
    hearings_move,
    nta_file,
    nta_serve_family,
    print_batch_build,
    print_batch_create,
    print_batch_mark_printed,
    slots_publish,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.audit.services import history_stamp
from mpp.outbox.services import outbox_relay
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import AmenabilityReview, FearAssessment, FearClaim
from screenings.services import amenability_decide, family_submit_for_review, screening_facts_save

SEED = 2019  # the year MPP began

# ── People who use the system ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    first_name: str
    last_name: str
    locations: tuple[str, ...] = ()


# S1-S3: the USCIS asylum offices (accounts migration 0007): Los Angeles serves California and Arizona,
# Houston serves Texas. An asylum officer works the claims of the offices they are posted at.
ASYLUM_OFFICES = ("lax-zla", "hou-zhn")
# Every place a demo case is: ICE officers are told there of the custody determinations due (S4).
CASE_SITES = ("sys-poe", "lrd-poe", "cxl-poe", "elp-poe", "bro-poe", "cv-bps", "elp-bps")

# One login per role. The CBP officer, supervisor and print staff work at San Ysidro and Laredo, so the
# officer's pages show some cases and not others (cases are scoped to duty locations). The asylum officer
# and their supervisor are posted at both asylum offices (their queues and claim pages are the office's),
# the ICE officer at every place a demo case is.
DEMO_ACCOUNTS = (
    Account("demo_cbp_officer", Role.CBP_OFFICER, "Marisol", "Treviño", ("sys-poe", "lrd-poe")),
    Account("demo_border_patrol_agent", Role.BORDER_PATROL_AGENT, "Kyle", "Brennan", ("cv-bps",)),
    Account("demo_cbp_supervisor", Role.CBP_SUPERVISOR, "Patricia", "Olvera", ("sys-poe", "lrd-poe")),
    Account("demo_asylum_officer", Role.ASYLUM_OFFICER, "Nadia", "Haddad", ASYLUM_OFFICES),
    Account(
        "demo_supervisory_asylum_officer",
        Role.SUPERVISORY_ASYLUM_OFFICER,
        "Thomas",
        "Whitfield",
        ASYLUM_OFFICES,
    ),
    Account("demo_court_staff", Role.COURT_STAFF, "Angela", "Ruiz"),
    Account("demo_ice_officer", Role.ICE_OFFICER, "Marcus", "Bell", CASE_SITES),
    Account("demo_print_staff", Role.PRINT_STAFF, "Lena", "Kowalski", ("sys-poe", "lrd-poe")),
    Account("demo_analyst", Role.ANALYST, "Priya", "Raman"),
    Account("demo_admin", Role.ADMINISTRATOR, "Jordan", "Lee"),
)

# Colleagues at the other ports and stations. They act in the seeded histories (a case at El Paso is
# processed by an officer posted at El Paso) but cannot log in: they have no usable password.
COLLEAGUE_ACCOUNTS = (
    Account("hvillarreal", Role.CBP_OFFICER, "Héctor", "Villarreal", ("cxl-poe",)),
    Account("dmoreno", Role.CBP_SUPERVISOR, "Diane", "Moreno", ("cxl-poe",)),
    Account("lcarrasco", Role.CBP_OFFICER, "Luis", "Carrasco", ("elp-poe",)),
    Account("kwhitaker", Role.CBP_SUPERVISOR, "Karen", "Whitaker", ("elp-poe",)),
    Account("ocantu", Role.CBP_OFFICER, "Óscar", "Cantú", ("bro-poe",)),
    Account("igarza", Role.CBP_SUPERVISOR, "Irma", "Garza", ("bro-poe",)),
    Account("anavarro", Role.CBP_SUPERVISOR, "Alicia", "Navarro", ("cv-bps",)),
    Account("jdominguez", Role.BORDER_PATROL_AGENT, "Jesse", "Domínguez", ("elp-bps",)),
    Account("bkessler", Role.CBP_SUPERVISOR, "Brian", "Kessler", ("elp-bps",)),
    # Hearing-day officers at a port who also process the people a Border Patrol station sent there: cases
    # are scoped to the encounter's location (case_move checks it), and hearing-day scoping by reporting
    # port is step 8's.
    Account("rsalinas", Role.CBP_OFFICER, "Rosa", "Salinas", ("sys-poe", "cv-bps")),
    Account("mortega", Role.CBP_OFFICER, "Miguel", "Ortega", ("elp-poe", "elp-bps")),
)

# Encounter site → the officer at its reporting port on hearing day, where that is not the site's own.
HEARING_DAY_OFFICER = {"cv-bps": "rsalinas", "elp-bps": "mortega"}

# Encounter site → (who processes, who reviews amenability).
SITE_STAFF = {
    "sys-poe": ("demo_cbp_officer", "demo_cbp_supervisor"),
    "lrd-poe": ("demo_cbp_officer", "demo_cbp_supervisor"),
    "cxl-poe": ("hvillarreal", "dmoreno"),
    "elp-poe": ("lcarrasco", "kwhitaker"),
    "bro-poe": ("ocantu", "igarza"),
    "cv-bps": ("demo_border_patrol_agent", "anavarro"),
    "elp-bps": ("jdominguez", "bkessler"),
}

# Encounter site → (hearing location, Mexican city of return). The person reports for hearings at the
# hearing location's reporting port (hearings.HearingLocation.reporting_port).
HEARING_ROUTE = {
    "sys-poe": ("sdg-ic-mpp", "Tijuana"),
    "cv-bps": ("sdg-ic-mpp", "Tijuana"),
    "cxl-poe": ("imp-ic-mpp", "Mexicali"),
    "elp-poe": ("elp-ic-mpp", "Ciudad Juárez"),
    "elp-bps": ("elp-ic-mpp", "Ciudad Juárez"),
    "lrd-poe": ("lrd-ihf", "Nuevo Laredo"),
    "bro-poe": ("bro-ihf", "Matamoros"),
}

# ── The people processed ───────────────────────────────────────────────────────────────────────────────

COUNTRY_NAMES = {
    "HN": "Honduran",
    "GT": "Guatemalan",
    "SV": "Salvadoran",
    "CU": "Cuban",
    "VE": "Venezuelan",
    "NI": "Nicaraguan",
    "BR": "Brazilian",
    "EC": "Ecuadorian",
    "HT": "Haitian",
    "MX": "Mexican",
}

_SPANISH_GIVEN = {
    "F": [
        "María José",
        "Ana Lucía",
        "Karla",
        "Yesenia",
        "Dania",
        "Marisela",
        "Glenda",
        "Sofía",
        "Daniela",
        "Rosa Elena",
        "Keila",
        "Fátima",
        "Lesly",
        "Wendy",
        "Yolanda",
        "Génesis",
        "Alejandra",
        "Nohemí",
    ],
    "M": [
        "José Luis",
        "Juan Carlos",
        "Wilmer",
        "Josué",
        "Óscar",
        "Kevin",
        "Edwin",
        "Jairo",
        "Luis Fernando",
        "Ángel",
        "Mario",
        "Brayan",
        "Erick",
        "Nelson",
        "Yeison",
        "Santiago",
        "Cristian",
        "Dennis",
    ],
}
_SPANISH_FAMILY = {
    "HN": ["Hernández", "Mejía", "Zelaya", "Reyes", "Banegas", "Funes", "Martínez", "Lagos", "Cálix", "Paz"],
    "GT": ["López", "Pérez", "García", "Ajanel", "Tzoc", "Xol", "Chávez", "Coyoy", "Morales", "Tzul"],
    "SV": ["Rivera", "Orellana", "Flores", "Alvarado", "Henríquez", "Guardado", "Portillo", "Menjívar"],
    "CU": ["Rodríguez", "González", "Fernández", "Cabrera", "Valdés", "Sosa", "Peña", "Quintana"],
    "VE": ["Rojas", "Pérez", "Salazar", "Márquez", "Medina", "Castillo", "Guzmán", "Briceño", "Urdaneta"],
    "NI": ["Espinoza", "Duarte", "Obando", "Castro", "Aráuz", "Somarriba", "Téllez", "Lacayo"],
    "EC": ["Quishpe", "Guamán", "Vera", "Andrade", "Chiluisa", "Zambrano", "Cedeño", "Tenesaca"],
    "MX": ["Ramírez", "Gutiérrez", "Sánchez", "Hernández", "Luna", "Estrada"],
}
_PORTUGUESE_GIVEN = {
    "F": ["Ana Clara", "Juliana", "Fernanda", "Larissa", "Beatriz", "Camila", "Luana"],
    "M": ["João Pedro", "Rafael", "Gustavo", "Thiago", "Lucas", "Mateus", "Felipe"],
}
_PORTUGUESE_FAMILY = ["Silva", "Santos", "Oliveira", "Souza", "Ferreira", "Almeida", "Costa", "Carvalho"]
_CREOLE_GIVEN = {
    "F": ["Nadège", "Mirlande", "Wideline", "Roseline", "Fabienne", "Darline", "Guerline"],
    "M": ["Jean-Robert", "Wilner", "Frantz", "Jocelyn", "Ricardo", "Evens", "Peterson"],
}
_CREOLE_FAMILY = ["Jean-Baptiste", "Pierre", "Joseph", "Saint-Fleur", "Dorvil", "Charles", "Louis", "Exantus"]


def _name_pools(country: str) -> tuple[dict[str, list[str]], list[str]]:
    if country == "BR":
        return _PORTUGUESE_GIVEN, _PORTUGUESE_FAMILY
    if country == "HT":
        return _CREOLE_GIVEN, _CREOLE_FAMILY
    return _SPANISH_GIVEN, _SPANISH_FAMILY[country]


DEFAULT_LANGUAGE = {"BR": "pt", "HT": "ht"}  # everyone else: Spanish

# ── How a case travels: named paths through the transition table ────────────────────────────────────────
# Each step is (target status, who moves it, what they wrote). Actor keys: officer / supervisor at the
# encounter site, port_officer at the port where the person reports for hearings, court, ice,
# asylum_officer, sao (supervisory asylum officer). Reasons are templates filled from the case (see _Story).

_SCREENED = ("awaiting_review", "officer", "screened")
# Steps of the fear workflow (screenings.fear_services) instead of a move: the claim (S1, its hold: the case
# stays where it is), the interview and the assessment (S2, S3) and the supervisory concurrence (S3), which
# releases the hold and, when positive, moves the whole family itself (S4, F3, F5).
_CLAIM = "fear:claim"
_SCHEDULE = "fear:schedule"
_ASSESS = "fear:assess"
_CONCUR = "fear:concur"
_CLAIM_AT_SITE = (_CLAIM, "officer", "fear_stated")
_CLAIM_AT_HEARING = (_CLAIM, "port_officer", "fear_stated_at_hearing")
_INTERVIEW = (_SCHEDULE, "asylum_officer", "interview")
_AMENABLE = ("amenable", "supervisor", "amenable")
_ENROLLED = ("enrolled", "officer", "enrolled")
_RETURNED = ("in_mexico", "officer", "returned")
_REPORTED = ("in_us_for_hearing", "port_officer", "reported")
_CONTINUED = ("in_mexico", "port_officer", "continued")
# S4: the hearing was continued while the fear claim was pending; once concurred negative, returned.
_CONTINUED_AFTER_NEGATIVE = ("in_mexico", "port_officer", "returned_after_negative")
_CONTINUATIONS = (_CONTINUED, _CONTINUED_AFTER_NEGATIVE)
# Every move the story makes after the NTA is made by the workflow that owns it (there is no generic status
# change): the port's hearing day (``hearings.day_services``: check-in, return, H1), the judge's decision
# (``hearings.court_services.completion_record``, H4/H5), a reopening (``reopening_record``, H5), the
# hand-off to ICE ERO (``cases.services.ero_handoff_record``, H4). See ``_Story._hearing_step``.
_REPORTED_AGAIN = ("in_us_for_hearing", "port_officer", "reported_again")
_IN_MPP = (_SCREENED, _AMENABLE, _ENROLLED, _RETURNED)

PATHS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "screening": (),
    "awaiting_review": (_SCREENED,),
    "amenable": (_SCREENED, _AMENABLE),
    "enrolled": (_SCREENED, _AMENABLE, _ENROLLED),
    "in_mexico": _IN_MPP,
    "in_us_for_hearing": (*_IN_MPP, _REPORTED),
    "continued": (*_IN_MPP, _REPORTED, _CONTINUED),
    "relief": (
        *_IN_MPP,
        _REPORTED,
        _CONTINUED,
        _REPORTED_AGAIN,
        ("completed_relief", "court", "asylum_granted"),
    ),
    "withholding": (
        *_IN_MPP,
        _REPORTED,
        _CONTINUED,
        _REPORTED_AGAIN,
        ("completed_relief", "court", "withholding"),
    ),
    "removal_to_ice": (
        *_IN_MPP,
        _REPORTED,
        _CONTINUED,
        _REPORTED_AGAIN,
        ("completed_removal_order", "court", "removal_ordered"),
        ("handed_to_ice", "ice", "handed_to_ice"),
    ),
    "removal_ordered": (*_IN_MPP, _REPORTED, ("completed_removal_order", "court", "removal_ordered")),
    # H4: ordered removed a week ago, appeal to the BIA reserved: not final, no hand-off to ICE ERO due.
    "removal_appeal_reserved": (
        *_IN_MPP,
        _REPORTED,
        ("completed_removal_order", "court", "removal_ordered_appeal_reserved"),
    ),
    # F6: the spouse of a woman granted asylum, ordered removed at the same individual hearing; the appeal
    # to the BIA reserved (filed once weeks have passed). ICE decides custody pending all proceedings.
    "f6_removal": (
        *_IN_MPP,
        _REPORTED,
        _CONTINUED,
        _REPORTED_AGAIN,
        ("completed_removal_order", "court", "removal_ordered_appeal_reserved"),
    ),
    # H1: today's hearing at San Diego; reports at San Ysidro later today (or has already and is checked
    # in: "arrived_today", once the report time has passed when the seed runs).
    "due_today": _IN_MPP,
    "arrived_today": (*_IN_MPP, _REPORTED),
    "in_absentia": (*_IN_MPP, ("completed_removal_order", "court", "in_absentia")),
    "reopened": (
        *_IN_MPP,
        ("completed_removal_order", "court", "in_absentia"),
        ("reopened", "court", "reopened"),
    ),
    "terminated": (*_IN_MPP, _REPORTED, ("completed_other", "court", "terminated")),
    "voluntary_departure": (*_IN_MPP, _REPORTED, ("completed_other", "court", "voluntary_departure")),
    "not_amenable_health": (_SCREENED, ("not_amenable", "supervisor", "health")),
    "not_amenable_criminal": (_SCREENED, ("not_amenable", "supervisor", "criminal_history")),
    "not_amenable_mexican": (_SCREENED, ("not_amenable", "supervisor", "mexican_national")),
    # S1: a fear claim refers the person to USCIS and holds the case where it is (cases.Hold), not a status.
    "fear_pending": (_SCREENED, _AMENABLE, _CLAIM_AT_SITE),
    # F4: the rest of the family waits, amenable, while one member's claim is decided.
    "family_waits": (_SCREENED, ("amenable", "supervisor", "amenable_family_waits")),
    # S2: the asylum office has scheduled the interview.
    "fear_scheduled": (_SCREENED, _AMENABLE, _CLAIM_AT_SITE, _INTERVIEW),
    # S3: fear stated at the port before the return; interviewed and assessed positive, awaiting the
    # supervisory asylum officer (the demo SAO may concur: someone else assessed it).
    "fear_submitted": (
        _SCREENED,
        _AMENABLE,
        _ENROLLED,
        (_CLAIM, "officer", "fear_stated_before_return"),
        _INTERVIEW,
        (_ASSESS, "asylum_officer", "assessed_positive_social_group"),
    ),
    # S4: fear stated on hearing day; concurred negative, the hold is released and nobody moves by itself:
    # the hearing had been continued, and the officer returns the person to Mexico afterwards.
    "fear_negative": (
        *_IN_MPP,
        _REPORTED,
        _CLAIM_AT_HEARING,
        _INTERVIEW,
        (_ASSESS, "asylum_officer", "assessed_negative"),
        (_CONCUR, "sao", "concurred_negative"),
        _CONTINUED_AFTER_NEGATIVE,
    ),
    # S4/F5: fear stated on hearing day; concurred positive, the concurrence removes the claimant and the
    # family with him from MPP in one transaction, and refers each to ICE for a custody determination.
    "fear_positive": (
        *_IN_MPP,
        _REPORTED,
        _CLAIM_AT_HEARING,
        _INTERVIEW,
        (_ASSESS, "asylum_officer", "assessed_positive_political_opinion"),
        (_CONCUR, "sao", "concurred_positive"),
    ),
    # F5: the family of a claimant concurred positive: removed from MPP by that concurrence, not a step here.
    "removed_with_family": (*_IN_MPP, _REPORTED),
}

# When a story's fear claim was stated (the later steps follow it by days; the rest happen today): on
# hearing day at the reporting port, after the morning docket; or at the port a few hours after the NTA was
# served, before the return to Mexico. Stories not named here record their claim now.
FEAR_STATED_ON = {
    "fear_negative": "hearing_day",
    "fear_positive": "hearing_day",
    "fear_submitted": "after_serving",
}
# After the claim: the interview is scheduled the next morning for two days later; the assessment is
# submitted that afternoon; the supervisory asylum officer concurs the day after.
FEAR_SCHEDULED_AFTER = dt.timedelta(hours=20)
FEAR_INTERVIEW_AFTER = dt.timedelta(days=2)
FEAR_ASSESSED_AFTER = dt.timedelta(days=2, hours=3)
FEAR_CONCURRED_AFTER = dt.timedelta(days=3)
# The first hearing of a story whose claim was stated on hearing day is at least this long ago, so the
# interview, the assessment and the concurrence are all behind.
HEARD_BEFORE_FEAR = {"fear_negative", "removed_with_family"}
FEAR_STORY_DAYS = dt.timedelta(days=7)


@dataclass(frozen=True)
class Interview:
    """What the demo asylum officer records of an MPP assessment interview (S2, S3); the account and the
    analysis are restricted (``interview``). ``{city}`` is the city of return."""

    determination: str
    account: str
    reason: str
    grounds: tuple[str, ...] = ()
    counsel: str = ""  # S2: retained counsel who took part by telephone


INTERVIEW = {
    "assessed_positive_social_group": Interview(
        determination=FearAssessment.Determination.POSITIVE,
        grounds=(FearAssessment.Ground.SOCIAL_GROUP,),
        account="Lived with her former partner, a member of a gang active on both sides of the border, for "
        "six years; left after he broke her arm. His associates found her in {city} in the shelter where she "
        "waited and told her they would take her son.",
        reason="Credible, detailed and consistent account. More likely than not to be persecuted in {city} "
        "on account of membership in a particular social group (women unable to leave a domestic "
        "relationship); the gang operates where she would be returned and the police did not act on her "
        "complaint (S3).",
    ),
    "assessed_positive_political_opinion": Interview(
        determination=FearAssessment.Determination.POSITIVE,
        grounds=(FearAssessment.Ground.POLITICAL_OPINION,),
        account="Organised a neighbourhood association in {city} that denounced the group extorting the "
        "shops; two members were killed in March. He was beaten and told he was next; the group's men watch "
        "the shelter near the bridge.",
        reason="Credible; corroborated by the news reports he carried. More likely than not to be persecuted "
        "in Mexico on account of his political opinion, imputed by the group that controls the area he would "
        "be returned to (S3).",
        counsel="Frontera Legal Aid Project (demo)",
    ),
    "assessed_negative": Interview(
        determination=FearAssessment.Determination.NEGATIVE,
        account="Was robbed by two men at a bus station in {city} on the way to the port; does not know who "
        "they were and has not been threatened since.",
        reason="A single act of crime by unknown persons, not connected to a protected ground; no showing "
        "that he is more likely than not to be persecuted or tortured if returned to Mexico (S3).",
    ),
}

# How long ago the encounter was, in days, by path: the further along, the older the case.
AGE_IN_DAYS = {
    "screening": (0, 1),
    "awaiting_review": (1, 2),
    "amenable": (1, 3),
    "family_waits": (2, 4),
    "fear_scheduled": (1, 3),
    "fear_submitted": (3, 5),
    "enrolled": (2, 4),
    "not_amenable_health": (1, 10),
    "not_amenable_criminal": (1, 10),
    "not_amenable_mexican": (5, 20),
    "in_mexico": (8, 30),
    "fear_negative": (55, 70),
    "in_us_for_hearing": (45, 55),
    "continued": (50, 70),
    "in_absentia": (60, 90),
    "removed_with_family": (60, 90),
    "removal_ordered": (60, 90),
    "removal_appeal_reserved": (45, 55),
    "due_today": (40, 55),
    "arrived_today": (40, 55),
    "terminated": (60, 90),
    "voluntary_departure": (60, 90),
    "relief": (120, 200),
    "withholding": (120, 200),
    "removal_to_ice": (120, 200),
    "reopened": (150, 250),
}


@dataclass(frozen=True)
class Person:
    relationship: str
    sex: str
    age: int
    country: str | None = None  # defaults to the family's
    path: str | None = None  # defaults to the family's
    language: str | None = None  # defaults by country


@dataclass(frozen=True)
class Family:
    country: str
    site: str
    path: str
    people: tuple[Person, ...]
    rescheduled: bool = False  # H2/N5: court staff move the family's next hearing after its packets printed
    address_change: bool = False  # N6: the head sends an EOIR-33 from Mexico
    hearing_at: dt.time | None = None  # the first hearing's time (local); STORY_TIME by default
    counsel: bool = False  # H3: an attorney files an EOIR-28 for every member
    observers: str = ""  # O1/O2: "public" (granted) or "press_closed" (the hearing closed, press refused)


def _single(country: str, site: str, path: str, sex: str, age: int, **kw: str) -> Family:
    return Family(country, site, path, (Person("head", sex, age, **kw),))


HEAD, CHILD, SPOUSE, SIBLING = "head", "child", "spouse", "sibling"

FAMILIES: tuple[Family, ...] = (
    Family(
        "HN",
        "sys-poe",
        "in_mexico",
        (Person(HEAD, "F", 31), Person(CHILD, "M", 9), Person(CHILD, "F", 5)),
        rescheduled=True,
    ),
    Family(
        "GT",
        "lrd-poe",
        "relief",
        (Person(HEAD, "M", 38, language="quc"), Person(CHILD, "M", 14, language="quc")),
        counsel=True,
    ),
    _single("SV", "sys-poe", "awaiting_review", "M", 27),
    _single("CU", "lrd-poe", "in_us_for_hearing", "F", 42),
    Family(
        "VE", "elp-poe", "continued", (Person(HEAD, "M", 35), Person(SPOUSE, "F", 33), Person(CHILD, "F", 8))
    ),
    _single("NI", "bro-poe", "removal_to_ice", "M", 29),
    Family("BR", "sys-poe", "enrolled", (Person(HEAD, "F", 36), Person(CHILD, "F", 12))),
    Family(
        "EC",
        "cxl-poe",
        "in_absentia",
        (Person(HEAD, "M", 40), Person(CHILD, "M", 16), Person(CHILD, "F", 11)),
    ),
    _single("HT", "bro-poe", "fear_negative", "M", 33),
    # F1, F2: a mixed-nationality family. The Honduran mother is processed for MPP; her Mexican daughter
    # is not amenable and returns to Mexico with her voluntarily, so the family stays together.
    Family(
        "HN",
        "sys-poe",
        "in_mexico",
        (Person(HEAD, "F", 28), Person(CHILD, "F", 4, country="MX", path="not_amenable_mexican")),
    ),
    # F4: the mother states fear of Mexico at San Ysidro; her children wait with her, amenable, until USCIS
    # decides.
    Family(
        "GT",
        "sys-poe",
        "family_waits",
        (
            Person(HEAD, "F", 30, path="fear_pending", language="quc"),
            Person(CHILD, "M", 10, language="quc"),
            Person(CHILD, "F", 6, language="quc"),
        ),
    ),
    _single("SV", "lrd-poe", "screening", "F", 24),
    _single("HN", "elp-bps", "not_amenable_criminal", "M", 45),
    # F5: the husband's assessment is concurred positive; the family of three leaves MPP together.
    Family(
        "CU",
        "lrd-poe",
        "removed_with_family",
        (Person(HEAD, "M", 39, path="fear_positive"), Person(SPOUSE, "F", 37), Person(CHILD, "F", 10)),
    ),
    _single("VE", "sys-poe", "amenable", "F", 26),
    _single("GT", "elp-bps", "terminated", "M", 22, language="mam"),
    Family("NI", "cxl-poe", "in_mexico", (Person(HEAD, "F", 34), Person(CHILD, "M", 13))),
    _single("HN", "sys-poe", "not_amenable_health", "F", 25),
    _single("EC", "elp-poe", "reopened", "M", 31),
    Family("BR", "lrd-poe", "in_us_for_hearing", (Person(HEAD, "M", 41), Person(CHILD, "M", 15))),
    Family(
        "SV",
        "cv-bps",
        "in_mexico",
        (Person(HEAD, "M", 36), Person(SPOUSE, "F", 32), Person(CHILD, "F", 11), Person(CHILD, "M", 7)),
    ),
    Family("HT", "bro-poe", "awaiting_review", (Person(HEAD, "F", 29), Person(CHILD, "M", 3))),
    _single("VE", "lrd-poe", "awaiting_review", "M", 30),
    _single("CU", "elp-poe", "withholding", "F", 47),
    Family(
        "GT",
        "lrd-poe",
        "awaiting_review",
        (Person(HEAD, "M", 33), Person(CHILD, "F", 12), Person(CHILD, "M", 8)),
    ),
    Family(
        "HN",
        "lrd-poe",
        "in_mexico",
        (Person(HEAD, "F", 38), Person(CHILD, "F", 17), Person(CHILD, "M", 12), Person(CHILD, "M", 6)),
        address_change=True,
        observers="public",  # O1: a member of the public asked to observe the mother's hearing: granted
    ),
    _single("NI", "sys-poe", "screening", "M", 52),
    Family("VE", "bro-poe", "removal_ordered", (Person(HEAD, "F", 27), Person(CHILD, "F", 2))),
    Family("EC", "sys-poe", "voluntary_departure", (Person(HEAD, "M", 24), Person(SIBLING, "M", 20))),
    # N1a: served days ago, so their packets wait in the print queue at San Ysidro and Laredo: an English
    # speaker from Nicaragua's Caribbean coast, a Haitian family, and a K'iche' speaker (no tear sheet in
    # K'iche': English and Spanish side by side).
    _single("NI", "sys-poe", "enrolled", "M", 44, language="en"),
    # O1/O2: the family's hearings are closed to the public; a newspaper's request through DHS Public
    # Affairs to attend the mother's is refused for that reason.
    Family(
        "HT", "lrd-poe", "enrolled", (Person(HEAD, "F", 32), Person(CHILD, "F", 7)), observers="press_closed"
    ),
    _single("GT", "lrd-poe", "enrolled", "M", 29, language="quc"),
    # S2: a claim stated at Laredo; the Houston Asylum Office has scheduled the interview.
    _single("VE", "lrd-poe", "fear_scheduled", "F", 34),
    # S3: the mother stated fear at San Ysidro before the return; assessed, awaiting supervisory review.
    Family(
        "HN", "sys-poe", "fear_submitted", (Person(HEAD, "F", 29), Person(CHILD, "M", 8, path="enrolled"))
    ),
    # Step 8. H1: today's arrivals at San Ysidro for hearings at San Diego, report times through the day
    # (hearing less the four-hour lead): 04:30, 08:00 (a mother and son, with counsel of record, H3) and
    # 11:30. The first is checked in by the demo CBP officer if 04:30 has passed when the seed runs; the
    # others are for the demo CBP officer to scan in on the arrivals page.
    Family("GT", "sys-poe", "arrived_today", (Person(HEAD, "M", 26),), hearing_at=dt.time(8, 30)),
    Family(
        "HN",
        "sys-poe",
        "due_today",
        (Person(HEAD, "F", 33), Person(CHILD, "M", 11)),
        hearing_at=dt.time(12, 0),
        counsel=True,
    ),
    Family("SV", "sys-poe", "due_today", (Person(HEAD, "M", 48),), hearing_at=dt.time(15, 30)),
    # F6/H3: a couple with counsel of record: the wife is granted asylum, the husband ordered removed and
    # his appeal reserved; he goes to ICE's custody queue pending all proceedings, including the appeal.
    Family(
        "SV",
        "sys-poe",
        "relief",
        (Person(HEAD, "F", 34), Person(SPOUSE, "M", 36, path="f6_removal")),
        counsel=True,
    ),
    # H4: ordered removed a week ago with the appeal to the BIA reserved: no hand-off to ICE ERO is due
    # (the removal_ordered family at Brownsville, with no appeal, is final: its hand-off is due).
    _single("NI", "lrd-poe", "removal_appeal_reserved", "M", 31),
)

# ── Reasons ────────────────────────────────────────────────────────────────────────────────────────────

REASONS = {
    "screened": (
        "Screening recorded: {nationality} national who arrived by land from Mexico at {site}; not "
        "clearly admissible, no A2 exclusion found, medical clearance fit to travel. "
        "Sent for supervisor review (A1, A3)."
    ),
    "amenable": (
        "Amenability confirmed for the Port Director / Chief Patrol Agent after review of the screening (A3)."
    ),
    "amenable_family_waits": (
        "Amenability confirmed (A3). Return to Mexico on hold while a family member's fear claim is "
        "decided (F4)."
    ),
    "returned": (
        "Returned to Mexico through {port} to {city} with the tear sheet: report to {port} at {report_time} "
        "on {hearing_1}, not before; keep all documents (H1, N5)."
    ),
    "reported": (
        "Reported at {port} at {report_time} as the tear sheet directs; transported to {venue} for the "
        "hearing of {hearing_1} (H1)."
    ),
    "continued": (
        "Immigration judge continued the case to {hearing_2} to allow time to find counsel (H2). "
        "Returned to Mexico through {port}; new tear sheet served, the previous one superseded (N5)."
    ),
    "reported_again": (
        "Reported at {port} for the individual hearing of {hearing_2}; transported to {venue} (H1, H2)."
    ),
    "asylum_granted": (
        "Immigration judge granted asylum (INA 208) at the individual hearing of {hearing_2}; "
        "remains in the U.S. (H4)."
    ),
    "withholding": (
        "Immigration judge granted statutory withholding of removal (INA 241(b)(3)) at the hearing of "
        "{hearing_2}; remains in the U.S. (H4)."
    ),
    "removal_ordered": (
        "Immigration judge ordered removal at the hearing; no application for relief was granted (H4)."
    ),
    "removal_ordered_appeal_reserved": (
        "Immigration judge ordered removal at the hearing; the respondent reserved appeal to the Board of "
        "Immigration Appeals (H4)."
    ),
    "in_absentia": (
        "Did not appear at {port} for the hearing of {hearing_1}; the immigration judge ordered removal "
        "in absentia."
    ),
    "reopened": (
        "Motion to reopen granted: the respondent showed the notice of the hearing did not reach the "
        "address of record. Case back on the docket of {venue} (H5)."
    ),
    "terminated": (
        "DHS motion to dismiss granted at the hearing of {hearing_1}; proceedings terminated without "
        "prejudice."
    ),
    "voluntary_departure": (
        "Voluntary departure granted (INA 240B) at the hearing of {hearing_1}; departure within 60 days."
    ),
    "handed_to_ice": (
        "Turned over to ICE ERO at {port} after the final order of removal; hand-off recorded (H4)."
    ),
    "health": (
        "Not amenable — health (A2, A4): 30 weeks pregnant with complications noted by on-site medical "
        "staff (A5 referral); excluded after supervisory review of the totality of circumstances."
    ),
    "criminal_history": (
        "Not amenable — criminal_history (A2): record check shows a prior conviction for aggravated "
        "assault; processed outside MPP."
    ),
    "mexican_national": (
        "Not amenable — mexican_national (A2). F2: her mother chose, on her behalf, voluntary return "
        "to Mexico with the family so the family stays together; choice recorded."
    ),
    # What the person said, recorded with the claim (restricted: fear). The claim itself says where and
    # when, and the hold the reason of the referral (screenings.fear_services.fear_claim_record).
    "fear_stated": (
        "Said during processing at {site} that the men who threatened the family at home followed them into "
        "Mexico and asked for her by name at the shelter in {city}; afraid to be sent back."
    ),
    "fear_stated_at_hearing": (
        "After the hearing of {hearing_1}, told the officer at {port} that he is afraid to go back to {city}: "
        "the group that extorts the shops there beat him and said he was next."
    ),
    "fear_stated_before_return": (
        "Before the return to {city}, told the officer at {site} that her former partner's gang found her in "
        "Mexico and threatened to take her son."
    ),
    "returned_after_negative": (
        "The immigration judge had continued the case to {hearing_2} (H2). The MPP assessment was concurred "
        "negative (S4): returned to Mexico through {port} to {city} pending proceedings; new tear sheet "
        "served, the previous one superseded (N5)."
    ),
    "concurred_negative": (
        "Concur with {asylum_officer}'s assessment: the interview record supports the negative "
        "determination (S3). May be returned to Mexico pending proceedings (S4)."
    ),
    "concurred_positive": (
        "Concur with {asylum_officer}'s assessment: credible account, nexus to a protected ground, no "
        "internal relocation (S3). Not returned to Mexico; the family is removed from MPP (S4, F5)."
    ),
}


# Courts do not sit on these (month, day) dates; moveable holidays are ignored, it is only a demo.
_FIXED_HOLIDAYS = {(1, 1), (6, 19), (7, 4), (11, 11), (12, 24), (12, 25), (12, 31)}


def _court_day(day: dt.date) -> dt.date:
    """The first weekday on or after ``day`` that is not a fixed federal holiday."""
    while day.weekday() >= 5 or (day.month, day.day) in _FIXED_HOLIDAYS:
        day += dt.timedelta(days=1)
    return day


def _court_day_back(day: dt.date) -> dt.date:
    """The last weekday on or before ``day`` that is not a fixed federal holiday."""
    while day.weekday() >= 5 or (day.month, day.day) in _FIXED_HOLIDAYS:
        day -= dt.timedelta(days=1)
    return day


def _checked_in_at(place: HearingLocation, day: dt.date, at: dt.time, position: int = 0) -> dt.datetime:
    """When someone of a story is checked in at the reporting port for the hearing at ``day`` ``at`` (local):
    ten minutes after the report time on the tear sheet, the next member of the family three minutes later."""
    starts = dt.datetime.combine(day, at, tzinfo=place.zone)
    return starts - place.report_lead + dt.timedelta(minutes=10 + 3 * position)


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


# ── Hearings: docket time, the pro bono lists, the NTA and the packet ───────────────────────────────────

# Docket time court staff publish at every active hearing location, each weekday of the next three weeks.
GRID_DAYS = 21
GRID_TIMES = (dt.time(8, 30), dt.time(10, 0), dt.time(13, 0))
# The stories' hearings are at the morning docket; a rescheduled one moves to mid-morning.
STORY_TIME = dt.time(8, 30)
RESCHEDULED_TIME = dt.time(10, 0)

# Paths whose first hearing is still ahead (served, maybe returned to Mexico, not yet heard); every other
# path that reaches "enrolled" has had its first hearing (or, in_us_for_hearing, is at it now).
HEARING_AHEAD = {"enrolled", "in_mexico", "fear_submitted"}
# Paths continued at their first hearing, whose next hearing is ahead.
CONTINUED_PATHS = {"continued", "fear_negative"}
# Paths whose first hearing is today (H1: the arrivals at the reporting port).
TODAY_PATHS = {"due_today", "arrived_today"}
# Step 8: the immigration judge's decision by the story's reason: (decision, appeal reserved or not).
DECISIONS = {
    "asylum_granted": (Completion.Decision.ASYLUM, Completion.Appeal.NONE),
    "withholding": (Completion.Decision.WITHHOLDING, Completion.Appeal.NONE),
    "removal_ordered": (Completion.Decision.REMOVAL_ORDER, Completion.Appeal.NONE),
    "removal_ordered_appeal_reserved": (Completion.Decision.REMOVAL_ORDER, Completion.Appeal.RESERVED),
    "in_absentia": (Completion.Decision.REMOVAL_IN_ABSENTIA, Completion.Appeal.NONE),
    "terminated": (Completion.Decision.TERMINATION, Completion.Appeal.NONE),
    "voluntary_departure": (Completion.Decision.VOLUNTARY_DEPARTURE, Completion.Appeal.NONE),
}
# The BIA filing deadline after a decision; a reserved appeal is filed on day 21 when the story is older.
APPEAL_DAYS = dt.timedelta(days=30)
APPEAL_FILED_AFTER = dt.timedelta(days=21)
# H5: the motion to reopen an order in absentia is granted this long after it.
REOPENED_AFTER = dt.timedelta(days=35)
# H4: the ICE ERO officer who takes custody on a final order (made up).
ERO_RECEIVER = "Deportation Officer R. Castillo, ICE ERO (demo)"
# H3: counsel of record by court (fictional, as the pro bono lists): name, organisation, EOIR ID.
COUNSEL = {
    "sdg-ic": ("Elena Márquez (demo)", "Frontera Legal Aid Project (demo)", "DEMO100201"),
    "sna-ic": ("Daniel Whitcomb (demo)", "Alamo City Asylum Project (demo)", "DEMO100301"),
    "elp-ic": ("Lucía Bernal (demo)", "Paso del Norte Legal Aid (demo)", "DEMO100401"),
}
# Languages the processing officers speak: the NTA is explained without an interpreter (N3).
OFFICER_LANGUAGES = {"es", "en"}

# N4: a made-up pro bono list per court: clearly fictional names and 555-01xx numbers (reserved for fiction).
PRO_BONO: dict[str, tuple[tuple[str, str, str], ...]] = {
    "sdg-ic": (
        ("Frontera Legal Aid Project (demo)", "(619) 555-0101", "English, Spanish"),
        ("Bayside Asylum Clinic (demo)", "(619) 555-0102", "English, Spanish, Portuguese"),
        ("Pacific Crest Immigrant Defense (demo)", "(619) 555-0103", "English, Spanish, Haitian Creole"),
    ),
    "imp-ic": (
        ("Imperial Valley Immigrant Rights Clinic (demo)", "(760) 555-0111", "English, Spanish"),
        ("Desert Border Legal Services (demo)", "(760) 555-0112", "English, Spanish, K'iche'"),
    ),
    "elp-ic": (
        ("Paso del Norte Legal Aid (demo)", "(915) 555-0121", "English, Spanish"),
        ("Franklin Mountains Refugee Law Center (demo)", "(915) 555-0122", "English, Spanish, Portuguese"),
    ),
    "sna-ic": (
        ("Alamo City Asylum Project (demo)", "(210) 555-0131", "English, Spanish, K'iche', Mam"),
        ("Río Bravo Legal Services (demo)", "(210) 555-0132", "English, Spanish, Haitian Creole"),
    ),
    "hlg-ic": (
        ("Valle Immigrant Defense Network (demo)", "(956) 555-0141", "English, Spanish"),
        ("Gulf Coast Refugee Legal Clinic (demo)", "(956) 555-0142", "English, Spanish, Haitian Creole"),
    ),
}

# Where families stay in Mexico (N6): city → state, and made-up street addresses.
CITY_STATE = {
    "Tijuana": "Baja California",
    "Mexicali": "Baja California",
    "Ciudad Juárez": "Chihuahua",
    "Nuevo Laredo": "Tamaulipas",
    "Matamoros": "Tamaulipas",
}
_STREETS = (
    "Calle Benito Juárez",
    "Avenida Miguel Hidalgo",
    "Calle Ignacio Zaragoza",
    "Calle Vicente Guerrero",
    "Avenida Álvaro Obregón",
    "Calle Francisco I. Madero",
    "Calle Morelos",
    "Calle 16 de Septiembre",
)
_COLONIAS = ("Col. Centro", "Col. Libertad", "Col. Independencia", "Col. Obrera", "Col. Las Flores")


def _slot_capacity(place: HearingLocation, day: dt.date) -> int:
    """12 to 20 places, varying by day and location (no randomness: the grid is topped up on every run)."""
    return 12 + (day.toordinal() + place.pk) % 9


_REAL_NOW = timezone.now


def _now_defaulted_fields() -> list[Field[Any, Any]]:
    """The timestamps models default to "now" (``default=timezone.now``: the field holds the function
    itself, so patching ``timezone.now`` does not reach them): a hold's ``opened_at``, a custody referral's
    ``referred_at`` …. Case events are left out: the seed's timelines keep the order each story is told in
    (every event is recorded when the seed runs)."""
    return [
        field
        for model in apps.get_models()
        if model is not CaseEvent
        for field in model._meta.concrete_fields
        if field.default is _REAL_NOW
    ]


@contextlib.contextmanager
def _as_of(moment: dt.datetime) -> Iterator[None]:
    """Run services as they ran at ``moment``: ``django.utils.timezone.now`` reads it, so the services'
    own checks of "now" hold as they did on the story's day (a slot that had not begun yet, docket time
    published ahead, an NTA not served in the future, a fear claim stated after the case was opened). Only
    for the seed, which tells stories that began months ago through the real services; the dates it stamps
    (history, created_at, a hold's opened_at, a fear claim's stated_at) are that day's too, so what a
    record says happened first did. Nothing else runs in the process meanwhile."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(timezone, "now", return_value=moment))
        for field in _now_defaulted_fields():
            # Django caches a field's default getter (Field._get_default): patch what it returns.
            stack.enter_context(mock.patch.dict(field.__dict__, {"_get_default": timezone.now}))
        yield


def _screening_facts(alien: Alien, steps: tuple[tuple[str, str, str], ...]) -> dict[str, object]:
    """The screening an officer would have recorded for someone whose story follows ``steps``."""
    decision_reason = steps[1][2] if len(steps) > 1 else ""
    language = alien.preferred_language.code
    fluent = language in OFFICER_LANGUAGES
    facts: dict[str, object] = {"officer_fluent": fluent, "fit_to_travel": "fit"}
    if not fluent:  # N3: interpreted by telephone in the person's language
        facts.update(interpretation_mode="telephonic", interpretation_language=language)
    if str(alien.country_of_citizenship) == "MX":  # F2: the Mexican member returns with the family
        facts["mexican_member_choice"] = "voluntary_return"
    if decision_reason == "health":  # A4: found not fit to travel after the A5 referral
        facts.update(fit_to_travel="not_fit", medical_referral=True, medical_referral_outcome="not_fit")
    if decision_reason == "criminal_history":
        facts["criminal_history"] = True
    return facts


class Command(BaseCommand):
    help = (
        "Create demo users (one per role), about fifty demo cases with their histories, docket time for the "
        "next three weeks, the pro bono lists, NTAs, hearings and tear sheets. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set a new password on every demo user (DEMO_PASSWORD, else a random one) and print it.",
        )

    def handle(self, *args: object, reset_passwords: bool = False, **options: object) -> None:
        missing_roles = set(Role.values) - set(Group.objects.values_list("name", flat=True))
        if missing_roles:
            raise CommandError(
                f"Role groups missing ({', '.join(sorted(missing_roles))}): run `manage.py migrate` first."
            )
        env_password = os.environ.get("DEMO_PASSWORD") or None
        if env_password:
            try:
                validate_password(env_password)
            except ValidationError as exc:
                raise CommandError(f"DEMO_PASSWORD is not accepted: {' '.join(exc.messages)}") from exc
        password = env_password or secrets.token_urlsafe(12)

        # One moment for the whole run: the docket grid's three weeks and every story's "today" are counted
        # from it (printed first, so a test reads the days the run saw whatever the clock says after).
        now = timezone.now().replace(second=0, microsecond=0)
        self.stdout.write(f"seed_demo: run as of {now.isoformat()} (the stories' dates are relative to it).")
        with transaction.atomic():
            users, created = self._ensure_accounts(password=password, reset_passwords=reset_passwords)
            self._ensure_pro_bono(users)
            slots_published = self._ensure_slots(users, now)
            cases_created = self._ensure_cases(users, now)

        self._report(users, created, cases_created, password, env_password is not None, reset_passwords)
        self._report_hearings(users, slots_published)
        self._report_fear()
        self._report_court(now)

    # ── accounts ──

    def _ensure_accounts(self, *, password: str, reset_passwords: bool) -> tuple[dict[str, User], list[str]]:
        users: dict[str, User] = {}
        created: list[str] = []
        admin_spec = next(a for a in DEMO_ACCOUNTS if a.role == Role.ADMINISTRATOR)
        # The administrator first: it is recorded as the one who set up everyone else.
        for spec in (admin_spec, *(a for a in DEMO_ACCOUNTS if a is not admin_spec), *COLLEAGUE_ACCOUNTS):
            is_demo = spec in DEMO_ACCOUNTS
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User(
                    username=spec.username,
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                    email=f"{spec.username}@example.gov",
                    is_staff=spec.role == Role.ADMINISTRATOR,
                    is_superuser=spec.role == Role.ADMINISTRATOR,
                )
                if is_demo:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                actor = users.get(admin_spec.username)
                history_stamp(user, actor=actor, reason="Demo account created by seed_demo")
                user.save()
                created.append(spec.username)
            elif reset_passwords and is_demo:
                user.set_password(password)
                history_stamp(
                    user,
                    actor=users.get(admin_spec.username, user),
                    reason="Demo password reset by seed_demo",
                )
                user.save(update_fields=["password"])
            # Roles and duty locations are put back on every run (a demo that was played with stays usable).
            user.groups.add(Group.objects.get(name=spec.role))
            if spec.locations:
                user.duty_locations.add(*Location.objects.filter(code__in=spec.locations))
            users[spec.username] = user
        return users, created

    # ── cases ──

    def _ensure_cases(self, users: dict[str, User], now: dt.datetime) -> int:
        if Case.objects.filter(created_by=users["demo_cbp_officer"]).exists():
            return 0
        story = _Story(users, now)
        for family in FAMILIES:
            story.tell(family)
        story.finish()
        return story.cases_created

    # ── hearings: reference lists and docket time ──

    def _ensure_pro_bono(self, users: dict[str, User]) -> None:
        """N4: each court's (fictional) pro bono list, once; what the admin changed since is kept."""
        admin = users["demo_admin"]
        courts = {loc.code: loc for loc in Location.objects.filter(code__in=list(PRO_BONO))}
        for court_code, entries in PRO_BONO.items():
            court = courts.get(court_code)
            if court is None:
                continue
            city = court.name.removesuffix(" Immigration Court")
            for position, (name, phone, languages) in enumerate(entries, start=1):
                if ProBonoProvider.objects.filter(court=court, name=name).exists():
                    continue
                provider = ProBonoProvider(
                    court=court,
                    name=name,
                    phone=phone,
                    address=f"{100 * position + 1} Demo Street, {city} (fictional)",
                    languages=languages,
                    position=position,
                )
                history_stamp(provider, actor=admin, reason="Fictional pro bono list created by seed_demo")
                provider.save()

    def _ensure_slots(self, users: dict[str, User], now: dt.datetime) -> int:
        """Docket time for the weekdays of the three weeks after ``now`` at every active hearing location,
        published by the demo court staff (``slots_publish``); times already published are left as they
        are, so a later run tops the grid up. Returns how many slots it published."""
        clerk = users["demo_court_staff"]
        published = 0
        for place in HearingLocation.objects.filter(is_active=True).order_by("pk"):
            today = timezone.localdate(now, place.zone)
            days = [
                day
                for day in (today + dt.timedelta(days=n) for n in range(1, GRID_DAYS + 1))
                if _court_day(day) == day
            ]
            taken = set(
                HearingSlot.objects.filter(
                    hearing_location=place,
                    starts_at__gte=dt.datetime.combine(days[0], dt.time.min, tzinfo=place.zone),
                ).values_list("starts_at", flat=True)
            )
            for day in days:
                times = [t for t in GRID_TIMES if dt.datetime.combine(day, t, tzinfo=place.zone) not in taken]
                if times:
                    published += len(
                        slots_publish(
                            hearing_location_id=place.pk,
                            day=day,
                            times=times,
                            capacity=_slot_capacity(place, day),
                            actor=clerk,
                        )
                    )
        return published

    # ── output ──

    def _report(
        self,
        users: dict[str, User],
        created: list[str],
        cases_created: int,
        password: str,
        from_env: bool,
        reset_passwords: bool,
    ) -> None:
        demo_names = [a.username for a in DEMO_ACCOUNTS]
        new_demo = [u for u in created if u in demo_names]
        self.stdout.write(
            f"seed_demo: {len(new_demo)} demo users created, {len(demo_names) - len(new_demo)} already "
            f"there; {len(created) - len(new_demo)} colleague accounts (no password, cannot log in) created."
        )
        if cases_created:
            self.stdout.write(
                f"seed_demo: {cases_created} demo cases created in {len(FAMILIES)} family units."
            )
        else:
            self.stdout.write("seed_demo: demo cases already there; none created.")
        by_status = dict(
            Case.objects.filter(created_by__in=list(users.values()))
            .order_by()
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        summary = ", ".join(
            f"{CaseStatus(s).value} {by_status[s]}" for s in CaseStatus.values if s in by_status
        )
        if summary:
            self.stdout.write(f"seed_demo: demo cases by status: {summary}")

        if reset_passwords or new_demo:
            who = (
                "all demo users"
                if reset_passwords or len(new_demo) == len(demo_names)
                else ", ".join(new_demo)
            )
            shown = "the value of DEMO_PASSWORD" if from_env else password
            self._box(
                [
                    f"Demo password for {who}: {shown}",
                    "Usernames:",
                    *(f"  {', '.join(demo_names[i : i + 4])}" for i in range(0, len(demo_names), 4)),
                    "Shown only now. `manage.py seed_demo --reset-passwords` sets and prints a new one.",
                ]
            )
        else:
            self.stdout.write(
                "seed_demo: demo users already exist; their passwords are unchanged "
                "(`manage.py seed_demo --reset-passwords` sets and prints a new one)."
            )

    def _report_hearings(self, users: dict[str, User], slots_published: int) -> None:
        self.stdout.write(
            f"seed_demo: {slots_published} hearing slots published for the next {GRID_DAYS} days"
            if slots_published
            else "seed_demo: hearing slots for the next weeks already published."
        )
        ntas = NoticeToAppear.objects.filter(served_by__in=list(users.values()))
        unfiled = ntas.filter(filed_on__isnull=True).count()
        self.stdout.write(
            f"seed_demo: {ntas.count()} NTAs served, {unfiled} waiting for court staff to file."
        )
        printer = users["demo_print_staff"]
        waiting = (
            TearSheet.objects.filter(superseded_at__isnull=True, printed_at__isnull=True)
            .filter(location_id__in=sorted(printer.duty_location_ids))
            .values("location__name")
            .annotate(n=Count("id"))
            .order_by("location__name")
        )
        for row in waiting:
            self.stdout.write(
                f"seed_demo: {row['n']} tear sheets waiting to be printed at {row['location__name']}."
            )

    def _report_fear(self) -> None:
        by_status = dict(
            FearClaim.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
        )
        claims = ", ".join(
            f"{FearClaim.Status(s).label} {by_status[s]}" for s in FearClaim.Status.values if s in by_status
        )
        if claims:
            self.stdout.write(f"seed_demo: fear claims — {claims}.")
        waiting = CustodyReferral.objects.filter(OPEN_REFERRAL).count()
        self.stdout.write(f"seed_demo: {waiting} people on ICE's custody queue (S4).")

    def _report_court(self, now: dt.datetime) -> None:
        """Step 8: what the hearing day, the court and ICE ERO recorded, and today's arrivals at San Ysidro."""
        checked_in = HearingAttendance.objects.filter(checked_in_at__isnull=False).count()
        returned = HearingAttendance.objects.filter(returned_at__isnull=False).count()
        decisions = Completion.objects.count()
        initial = Completion.objects.filter(is_initial=True).count()
        due = EroHandoff.objects.filter(handed_at__isnull=True, cancelled_at__isnull=True).count()
        handed = EroHandoff.objects.filter(handed_at__isnull=False).count()
        counsel = Representation.objects.filter(ended_on__isnull=True).count()
        self.stdout.write(
            f"seed_demo: hearing day and court — {checked_in} check-ins ({returned} returned to Mexico "
            f"after), {decisions} decisions ({initial} initial), {Reopening.objects.count()} reopened, "
            f"{counsel} with counsel of record; ICE ERO hand-offs {due} due, {handed} recorded; "
            f"{ObserverRequest.objects.count()} observer requests."
        )
        port = Location.objects.filter(code="sys-poe").first()
        place = HearingLocation.objects.filter(code="sdg-ic-mpp").first()
        if port is None or place is None:
            return
        day = timezone.localdate(now, zoneinfo.ZoneInfo(port.time_zone))
        start = dt.datetime.combine(day, dt.time(0), tzinfo=place.zone)
        today = Hearing.objects.filter(
            hearing_location=place,
            status=Hearing.Status.SCHEDULED,
            starts_at__gte=start + place.report_lead,
            starts_at__lt=start + dt.timedelta(days=1) + place.report_lead,
        )
        arrived = today.filter(attendance__checked_in_at__isnull=False).count()
        self.stdout.write(
            f"seed_demo: {today.count()} expected at {port.name} on {day:%Y-%m-%d} for hearings at "
            f"{place.name}, {arrived} checked in (/hearings/port/arrivals/)."
        )

    def _box(self, lines: list[str]) -> None:
        width = max(len(line) for line in lines)
        self.stdout.write("┌" + "─" * (width + 2) + "┐")
        for line in lines:
            self.stdout.write(f"│ {line.ljust(width)} │")
        self.stdout.write("└" + "─" * (width + 2) + "┘")


class _Story:
    """Walks each family through the services, one person and one step at a time."""

    def __init__(self, users: dict[str, User], now: dt.datetime) -> None:
        self.users = users
        self.rng = random.Random(SEED)
        self.now = now
        self.today = timezone.localdate(now)
        self.locations = {loc.code: loc for loc in Location.objects.all()}
        self.languages = {lang.code: lang for lang in Language.objects.all()}
        self.used_a_numbers = set(Alien.objects.exclude(a_number=None).values_list("a_number", flat=True))
        self.used_names: set[tuple[str, str]] = set()
        self.cases_created = 0
        self.places = {p.code: p for p in HearingLocation.objects.select_related("reporting_port", "court")}
        self.to_reschedule: list[list[Case]] = []
        self.to_move_house: list[tuple[Case, str]] = []
        self.to_observe: list[tuple[str, list[Case], HearingLocation]] = []
        self.served_at = self.now  # when the family being told was served its NTAs (see _serve)

    # People

    def _a_number(self) -> str:
        while True:
            candidate = f"A{self.rng.randint(201_000_000, 219_999_999):09d}"
            if candidate not in self.used_a_numbers:
                self.used_a_numbers.add(candidate)
                return candidate

    def _birth_date(self, age: int) -> dt.date:
        return self.today - dt.timedelta(days=365 * age + self.rng.randint(30, 330))

    def _names(self, family: Family) -> list[tuple[str, str]]:
        """Given and family names per person; Spanish-speaking families carry two surnames."""
        names = []
        given_pool, family_pool = _name_pools(family.country)
        while True:
            first, second = self.rng.sample(family_pool, 2)
            head_family = f"{first} {second}" if family.country not in {"BR", "HT"} else first
            if head_family not in {n for _, n in self.used_names}:
                break
        for person in family.people:
            country = person.country or family.country
            pool = _name_pools(country)[0] if country != family.country else given_pool
            given = self.rng.choice(pool[person.sex])
            if person.relationship in {HEAD, SIBLING}:
                surname = head_family
            elif person.relationship == SPOUSE:
                other_pool = [n for n in family_pool if n not in head_family]
                surname = f"{self.rng.choice(other_pool)} {self.rng.choice(other_pool)}"
                if family.country in {"BR", "HT"}:
                    surname = self.rng.choice(other_pool)
            elif country != family.country:  # the Mexican child of a Honduran mother: father's surname first
                surname = f"{self.rng.choice(_SPANISH_FAMILY['MX'])} {head_family.split()[0]}"
            else:
                surname = head_family
            names.append((given, surname))
        self.used_names.update(names)
        return names

    # The story of one family

    def tell(self, family: Family) -> None:
        officer_name, supervisor_name = SITE_STAFF[family.site]
        officer, site = self.users[officer_name], self.locations[family.site]
        place_code, city = HEARING_ROUTE[family.site]
        place = self.places[place_code]
        port = place.reporting_port
        days_ago = self.rng.randint(*AGE_IN_DAYS[family.path])
        occurred_at = self.now - dt.timedelta(
            days=days_ago, hours=self.rng.randint(0, 20), minutes=self.rng.randint(0, 59)
        )
        if occurred_at > self.now:
            occurred_at = self.now - dt.timedelta(minutes=30)
        hearing_1, hearing_2 = self._hearing_days(family, occurred_at, place)

        aliens = []
        for person, (given, surname) in zip(family.people, self._names(family), strict=True):
            country = person.country or family.country
            aliens.append(
                alien_create(
                    actor=officer,
                    family_name=surname,
                    given_names=given,
                    date_of_birth=self._birth_date(person.age),
                    sex=person.sex,
                    country_of_citizenship=country,
                    preferred_language=self.languages[person.language or DEFAULT_LANGUAGE.get(country, "es")],
                    a_number=self._a_number(),
                    reason=f"Registered at intake at {site.name}; biometrics taken, A-number assigned",
                )
            )
        size = len(aliens)
        unit = family_unit_create(
            actor=officer,
            members=[
                MemberSpec(alien=a, relationship=p.relationship)
                for a, p in zip(aliens, family.people, strict=True)
            ],
            reason="Single adult: a family unit of one"
            if size == 1
            else f"Family of {size} encountered together",
        )
        where = (
            "at the port of entry" if site.kind == Location.Kind.PORT_OF_ENTRY else "between ports of entry"
        )
        encounter = encounter_create(
            actor=officer,
            occurred_at=occurred_at,
            location=site,
            family_unit=unit,
            reason=f"Encountered {where}: {site.name}, arriving from Mexico",
        )
        actors = {
            "officer": officer,
            "supervisor": self.users[supervisor_name],
            "port_officer": self.users[HEARING_DAY_OFFICER.get(family.site, SITE_STAFF[port.code][0])],
            "court": self.users["demo_court_staff"],
            "ice": self.users["demo_ice_officer"],
            "asylum_officer": self.users["demo_asylum_officer"],
            "sao": self.users["demo_supervisory_asylum_officer"],
        }
        asylum_officer = actors["asylum_officer"]
        opened = []
        for person, alien in zip(family.people, aliens, strict=True):
            # Opened at intake, as of the encounter (a fear claim is stated after the case was opened, S1).
            with _as_of(min(occurred_at + dt.timedelta(minutes=15), self.now)):
                case = case_open(
                    actor=officer,
                    encounter=encounter,
                    alien=alien,
                    reason=f"Case opened at intake at {site.name}",
                )
            self.cases_created += 1
            context = {
                "nationality": COUNTRY_NAMES[str(alien.country_of_citizenship)],
                "site": site.name,
                "port": port.name,
                "city": city,
                "venue": place.name,
                "hearing_1": _long_date(hearing_1),
                "hearing_2": _long_date(hearing_2),
                "report_time": "",  # once the NTA names the hearing (see _serve)
                "asylum_officer": asylum_officer.display_name,
            }
            opened.append((person, alien, case, context, PATHS[person.path or family.path]))

        # Screening and amenability go through the step-2 workflow (screenings.services), so the facts,
        # the frozen proposal, the review queue and the supervisor's decision are real records.
        reviewed = [p for p in opened if p[4]]
        if reviewed:
            for _person, alien, case, _context, steps in opened:
                screening_facts_save(actor=officer, case_id=case.pk, facts=_screening_facts(alien, steps))
            family_submit_for_review(actor=officer, encounter_id=encounter.pk)
        decided = [p for p in opened if len(p[4]) > 1]
        if decided:
            supervisor = self.users[supervisor_name]
            review = AmenabilityReview.objects.get(encounter=encounter)
            amenability_decide(
                actor=supervisor,
                review_id=review.pk,
                reason=f"Screening reviewed for the Port Director at {site.name}; proposal confirmed (A3).",
            )
        # The hearing steps are the family's: the NTA is served on every member whose story reaches
        # "enrolled" at once (one slot, N1), and a continued hearing moves the family's hearings together.
        to_serve = [(case, alien) for _p, alien, case, _c, steps in opened if _ENROLLED in steps]
        to_continue = [case for _p, _a, case, _c, steps in opened if set(_CONTINUATIONS) & set(steps)]
        for _person, alien, case, _context, steps in opened:
            expected = steps[1][0] if len(steps) > 1 else steps[0][0] if steps else CaseStatus.SCREENING
            case.refresh_from_db()
            if case.status != expected:
                raise CommandError(
                    f"Seed story out of step with the rules: {alien} was expected {expected}, the "
                    f"decision gave {case.status}."
                )
        # Step by step across the family (everyone's first step after the decision, then everyone's next):
        # a member's concurred positive fear assessment moves the others where the family stands then (F5).
        served = continued = counselled = False
        fear_at = self._fear_stated_at(family=family, encounter=encounter, place=place, day=hearing_1)
        for index in range(2, max(len(p[4]) for p in opened)):
            for position, (_person, alien, case, context, steps) in enumerate(opened):
                if index >= len(steps):
                    continue
                step = steps[index]
                to_status, actor_key, reason_key = step
                if step == _ENROLLED:
                    if not served:
                        report_time = self._serve(
                            family=family,
                            encounter=encounter,
                            members=to_serve,
                            officer=officer,
                            place=place,
                            day=hearing_1,
                            city=city,
                        )
                        for *_rest, other_context, _steps in opened:
                            other_context["report_time"] = report_time
                        served = True
                    case.refresh_from_db()
                    if case.status != CaseStatus.ENROLLED:
                        raise CommandError(f"Seed story out of step: {alien} was not enrolled by the NTA.")
                    continue
                if to_status.startswith("fear:"):
                    self._fear(
                        step=step,
                        case=case,
                        alien=alien,
                        context=context,
                        actors=actors,
                        where=port if actor_key == "port_officer" else site,
                        at=fear_at,
                    )
                    continue
                if step in _CONTINUATIONS and not continued:
                    self._continue(cases=to_continue, place=place, day=hearing_1, to_day=hearing_2)
                    continued = True
                if step == _REPORTED_AGAIN and family.counsel and not counselled:
                    # H3: counsel found after the continuance files an EOIR-28 ten days later.
                    self._counsel(cases=to_continue, place=place, filed_on=hearing_1 + dt.timedelta(days=10))
                    counselled = True
                self._hearing_step(
                    step=step,
                    case=case,
                    position=position,
                    reason=REASONS[reason_key].format(**context),
                    actors=actors,
                    family=family,
                    place=place,
                    fear_at=fear_at,
                )
        if family.counsel and not counselled:
            served_on = timezone.localdate(self.served_at, place.zone)
            self._counsel(
                cases=[case for case, _alien in to_serve],
                place=place,
                filed_on=min(served_on + dt.timedelta(days=14), timezone.localdate(self.now, place.zone)),
            )
        if family.observers:
            self.to_observe.append((family.observers, [case for case, _alien in to_serve], place))
        if family.rescheduled:
            self.to_reschedule.append([case for case, _alien in to_serve])
        if family.address_change:
            self.to_move_house.append((to_serve[0][0], city))

    # Fear claims (step 7)

    def _fear_stated_at(
        self, *, family: Family, encounter: Encounter, place: HearingLocation, day: dt.date
    ) -> dt.datetime | None:
        """When the family's fear claim was stated (``FEAR_STATED_ON``), or None: now."""
        when = FEAR_STATED_ON.get(family.path) or next(
            (FEAR_STATED_ON[p.path] for p in family.people if p.path in FEAR_STATED_ON), None
        )
        if when == "hearing_day":  # after the morning docket, at the reporting port
            return dt.datetime.combine(day, STORY_TIME, tzinfo=place.zone) + dt.timedelta(hours=3, minutes=40)
        if when == "after_serving":  # the NTA is served two to six hours after the encounter (_serve)
            return encounter.occurred_at + dt.timedelta(hours=6, minutes=30)
        return None

    def _fear(
        self,
        *,
        step: tuple[str, str, str],
        case: Case,
        alien: Alien,
        context: dict[str, str],
        actors: dict[str, User],
        where: Location,
        at: dt.datetime | None,
    ) -> None:
        """One step of a fear claim through ``screenings.fear_services``, as of its day (``at``: when the
        claim was stated; None: today, now)."""
        kind, actor_key, reason_key = step
        actor = actors[actor_key]
        offset = {
            _CLAIM: dt.timedelta(0),
            _SCHEDULE: FEAR_SCHEDULED_AFTER,
            _ASSESS: FEAR_ASSESSED_AFTER,
            _CONCUR: FEAR_CONCURRED_AFTER,
        }[kind]
        moment = self.now if at is None else at + offset
        if moment > self.now:
            raise CommandError(f"Seed story out of step: {alien}'s fear claim step {kind} is in the future.")
        claim = FearClaim.objects.filter(case=case).exclude(status=FearClaim.Status.DECIDED).first()
        with _as_of(moment):
            if kind == _CLAIM:
                fear_claim_record(
                    case_id=case.pk,
                    actor=actor,
                    data=ClaimInput(
                        stated_by=FearClaim.StatedBy.SELF,
                        location_id=where.pk,
                        setting=FearClaim.Setting.HEARING_DAY
                        if actor_key == "port_officer"
                        else FearClaim.Setting.ENCOUNTER,
                        language_id=alien.preferred_language_id,
                        statement=REASONS[reason_key].format(**context),
                    ),
                )
                return
            if claim is None:
                raise CommandError(f"Seed story out of step: {alien} has no fear claim pending.")
            if kind == _SCHEDULE:
                fear_interview_schedule(
                    claim_id=claim.pk, actor=actor, interview_at=self._interview_at(claim, at)
                )
            elif kind == _ASSESS:
                fear_assessment_submit(
                    claim_id=claim.pk, actor=actor, data=self._assessment(claim, alien, reason_key, context)
                )
            else:
                fear_assessment_review(
                    claim_id=claim.pk,
                    actor=actor,
                    decision="concur",
                    reason=REASONS[reason_key].format(**context),
                )

    def _interview_at(self, claim: FearClaim, stated_at: dt.datetime | None) -> dt.datetime:
        """Two days after the claim, at 09:30 at the asylum office; for a claim stated today, the next court
        day but one (ahead)."""
        zone = zoneinfo.ZoneInfo(claim.asylum_office.time_zone)
        if stated_at is not None:
            return stated_at + FEAR_INTERVIEW_AFTER
        day = _court_day(timezone.localdate(self.now, zone) + dt.timedelta(days=2))
        return dt.datetime.combine(day, dt.time(9, 30), tzinfo=zone)

    def _assessment(
        self, claim: FearClaim, alien: Alien, reason_key: str, context: dict[str, str]
    ) -> AssessmentInput:
        """S2/S3: what the demo asylum officer recorded of the interview: in the person's language, through a
        telephonic interpreter unless the officer speaks it; counsel by telephone where the story has one."""
        spec = INTERVIEW[reason_key]
        interpreted = alien.preferred_language.code not in OFFICER_LANGUAGES
        assessment = FearAssessment.objects.get(claim=claim)
        return AssessmentInput(
            interview_held_at=assessment.interview_at + dt.timedelta(minutes=5),
            determination=spec.determination,
            grounds=list(spec.grounds),
            account=spec.account.format(**context),
            determination_reason=spec.reason.format(**context),
            interview_language_id=alien.preferred_language_id,
            interpretation_mode=FearAssessment.Interpretation.TELEPHONIC if interpreted else "",
            interpreter_id="Telephonic interpreter ID 40417 (demo)" if interpreted else "",
            counsel_present_by_phone=bool(spec.counsel),
            counsel_name=spec.counsel,
        )

    # Hearings (step 6)

    def _hearing_days(
        self, family: Family, occurred_at: dt.datetime, place: HearingLocation
    ) -> tuple[dt.date, dt.date]:
        """The family's first and second hearing days: six to eight weeks after the encounter, then five to
        seven weeks later — set where the story stands today: someone in the U.S. for a hearing is at it
        now (H1), a continued case's first hearing took place and its second is ahead."""
        path = family.path
        hearing_1 = _court_day(occurred_at.date() + dt.timedelta(days=self.rng.randint(42, 56)))
        gap = dt.timedelta(days=self.rng.randint(35, 49))
        today = timezone.localdate(self.now, place.zone)
        if path == "in_us_for_hearing":
            # Checked in this morning if the report time has passed, else on the last court day before
            # (and held overnight in CBP custody since, H1).
            hearing_1 = _court_day_back(today)
            # The family's last member is checked in a few minutes after the first (``_report_in``).
            last = len(family.people) - 1
            if _checked_in_at(place, hearing_1, family.hearing_at or STORY_TIME, last) > self.now:
                hearing_1 = _court_day_back(hearing_1 - dt.timedelta(days=1))
        elif path in TODAY_PATHS:
            # H1: today's arrivals (courts sit on weekdays; the demo shows arrivals whatever day it runs).
            hearing_1 = today
        elif path == "removal_appeal_reserved":
            hearing_1 = _court_day_back(today - dt.timedelta(days=7))
        elif path == "continued" and hearing_1 >= today:
            hearing_1 = _court_day_back(today - dt.timedelta(days=1))
        elif path in HEARD_BEFORE_FEAR and hearing_1 > today - FEAR_STORY_DAYS:
            hearing_1 = _court_day_back(today - FEAR_STORY_DAYS)
        hearing_2 = _court_day(hearing_1 + gap)
        if path in HEARING_AHEAD and hearing_1 <= today:
            raise CommandError(f"Seed story out of step: a {path} family's first hearing is not ahead.")
        if path in CONTINUED_PATHS and hearing_2 <= today:
            raise CommandError(f"Seed story out of step: a {path} family's next hearing is not ahead.")
        return hearing_1, hearing_2

    def _slot(self, place: HearingLocation, day: dt.date, at: dt.time, *, as_of: dt.datetime) -> HearingSlot:
        """The docket slot at ``day`` ``at`` (local), published by court staff as of ``as_of`` if it is not
        there yet (the three-week grid has the near ones)."""
        starts = dt.datetime.combine(day, at, tzinfo=place.zone)
        found = HearingSlot.objects.filter(hearing_location=place, starts_at=starts).first()
        if found is not None:
            return found
        with _as_of(as_of):
            (slot,) = slots_publish(
                hearing_location_id=place.pk,
                day=day,
                times=[at],
                capacity=_slot_capacity(place, day),
                actor=self.users["demo_court_staff"],
            )
        return slot

    def _address(self, city: str) -> AddressInput:
        number = self.rng.randint(12, 2400)
        street, colonia = self.rng.choice(_STREETS), self.rng.choice(_COLONIAS)
        return AddressInput(address=f"{street} {number}, {colonia}", city=city, state=CITY_STATE[city])

    def _serve(
        self,
        *,
        family: Family,
        encounter: Encounter,
        members: list[tuple[Case, Alien]],
        officer: User,
        place: HearingLocation,
        day: dt.date,
        city: str,
    ) -> str:
        """N1: the officer serves the family's NTAs a few hours after the encounter, as of that moment,
        booking the initial master calendar hearing on ``day``; N3: the NTA is explained in each member's
        language, through a telephonic interpreter unless the officer speaks it. Court staff confirm the
        filing a few days later (M3/M4), except for families served only days ago. Returns the report time
        at the port (in its zone) for the reasons of the later steps."""
        served_at = min(
            encounter.occurred_at
            + dt.timedelta(hours=self.rng.randint(2, 5), minutes=self.rng.randint(0, 59)),
            self.now - dt.timedelta(minutes=10),
        )
        self.served_at = served_at
        slot = self._slot(place, day, family.hearing_at or STORY_TIME, as_of=served_at)
        arriving = encounter.location.kind == Location.Kind.PORT_OF_ENTRY
        address = self._address(city)
        by_language: dict[str, list[int]] = {}
        for case, alien in members:
            by_language.setdefault(alien.preferred_language.code, []).append(case.pk)
        ntas: list[NoticeToAppear] = []
        for code, case_ids in by_language.items():
            fluent = code in OFFICER_LANGUAGES
            with _as_of(served_at):
                ntas += nta_serve_family(
                    encounter_id=encounter.pk,
                    slot_id=slot.pk,
                    actor=officer,
                    classification=NoticeToAppear.Classification.ARRIVING
                    if arriving
                    else NoticeToAppear.Classification.PRESENT_WITHOUT_ADMISSION,
                    charge_codes=["212(a)(7)(A)(i)(I)" if arriving else "212(a)(6)(A)(i)"],
                    oral_notice_language=code,
                    interpretation=NoticeToAppear.Interpretation.NONE
                    if fluent
                    else NoticeToAppear.Interpretation.TELEPHONIC,
                    interpreter_language=None if fluent else code,
                    address=address,
                    case_ids=case_ids,
                    served_at=served_at,
                )
        if family.path != "enrolled":
            served_on = timezone.localdate(served_at, place.zone)
            nta_file(
                nta_ids=[n.pk for n in ntas],
                filed_on=min(served_on + dt.timedelta(days=self.rng.randint(1, 3)), self.today),
                actor=self.users["demo_court_staff"],
            )
        port = place.reporting_port
        report_at = timezone.localtime(slot.starts_at - place.report_lead, zoneinfo.ZoneInfo(port.time_zone))
        return f"{report_at:%H:%M} {report_at.tzname()}"

    def _continue(self, *, cases: list[Case], place: HearingLocation, day: dt.date, to_day: dt.date) -> None:
        """H2: at the first hearing the judge continued the family's cases to a later day; court staff
        record it that afternoon. The new tear sheets come from the bus (N5, see ``finish``)."""
        moment = dt.datetime.combine(day, dt.time(14, 0), tzinfo=place.zone)
        slot = self._slot(place, to_day, STORY_TIME, as_of=moment)
        hearing_ids = list(
            Hearing.objects.filter(case__in=cases, status=Hearing.Status.SCHEDULED).values_list(
                "pk", flat=True
            )
        )
        # H2/H3: the hearing took place (the family attended, no counsel of record yet), then was continued.
        with _as_of(dt.datetime.combine(day, STORY_TIME, tzinfo=place.zone) + dt.timedelta(hours=1)):
            hearing_held(
                hearing_ids=hearing_ids,
                actor=self.users["demo_court_staff"],
                reason="Master calendar hearing held: pleadings taken; the respondent asked for time to find "
                "counsel (H2, H3).",
            )
        with _as_of(moment):
            hearings_move(
                hearing_ids=hearing_ids,
                slot_id=slot.pk,
                mode=Hearing.Status.CONTINUED,
                actor=self.users["demo_court_staff"],
                reason="Continued at the master calendar hearing to allow time to find counsel (H2).",
            )

    # Hearing day, court and ICE (step 8)

    def _hearing_step(
        self,
        *,
        step: tuple[str, str, str],
        case: Case,
        position: int,
        reason: str,
        actors: dict[str, User],
        family: Family,
        place: HearingLocation,
        fear_at: dt.datetime | None,
    ) -> None:
        """One move of the story after the NTA, through the service of the workflow that owns it, as of the
        moment it happened in the story (``position``: the person's place in the family, a few minutes
        apart at the port)."""
        to_status, actor_key, _reason_key = step
        port = place.reporting_port
        if step == _RETURNED:
            # H1: returned through the reporting port after the NTA was served, by an officer posted there.
            officer = actors["officer"]
            returner = officer if port.pk in officer.duty_location_ids else actors["port_officer"]
            at = min(self.served_at + dt.timedelta(minutes=90 + 3 * position), self.now)
            self._return(case=case, port=port, actor=returner, reason=reason, at=at)
        elif step in (_REPORTED, _REPORTED_AGAIN):
            self._report_in(case=case, position=position, actor=actors[actor_key], family=family, place=place)
        elif step in _CONTINUATIONS:
            continued = (
                Hearing.objects.filter(case=case, status=Hearing.Status.CONTINUED)
                .order_by("-starts_at")
                .first()
            )
            if continued is None:
                raise CommandError(f"Seed story out of step: case {case.pk} has no continued hearing.")
            officer = actors[actor_key]
            if step == _CONTINUED:
                at = continued.starts_at + dt.timedelta(hours=7)
            else:
                # S4/H1: kept in CBP custody while the claim was decided, returned after the concurrence.
                assert fear_at is not None
                at = fear_at + FEAR_CONCURRED_AFTER + dt.timedelta(hours=2)
                night = continued.starts_at + dt.timedelta(hours=10)
                with _as_of(night):
                    overnight_in(hearing_ids=[continued.pk], actor=officer, at=night, now=night)
                out = at - dt.timedelta(minutes=15)
                with _as_of(out):
                    overnight_out(hearing_ids=[continued.pk], actor=officer, at=out, now=out)
            self._return(case=case, port=port, actor=officer, reason=reason, at=at)
        elif to_status.startswith("completed_"):
            self._decide(case=case, reason_key=_reason_key, reason=reason, court=actors["court"], place=place)
        elif to_status == CaseStatus.REOPENED:
            self._reopen(case=case, reason=reason, court=actors["court"], place=place)
        elif to_status == CaseStatus.HANDED_TO_ICE:
            handoff = EroHandoff.objects.get(case=case, handed_at__isnull=True, cancelled_at__isnull=True)
            decision = Completion.objects.select_related("hearing").filter(case=case).latest("id")
            assert decision.hearing is not None
            at = decision.hearing.starts_at + dt.timedelta(hours=6)
            with _as_of(at):
                ero_handoff_record(
                    handoff_id=handoff.pk,
                    handed_location_id=port.pk,
                    received_by_name=ERO_RECEIVER,
                    actor=actors[actor_key],
                    reason=reason,
                    handed_at=at,
                )
        else:
            raise CommandError(f"Seed story out of step: no workflow tells the move to {to_status}.")

    def _return(self, *, case: Case, port: Location, actor: User, reason: str, at: dt.datetime) -> None:
        """H1: ``hearings.day_services.return_to_mexico`` at ``at`` (F4 would refuse a pending claim)."""
        if at > self.now:
            raise CommandError(f"Seed story out of step: case {case.pk}'s return is in the future.")
        with _as_of(at):
            return_to_mexico(case_ids=[case.pk], port_id=port.pk, actor=actor, reason=reason, now=at)

    def _report_in(
        self, *, case: Case, position: int, actor: User, family: Family, place: HearingLocation
    ) -> None:
        """H1: checked in at the reporting port ten minutes after the report time on the tear sheet
        (``check_in``), transported to the court an hour before the hearing. Someone in the U.S. for a
        hearing since the last court day was held overnight in CBP custody. Today's arrivals whose report
        time has not come yet when the seed runs are left to the demo CBP officer."""
        hearing = Hearing.objects.get(case=case, status=Hearing.Status.SCHEDULED)
        day = timezone.localdate(hearing.starts_at, place.zone)
        at = _checked_in_at(place, day, timezone.localtime(hearing.starts_at, place.zone).time(), position)
        if at > self.now:
            if family.path in TODAY_PATHS:
                return
            raise CommandError(f"Seed story out of step: case {case.pk}'s check-in is in the future.")
        with _as_of(at):
            check_in(hearing_ids=[hearing.pk], actor=actor, now=at)
        moved = hearing.starts_at - dt.timedelta(hours=1)
        if moved <= self.now:
            with _as_of(moved):
                transported(hearing_ids=[hearing.pk], actor=actor, now=moved)
        if family.path == "in_us_for_hearing" and day < timezone.localdate(self.now, place.zone):
            night = hearing.starts_at + dt.timedelta(hours=10)
            with _as_of(night):
                overnight_in(hearing_ids=[hearing.pk], actor=actor, at=night, now=night)

    def _decide(
        self, *, case: Case, reason_key: str, reason: str, court: User, place: HearingLocation
    ) -> None:
        """H4/H5: the immigration judge's decision at the case's scheduled hearing, recorded by court staff
        that day (``completion_record``): held first (``hearing_held``), or, for an order in absentia, the
        failure to appear (``failure_to_appear``). A reserved appeal is filed with the BIA on day 21 when
        the story is older than the deadline (so no reserved appeal's deadline has silently passed)."""
        decision, appeal = DECISIONS[reason_key]
        hearing = (
            Hearing.objects.filter(case=case, status=Hearing.Status.SCHEDULED).order_by("starts_at").first()
        )
        if hearing is None:
            raise CommandError(f"Seed story out of step: case {case.pk} has no hearing to decide at.")
        day = timezone.localdate(hearing.starts_at, place.zone)
        if decision == Completion.Decision.REMOVAL_IN_ABSENTIA:
            with _as_of(hearing.starts_at + dt.timedelta(hours=2)):
                failure_to_appear(
                    hearing_ids=[hearing.pk],
                    actor=court,
                    reason=f"Did not report at {place.reporting_port.name} and was not present when the case "
                    "was called (H1).",
                )
        else:
            with _as_of(hearing.starts_at + dt.timedelta(hours=1)):
                hearing_held(
                    hearing_ids=[hearing.pk], actor=court, reason="Hearing held before the immigration judge."
                )
        with _as_of(hearing.starts_at + dt.timedelta(hours=3)):
            completion = completion_record(
                case_id=case.pk,
                hearing_id=hearing.pk,
                decision=decision,
                decided_on=day,
                appeal=appeal,
                appeal_due_on=day + APPEAL_DAYS if appeal == Completion.Appeal.RESERVED else None,
                actor=court,
                reason=reason,
            )
        filed_on = day + APPEAL_FILED_AFTER
        if appeal == Completion.Appeal.RESERVED and day + APPEAL_DAYS < timezone.localdate(
            self.now, place.zone
        ):
            with _as_of(dt.datetime.combine(filed_on, dt.time(11, 0), tzinfo=place.zone)):
                appeal_record(
                    completion_id=completion.pk,
                    appeal=Completion.Appeal.FILED,
                    filed_on=filed_on,
                    actor=court,
                    reason="Notice of appeal (Form EOIR-26) filed with the Board of Immigration Appeals.",
                )

    def _reopen(self, *, case: Case, reason: str, court: User, place: HearingLocation) -> None:
        """H5: the motion to reopen granted five weeks after the order (``reopening_record``: the due
        hand-off to ICE ERO is cancelled), and the case back on the docket in two weeks
        (``hearing_schedule``: a new hearing and tear sheet)."""
        latest = Completion.objects.filter(case=case).latest("id")
        granted = min(latest.decided_on + REOPENED_AFTER, timezone.localdate(self.now, place.zone))
        with _as_of(min(dt.datetime.combine(granted, dt.time(10, 0), tzinfo=place.zone), self.now)):
            reopening_record(
                case_id=case.pk,
                kind=Reopening.Kind.MOTION_TO_REOPEN,
                granted_on=granted,
                actor=court,
                reason=reason,
            )
        slot = self._slot(
            place, _court_day(self.today + dt.timedelta(days=14)), RESCHEDULED_TIME, as_of=self.now
        )
        hearing_schedule(
            case_id=case.pk,
            slot_id=slot.pk,
            actor=court,
            reason="Master calendar hearing after the motion to reopen was granted (H5).",
        )

    def _counsel(self, *, cases: list[Case], place: HearingLocation, filed_on: dt.date) -> None:
        """H3: an attorney of the family's choosing, at no expense to the Government, files a Form EOIR-28
        for each member on ``filed_on``; court staff enter it."""
        name, organization, eoir_id = COUNSEL[place.court.code]
        with _as_of(dt.datetime.combine(filed_on, dt.time(10, 0), tzinfo=place.zone)):
            for case in cases:
                representation_record(
                    case_id=case.pk,
                    kind=Representation.Kind.ATTORNEY,
                    name=name,
                    organization=organization,
                    eoir_id=eoir_id,
                    eoir28_filed_on=filed_on,
                    actor=self.users["demo_court_staff"],
                    reason="Form EOIR-28 received: counsel of the respondent's choosing, at no expense to the "
                    "Government (H3).",
                )

    def _observers(self) -> None:
        """O1/O2: the log at the Laredo hearing facility. A member of the public asked at the front desk to
        observe a mother's hearing: granted. Another family's hearings were closed to the public for their
        sensitive matters, and a newspaper's request through DHS Public Affairs for one is refused for that
        reason (in the plain words observers are told, O1)."""
        supervisor, clerk = self.users["demo_cbp_supervisor"], self.users["demo_court_staff"]
        for kind, cases, place in self.to_observe:
            hearings = list(
                Hearing.objects.filter(case__in=cases, status=Hearing.Status.SCHEDULED).order_by("case_id")
            )
            head = hearings[0]
            for_day = timezone.localdate(head.starts_at, place.zone)
            if kind == "press_closed":
                for hearing in hearings:
                    hearing_close_to_public(
                        hearing_id=hearing.pk,
                        actor=clerk,
                        reason="Closed at counsel's request: the hearing concerns a child's sensitive matters "
                        "(O1).",
                    )
                request = observer_request_record(
                    facility_id=place.pk,
                    kind=ObserverRequest.Kind.PRESS,
                    requester_name="Marta Villegas (demo)",
                    outlet="Río Grande Ledger (demo)",
                    public_affairs_contact="DHS Office of Public Affairs, media desk — J. Alvarez (demo)",
                    for_day=for_day,
                    hearing_id=head.pk,
                    asked_at=self.now - dt.timedelta(hours=3),
                    actor=supervisor,
                    reason="Press request forwarded by DHS Public Affairs (O2).",
                )
                observer_request_decide(
                    request_id=request.pk,
                    decision=ObserverRequest.Decision.REFUSED,
                    actor=clerk,
                    reason="Refused: the hearing is closed to the public (O1).",
                )
            else:
                request = observer_request_record(
                    facility_id=place.pk,
                    kind=ObserverRequest.Kind.PUBLIC,
                    requester_name="Rebecca Thornton (demo)",
                    for_day=for_day,
                    hearing_id=head.pk,
                    asked_at=self.now - dt.timedelta(hours=2),
                    actor=supervisor,
                    reason="Asked in person at the facility's front desk to observe the hearing (O1).",
                )
                observer_request_decide(
                    request_id=request.pk,
                    decision=ObserverRequest.Decision.GRANTED,
                    actor=clerk,
                    reason="Granted: the hearing is open to the public; seating in the public gallery (O1).",
                )

    # After every family's story

    def finish(self) -> None:
        """What happened since, today: the bus delivers what the stories emitted (the continued hearings'
        new tear sheets, N5, and the notices); print staff at San Ysidro and Laredo print the packets of
        the people already returned to Mexico; one EOIR-33 arrives (N6); court staff reschedule one
        family's hearing, and the bus issues its new sheets, which wait in the print queue with those of
        the families served days ago."""
        self._deliver()
        self._print_packets_carried()
        self._observers()
        clerk = self.users["demo_court_staff"]
        for case, city in self.to_move_house:
            address_change_record(
                case_id=case.pk,
                address=self._address(city),
                received_on=self.today - dt.timedelta(days=3),
                how_received="mail",
                actor=clerk,
            )
        for cases in self.to_reschedule:
            hearings = list(
                Hearing.objects.filter(case__in=cases, status=Hearing.Status.SCHEDULED).select_related(
                    "hearing_location"
                )
            )
            place = hearings[0].hearing_location
            day = timezone.localdate(hearings[0].starts_at, place.zone)
            slot = self._slot(place, _court_day(day + dt.timedelta(days=7)), RESCHEDULED_TIME, as_of=self.now)
            hearings_move(
                hearing_ids=[h.pk for h in hearings],
                slot_id=slot.pk,
                mode=Hearing.Status.RESCHEDULED,
                actor=clerk,
                reason="The immigration judge's docket that morning was reassigned; the family's hearing "
                "moves a week later (H2).",
            )
        self._deliver()

    def _deliver(self) -> None:
        """Run the event bus's deliveries now, in this process, as the worker would after the commit."""
        outbox_relay(batch_size=10_000)

    def _print_packets_carried(self) -> None:
        """The demo print staff print the current packets, at their duty locations, of everyone already
        returned to Mexico or beyond (they carried them), a few sheets per batch as the page does."""
        printer = self.users["demo_print_staff"]
        by_location: dict[int, list[int]] = {}
        for sheet_id, location_id in (
            TearSheet.objects.filter(
                location_id__in=sorted(printer.duty_location_ids),
                superseded_at__isnull=True,
                printed_at__isnull=True,
            )
            .exclude(case__status=CaseStatus.ENROLLED)
            .order_by("pk")
            .values_list("pk", "location_id")
        ):
            by_location.setdefault(location_id, []).append(sheet_id)
        for ids in by_location.values():
            for start in range(0, len(ids), INLINE_BATCH_MAX):
                batch = print_batch_create(sheet_ids=ids[start : start + INLINE_BATCH_MAX], actor=printer)
                if print_batch_build(batch_id=batch.pk).status == batch.Status.READY:
                    print_batch_mark_printed(batch_id=batch.pk, actor=printer)
