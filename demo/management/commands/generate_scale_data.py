"""``manage.py generate_scale_data --cases 500000 --seed N``: program-scale data for measuring speed.

Families, people, encounters, cases in every status, screening facts, amenability reviews and decisions,
fear-claim holds, the case events and the history rows the services would have written — in set-based SQL
(``scale_sql``), not through the services: at 500k cases the services would take hours. Then the hearings,
NTAs and tear sheets (``scale_hearings``), the fear claims, USCIS assessments and ICE custody referrals
and determinations (``scale_fear``), and the courts' completions, reopenings, counsel of record and ERO
hand-offs (``scale_court``). The stories follow the transition table and the constraints; the tests check
that they do. ``--add-hearings``, ``--add-fear`` and ``--add-court`` add those parts to a scale database
generated before they existed.

Refuses unless the database has no cases, people, family units or encounters, and its name ends in
``_scale`` (or ``--allow-any-database`` is given). Actors are a pool of ``scale_*`` users per role and
site, with unusable passwords; demo users are not touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import time
from dataclasses import asdict
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.models import (
    OPEN_REFERRAL,
    Alien,
    Case,
    CaseStatus,
    CustodyDetermination,
    CustodyReferral,
    Encounter,
    EroHandoff,
    FamilyUnit,
    Hold,
    Language,
)
from demo.management.commands import scale_court as qc
from demo.management.commands import scale_fear as qf
from demo.management.commands import scale_hearings as qh
from demo.management.commands import scale_sql as q
from hearings.models import (
    Charge,
    Completion,
    Hearing,
    HearingLocation,
    NoticeToAppear,
    Reopening,
    Representation,
)
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from screenings.models import AmenabilityReview, FearAssessment, FearClaim
from screenings.rules import EXCLUSIONS

USER_PREFIX = "scale_"
# Staff per encounter site (the officers or agents who process, the supervisors who review) and national pools.
SITE_STAFF = {Location.Kind.PORT_OF_ENTRY: (Role.CBP_OFFICER, 3), Location.Kind.BORDER_PATROL_STATION: (
    Role.BORDER_PATROL_AGENT, 3)}  # fmt: skip
SUPERVISORS_PER_SITE = 2
PRINT_STAFF_PER_SITE = 1
ICE_PER_SITE = 1  # ICE officers posted at the site: told of custody determinations due there (S4)
# Staff of each USCIS asylum office, posted there (a claim is worked only by its office's staff).
OFFICE_STAFF = {Role.ASYLUM_OFFICER: 4, Role.SUPERVISORY_ASYLUM_OFFICER: 2}
NATIONAL_STAFF = {
    Role.COURT_STAFF: 8,
    Role.ICE_OFFICER: 4,
    Role.ASYLUM_OFFICER: 6,
    Role.SUPERVISORY_ASYLUM_OFFICER: 3,
    Role.ANALYST: 1,
}
STAFF_FIRST = ["Laura", "Daniel", "Mónica", "Raúl", "Erin", "Tomás", "Claudia", "Steven", "Beatriz", "Iván"]
STAFF_LAST = [
    "Garza",
    "Salinas",
    "Cantú",
    "Whitfield",
    "Ybarra",
    "Keller",
    "Ochoa",
    "Dunn",
    "Villegas",
    "Rey",
]

# Tables whose ids the generator assigns itself (case = alien = member = n; family unit = encounter = f).
ID_TABLES = (
    *qh.ID_TABLES,
    "cases_alien",
    "cases_familyunit",
    "cases_familymember",
    "cases_encounter",
    "cases_case",
    "cases_hold",
    "screenings_screeningfacts",
    "screenings_amenabilityreview",
    "screenings_memberdecision",
    *qf.ID_TABLES,
    *qc.ID_TABLES,
)
# A concurred positive assessment is about 13 % of MPP referrals. The stories of ``scale_sql.PATHS`` weigh the
# positive path as much as the negative one (4 and 4); with this weight, and the extra negative claims of
# ``scale_fear``, about 13 % of referrals are positive and about 12 % of the enrolled are referred.
PATH_WEIGHTS = {"fear_positive": 2.3}


class Command(BaseCommand):
    help = "Generate program-scale data (families, cases, holds, reviews, events, history) in set-based SQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="Exact number of cases to create.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same people and stories.")
        parser.add_argument(
            "--add-hearings",
            action="store_true",
            help="Only add the hearings, NTAs and tear sheets to a scale database generated without them.",
        )
        parser.add_argument(
            "--add-fear",
            action="store_true",
            help="Only add the fear claims, USCIS assessments and ICE custody referrals and determinations to "
            "a scale database generated without them.",
        )
        parser.add_argument(
            "--add-court",
            action="store_true",
            help="Only add the courts' completions, reopenings, counsel of record and ERO hand-offs to a scale "
            "database generated without them.",
        )
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="Run on a database whose name does not end in _scale (it must still have no cases).",
        )

    def handle(self, *args: object, **options: object) -> None:
        cases = int(options["cases"])  # type: ignore[call-overload]
        seed = int(options["seed"])  # type: ignore[call-overload]
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if options["add_hearings"] or options["add_fear"] or options["add_court"]:
            name = str(connection.settings_dict["NAME"])
            if not name.endswith("_scale") and not options["allow_any_database"]:
                raise CommandError(f"Refusing to add scale data in database “{name}”: not a _scale database.")
        if options["add_hearings"]:
            with transaction.atomic():
                timings = add_hearings(seed=seed)
            self.stdout.write(
                f"generate_scale_data: added {Hearing.objects.count()} hearings, "
                f"{NoticeToAppear.objects.count()} NTAs: " + ", ".join(f"{n} {t:.1f}s" for n, t in timings)
            )
        if options["add_fear"]:
            with transaction.atomic():
                timings = add_fear(seed=seed)
            self.stdout.write(f"generate_scale_data: added {fear_summary()}")
            self.stdout.write("generate_scale_data: steps: " + ", ".join(f"{n} {t:.1f}s" for n, t in timings))
        if options["add_court"]:
            with transaction.atomic():
                timings = add_court(seed=seed)
            self.stdout.write(f"generate_scale_data: added {court_summary()}")
            self.stdout.write("generate_scale_data: steps: " + ", ".join(f"{n} {t:.1f}s" for n, t in timings))
        if options["add_hearings"] or options["add_fear"] or options["add_court"]:
            return
        self._refuse_unless_safe(allow_any=bool(options["allow_any_database"]))
        started = time.monotonic()
        with transaction.atomic():
            if Case.objects.exists() or Alien.objects.exists():  # checked again inside the transaction
                raise CommandError("The database already has cases or people; refusing to add to them.")
            staff = _staff_ensure()
            timings = _generate(cases=cases, seed=seed, staff=staff)
        analyze_started = time.monotonic()
        with connection.cursor() as cursor:
            for table in (*q.ANALYZE_TABLES, *qh.ANALYZE_TABLES, *qf.ANALYZE_TABLES, *qc.ANALYZE_TABLES):
                cursor.execute(f"ANALYZE {table}")
        timings.append(("analyze", time.monotonic() - analyze_started))
        total = time.monotonic() - started
        by_status = dict(Case.objects.order_by().values_list("status").annotate(n=Count("id")))
        self.stdout.write(
            f"generate_scale_data: {cases} cases in {FamilyUnit.objects.count()} family units, seed {seed}, "
            f"{total:.1f} s"
        )
        self.stdout.write(
            "generate_scale_data: by status: "
            + ", ".join(f"{s} {by_status[s]}" for s in CaseStatus.values if s in by_status)
        )
        self.stdout.write(f"generate_scale_data: {fear_summary()}")
        self.stdout.write(f"generate_scale_data: {court_summary()}")
        self.stdout.write(
            "generate_scale_data: steps: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings)
        )

    def _refuse_unless_safe(self, *, allow_any: bool) -> None:
        name = str(connection.settings_dict["NAME"])
        if not name.endswith("_scale") and not allow_any:
            raise CommandError(
                f"Refusing to generate scale data in database “{name}”: its name does not end in _scale. "
                "Use a scratch database (e.g. mpp_timing_scale) or pass --allow-any-database."
            )
        for model in (Case, Alien, FamilyUnit, Encounter):
            if model.objects.exists():
                raise CommandError(
                    f"Refusing to generate scale data in database “{name}”: it already has "
                    f"{model._meta.verbose_name_plural}. Scale data goes into an empty database only."
                )


def _staff_ensure() -> dict[str, object]:
    """The ``scale_*`` users (created once, reused on later runs; postings added when missing), grouped for
    the SQL."""
    sites = list(
        Location.objects.filter(
            code__in=q.SITES, kind__in=[Location.Kind.PORT_OF_ENTRY, Location.Kind.BORDER_PATROL_STATION]
        ).order_by("code")
    )
    if len(sites) != len(q.SITES):
        raise CommandError("The ports and stations are missing: run the migrations first.")
    offices = list(Location.objects.filter(kind=Location.Kind.ASYLUM_OFFICE, is_active=True).order_by("code"))
    if not offices:
        raise CommandError("The USCIS asylum offices are missing: run the migrations first.")
    # (username, role, duty locations)
    wanted: list[tuple[str, str, list[Location]]] = []
    for site in sites:
        role, count = SITE_STAFF[site.kind]  # type: ignore[index]
        per_site = [
            (role, count),
            (Role.CBP_SUPERVISOR, SUPERVISORS_PER_SITE),
            (Role.PRINT_STAFF, PRINT_STAFF_PER_SITE),
            (Role.ICE_OFFICER, ICE_PER_SITE),
        ]
        wanted += [
            (f"{USER_PREFIX}{r}_{site.code}_{i}", r, [site]) for r, n in per_site for i in range(1, n + 1)
        ]
    for office in offices:
        wanted += [
            (f"{USER_PREFIX}{r}_{office.code}_{i}", r, [office])
            for r, n in OFFICE_STAFF.items()
            for i in range(1, n + 1)
        ]
    for role, count in NATIONAL_STAFF.items():
        # The national supervisory asylum officers concur on the stories' claims of both offices: posted at both.
        posted = offices if role == Role.SUPERVISORY_ASYLUM_OFFICER else []
        wanted += [(f"{USER_PREFIX}{role}_{i}", role, posted) for i in range(1, count + 1)]

    existing = {u.username: u for u in User.objects.filter(username__startswith=USER_PREFIX)}
    new = [
        User(
            username=username,
            first_name=STAFF_FIRST[i % len(STAFF_FIRST)],
            last_name=STAFF_LAST[(i // len(STAFF_FIRST) + i) % len(STAFF_LAST)],
            email=f"{username}@example.gov",
            password=make_password(None),
        )
        for i, (username, _role, _posts) in enumerate(wanted)
        if username not in existing
    ]
    specs = {username: (role, posts) for username, role, posts in wanted}
    if new:
        bulk_create_with_history(
            new, User, default_change_reason="Scale test account created by generate_scale_data"
        )
        groups = {g.name: g for g in Group.objects.filter(name__in={r for _, r, _ in wanted})}
        users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new])}
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=u.pk, group_id=groups[specs[name][0]].pk)
                for name, u in users.items()
            ]
        )
        existing.update(users)
    # Postings, also of users created by an earlier run (the offices' postings came with step 7).
    User.duty_locations.through.objects.bulk_create(
        [
            User.duty_locations.through(user_id=existing[name].pk, location_id=place.pk)
            for name, (_role, posts) in specs.items()
            for place in posts
        ],
        ignore_conflicts=True,
    )

    def ids(role: str, site: Location | None = None) -> list[int]:
        prefix = f"{USER_PREFIX}{role}_" + (f"{site.code}_" if site else "")
        return sorted(
            u.pk
            for name, u in existing.items()
            if name.startswith(prefix) and (site is not None or name[len(prefix) :].isdigit())
        )

    by_code = {s.code: s for s in sites}
    site_rows = []
    total = sum(weight for weight, _ in q.SITES.values())
    acc = 0.0
    for code, (weight, port_code) in q.SITES.items():
        site, port = by_code[code], by_code[port_code]
        role, _ = SITE_STAFF[site.kind]  # type: ignore[index]
        site_rows.append(
            {
                "id": site.pk,
                "code": code,
                "name": site.name,
                "tz": site.time_zone,
                "component": "OFO" if site.kind == Location.Kind.PORT_OF_ENTRY else "USBP",
                "port_id": port.pk,
                "port_name": port.name,
                "lo": acc / total,
                "hi": (acc + weight) / total if code != list(q.SITES)[-1] else 1.0,
                "officers": ids(role, site),
                "supervisors": ids(Role.CBP_SUPERVISOR, site),
                "port_officers": ids(Role.CBP_OFFICER, port),
                "printers": ids(Role.PRINT_STAFF, site),
                "site_ice": ids(Role.ICE_OFFICER, site),
            }
        )
        acc += weight
    return {
        "sites": site_rows,
        "offices": [
            {
                "id": office.pk,
                "name": office.name,
                "tz": office.time_zone,
                "officers": ids(Role.ASYLUM_OFFICER, office),
                "saos": ids(Role.SUPERVISORY_ASYLUM_OFFICER, office),
            }
            for office in offices
        ],
        "court": ids(Role.COURT_STAFF),
        "ice": ids(Role.ICE_OFFICER),
        "sao": ids(Role.SUPERVISORY_ASYLUM_OFFICER),
        "printers": {row["id"]: row["printers"] for row in site_rows},
    }


def _ranges(weights: dict[str, float]) -> list[tuple[str, float, float]]:
    total, acc, rows = sum(weights.values()), 0.0, []
    for i, (code, weight) in enumerate(weights.items()):
        hi = 1.0 if i == len(weights) - 1 else (acc + weight) / total
        rows.append((code, acc / total, hi))
        acc += weight
    return rows


def _load_reference(cursor: object, staff: dict[str, object]) -> None:
    c = cursor
    for statement in q.SETUP:
        c.execute(statement)  # type: ignore[attr-defined]
    picks = [("country", code, lo, hi) for code, lo, hi in _ranges(dict(q.COUNTRY_WEIGHTS))]
    for country in q.COUNTRY_WEIGHTS:
        langs = q.LANGUAGE_WEIGHTS.get(country, {q.DEFAULT_LANGUAGE: 1})
        picks += [(f"lang:{country}", code, lo, hi) for code, lo, hi in _ranges(dict(langs))]
    c.executemany("INSERT INTO sg_pick VALUES (%s, %s, %s, %s)", picks)  # type: ignore[attr-defined]
    c.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sg_surname VALUES (%s, %s, %s)",
        [
            (country, rank, name)
            for country, names in q.SURNAMES.items()
            for rank, name in enumerate(names, 1)
        ],
    )
    c.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sg_given VALUES (%s, %s, %s, %s)",
        [
            (pool, sex, rank, n)
            for (pool, sex), names in q.GIVEN_NAMES.items()
            for rank, n in enumerate(names, 1)
        ],
    )
    counts = [("surname", country, len(names)) for country, names in q.SURNAMES.items()]
    counts += [("given", f"{pool}{sex}", len(names)) for (pool, sex), names in q.GIVEN_NAMES.items()]
    c.executemany("INSERT INTO sg_count VALUES (%s, %s, %s)", counts)  # type: ignore[attr-defined]
    c.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sg_site VALUES (%(id)s, %(code)s, %(name)s, %(tz)s, %(component)s, %(port_id)s, "
        "%(port_name)s, %(lo)s, %(hi)s, %(officers)s, %(supervisors)s, %(port_officers)s)",
        staff["sites"],
    )
    path_rows, step_rows = [], []
    for idx, ((code, lo, hi), path) in enumerate(
        zip(_ranges({p.code: PATH_WEIGHTS.get(p.code, p.weight) for p in q.PATHS}), q.PATHS, strict=True), 1
    ):
        last_at = max((s.at for s in path.steps), default=0.0)
        decided = any(s.decision for s in path.steps)
        path_rows.append((code, idx, lo, hi, last_at, path.recent, bool(path.steps), decided))
        seen_decision = False
        for k, s in enumerate(path.steps, 1):
            step_rows.append(
                (code, k, s.op, s.target, s.actor, s.event, s.reason, s.other_reason, s.at, s.head_only,
                 s.decision, seen_decision, list(s.reasons))
            )  # fmt: skip
            seen_decision = seen_decision or s.decision
    c.executemany("INSERT INTO sg_path VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", path_rows)  # type: ignore[attr-defined]
    c.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sg_step VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", step_rows
    )
    c.executemany(  # type: ignore[attr-defined]
        "INSERT INTO sg_language VALUES (%s, %s)", list(Language.objects.values_list("code", "id"))
    )


def _generate(*, cases: int, seed: int, staff: dict[str, object]) -> list[tuple[str, float]]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    a_offset = int.from_bytes(hashlib.sha256(f"a-number:{seed}".encode()).digest()[:8]) % 100_000_000
    params: dict[str, Any] = {
        "seed": seed,
        "cases": cases,
        "now": now,
        "paths": len(q.PATHS),
        "court": staff["court"],
        "ice": staff["ice"],
        "sao": staff["sao"],
        "mixed": q.MIXED_CHILD_SHARE,
        "pools": json.dumps(q.NAME_POOL),
        "a_offset": a_offset,
        "exclusions": json.dumps({code: asdict(reason) for code, reason in EXCLUSIONS.items()}),
        "ct_review": ContentType.objects.get_for_model(AmenabilityReview).pk,
        "ct_hold": ContentType.objects.get_for_model(Hold).pk,
    }
    timings: list[tuple[str, float]] = []
    with connection.cursor() as cursor:
        _load_reference(cursor, staff)
        for name, sql in q.GENERATE:
            started = time.monotonic()
            for statement in sql.split(";\n"):
                if statement.strip():
                    cursor.execute(statement, params)
            timings.append((name, time.monotonic() - started))
        timings += _generate_hearings(cursor, seed=seed, now=now, staff=staff)
        timings += _generate_fear(cursor, seed=seed, now=now, staff=staff)
        timings += _generate_court(cursor, seed=seed, now=now, staff=staff)
        for table in ID_TABLES:
            # ``table`` is one of the constants above, never input.
            sequence_sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
            cursor.execute(sequence_sql)
    return timings


def _generate_hearings(
    cursor: Any, *, seed: int, now: dt.datetime, staff: dict[str, Any]
) -> list[tuple[str, float]]:
    """The NTAs, hearings, slots, addresses and tear sheets of every served case (``scale_hearings``)."""
    places = {h.code: h for h in HearingLocation.objects.all()}
    sites = {loc.code: loc for loc in Location.objects.filter(code__in=qh.SITE_PLACES)}
    rows = []
    for code, place_code in qh.SITE_PLACES.items():
        site, place = sites.get(code), places.get(place_code)
        if site is None or place is None:
            raise CommandError(f"Reference data missing for {code} → {place_code}: run the migrations first.")
        printers = staff["printers"].get(site.pk) or []
        if not printers:
            raise CommandError(f"No scale print staff at {code}.")
        city, state = qh.SITE_CITIES[code]
        rows.append(
            (site.pk, site.time_zone, place.pk, place.time_zone, place.court_id, city, state, printers)
        )
    charges = dict(Charge.objects.values_list("code", "id"))
    params = {
        "seed": seed,
        "now": now,
        "court": staff["court"],
        "charge_arriving": charges["212(a)(7)(A)(i)(I)"],
        "charge_present": charges["212(a)(6)(A)(i)"],
        "streets": qh.STREETS,
        "languages": list(qh.SHEET_LANGUAGES),
        "served": list(qh.SERVED_STATUSES),
    }
    timings: list[tuple[str, float]] = []
    for statement in qh.SETUP:
        cursor.execute(statement)
    cursor.executemany("INSERT INTO sh_site VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    for name, sql in qh.GENERATE:
        started = time.monotonic()
        for statement in sql.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
        timings.append((name, time.monotonic() - started))
    return timings


def add_hearings(*, seed: int) -> list[tuple[str, float]]:
    """``--add-hearings``: the hearings of a scale database generated before they existed."""
    if Hearing.objects.exists() or NoticeToAppear.objects.exists():
        raise CommandError("This database already has hearings or NTAs; refusing to add to them.")
    staff = _staff_ensure()
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    with connection.cursor() as cursor:
        for statement in q.SETUP[:3]:  # the random functions only
            cursor.execute(statement)
        timings = _generate_hearings(cursor, seed=seed, now=now, staff=staff)
        for table in qh.ID_TABLES:
            sequence_sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
            cursor.execute(sequence_sql)
        for table in qh.ANALYZE_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return timings


def _fear_parameters(*, seed: int, now: dt.datetime, extra: int) -> dict[str, Any]:
    """The labels and texts the services would write (from the models' choices), and the shares."""

    def lower(choices: Any) -> dict[str, str]:
        return {value: str(label).lower() for value, label in choices.choices}

    def labels(choices: Any) -> dict[str, str]:
        return {value: str(label) for value, label in choices.choices}

    custody, acc = [], 0.0
    for decision, share, reason in qf.CUSTODY:
        custody.append({"decision": decision, "lo": acc, "hi": acc + share if decision != "other" else 1.0,
                        "reason": reason})  # fmt: skip
        acc += share
    texts = {
        "statements": qf.STATEMENTS,
        "accounts": qf.ACCOUNTS,
        "counsel": qf.COUNSEL,
        "reasons": qf.REASONS,
        "medical": qf.MEDICAL_NOTE,
        "return": qf.RETURN_REASON,
        "concur": qf.CONCUR_REASON,
        # screenings.fear_services.fear_assessment_review's words for what the concurrence does
        "effect": {
            "positive": "the whole family is not processed for MPP or is removed from it (S4, F5).",
            "negative": "the hold is released; the person — and the family, if no other claim is pending — may "
            "be returned to Mexico pending proceedings (S4). Nobody was moved.",
        },
        "custody": custody,
        "revisit": {decision: list(pair) for decision, pair in qf.REVISIT_REASON.items()},
    }
    return {
        "seed": seed,
        "now": now,
        "extra": extra,
        "child_share": qf.CHILD_CLAIM_SHARE,
        "positive_share": qf.POSITIVE_SHARE,
        "returned_share": qf.RETURNED_ONCE_SHARE,
        "revisit_share": qf.REVISIT_SHARE,
        "custody_backlog": qf.CUSTODY_BACKLOG_SHARE,
        "labels": json.dumps(
            {
                "stated_by": lower(FearClaim.StatedBy),
                "setting": lower(FearClaim.Setting),
                "determination": labels(FearAssessment.Determination),
                "ground": labels(FearAssessment.Ground),
                "outcome": labels(FearClaim.Outcome),
                "decision": labels(CustodyDetermination.Decision),
            }
        ),
        "texts": json.dumps(texts),
        "ct_hold": ContentType.objects.get_for_model(Hold).pk,
        "ct_claim": ContentType.objects.get_for_model(FearClaim).pk,
        "ct_assessment": ContentType.objects.get_for_model(FearAssessment).pk,
        "ct_referral": ContentType.objects.get_for_model(CustodyReferral).pk,
        "ct_determination": ContentType.objects.get_for_model(CustodyDetermination).pk,
    }


def extra_claims_wanted() -> int:
    """How many claims ``scale_fear`` adds to the stories' holds: enough that about 13 % of referrals are
    positive, but no more than 15 % of the people who reached enrolment referred."""
    holds = Hold.objects.filter(kind="fear_claim")
    positive = holds.filter(outcome="positive").count()
    enrolled = Case.objects.filter(status__in=qh.SERVED_STATUSES).count()
    target = min(math.ceil(positive / qf.POSITIVE_SHARE), math.floor(qf.MAX_REFERRED_SHARE * enrolled))
    return max(0, target - holds.count())


def _generate_fear(
    cursor: Any, *, seed: int, now: dt.datetime, staff: dict[str, Any]
) -> list[tuple[str, float]]:
    """The fear claims of the stories' holds and more, their assessments, and ICE custody (``scale_fear``)."""
    offices = staff["offices"]
    for office in offices:
        if not office["officers"] or not office["saos"]:
            raise CommandError(f"No scale asylum officers or supervisors at {office['name']}.")
    # Per encounter site: the port its people report to on hearing day, that port's officers, ICE at the site.
    sites = [
        (row["id"], row["port_id"], row["port_name"], row["port_officers"], row["site_ice"])
        for row in staff["sites"]
    ]
    params = _fear_parameters(seed=seed, now=now, extra=extra_claims_wanted())
    timings: list[tuple[str, float]] = []
    for statement in qf.SETUP:
        cursor.execute(statement)
    cursor.executemany(
        "INSERT INTO sf_office VALUES (%(id)s, %(name)s, %(tz)s, %(officers)s, %(saos)s)", offices
    )
    cursor.executemany("INSERT INTO sf_site VALUES (%s, %s, %s, %s, %s)", sites)
    for name, sql in qf.GENERATE:
        started = time.monotonic()
        for statement in sql.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
        timings.append((name, time.monotonic() - started))
    return timings


def add_fear(*, seed: int) -> list[tuple[str, float]]:
    """``--add-fear``: the fear claims, assessments and custody of a scale database generated before them."""
    if not Case.objects.exists():
        raise CommandError("This database has no cases: generate them first (without --add-fear).")
    for model in (FearClaim, FearAssessment, CustodyReferral, CustodyDetermination):
        if model.objects.exists():
            raise CommandError(
                f"This database already has {model._meta.verbose_name_plural}; refusing to add to them."
            )
    staff = _staff_ensure()
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    with connection.cursor() as cursor:
        for statement in q.SETUP[:3]:  # the random functions only
            cursor.execute(statement)
        timings = _generate_fear(cursor, seed=seed, now=now, staff=staff)
        for table in qf.ID_TABLES:
            sequence_sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
            cursor.execute(sequence_sql)
        for table in qf.ANALYZE_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return timings


def fear_summary() -> str:
    """What the fear part produced, in the proportions the module docstring promises."""
    claims = FearClaim.objects.all()
    total = claims.count()
    decided = claims.filter(status=FearClaim.Status.DECIDED)
    positive = decided.filter(outcome=FearClaim.Outcome.POSITIVE).count()
    enrolled = Case.objects.filter(status__in=qh.SERVED_STATUSES).count()
    by_office = dict(
        claims.exclude(status=FearClaim.Status.DECIDED)
        .order_by()
        .values_list("asylum_office__code")
        .annotate(n=Count("id"))
    )
    referrals = CustodyReferral.objects.all()
    return (
        f"{total} fear claims ({total / max(enrolled, 1):.1%} of {enrolled} enrolled), "
        f"{decided.count()} decided ({positive} positive: {positive / max(total, 1):.1%} of the claims), "
        f"pending by office: {', '.join(f'{k} {v}' for k, v in sorted(by_office.items()))}; "
        f"{FearAssessment.objects.count()} assessments; {referrals.count()} ICE custody referrals "
        f"({referrals.filter(OPEN_REFERRAL).count()} open), "
        f"{CustodyDetermination.objects.count()} custody determinations"
    )


def _shares(shares: tuple[tuple[str, float], ...]) -> str:
    rows, acc = [], 0.0
    for i, (decision, share) in enumerate(shares):
        rows.append({"decision": decision, "lo": acc, "hi": 1.0 if i == len(shares) - 1 else acc + share})
        acc += share
    return json.dumps(rows)


def _generate_court(
    cursor: Any, *, seed: int, now: dt.datetime, staff: dict[str, Any]
) -> list[tuple[str, float]]:
    """The completions, reopenings, counsel of record and ERO hand-offs of the completed cases
    (``scale_court``)."""
    params = {
        "seed": seed,
        "now": now,
        "today": now.date(),
        "completed": list(qc.COMPLETED_STATUSES),
        "court": staff["court"],
        "represented": qc.REPRESENTED_SHARE,
        "counsel": json.dumps([{"kind": k, "name": n, "organization": o} for k, n, o in qc.COUNSEL]),
        "ero": json.dumps(qc.ERO_OFFICERS),
        "relief": _shares(qc.RELIEF_SHARES),
        "other": _shares(qc.OTHER_SHARES),
        "ct_representation": ContentType.objects.get_for_model(Representation).pk,
        "ct_handoff": ContentType.objects.get_for_model(EroHandoff).pk,
        "ct_completion": ContentType.objects.get_for_model(Completion).pk,
    }
    timings: list[tuple[str, float]] = []
    for statement in qc.SETUP:
        cursor.execute(statement)
    for name, sql in [*qc.GENERATE, *qc.history_statements()]:
        started = time.monotonic()
        for statement in sql.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
        timings.append((name, time.monotonic() - started))
    return timings


def add_court(*, seed: int) -> list[tuple[str, float]]:
    """``--add-court``: the courts' part of a scale database generated before it (hearings needed)."""
    if not NoticeToAppear.objects.exists():
        raise CommandError("This database has no NTAs: generate the hearings first (--add-hearings).")
    for model in (Completion, Reopening, Representation, EroHandoff):
        if model.objects.exists():
            raise CommandError(
                f"This database already has {model._meta.verbose_name_plural}; refusing to add to them."
            )
    staff = _staff_ensure()
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    with connection.cursor() as cursor:
        for statement in q.SETUP[:3]:  # the random functions only
            cursor.execute(statement)
        timings = _generate_court(cursor, seed=seed, now=now, staff=staff)
        for table in qc.ID_TABLES:
            sequence_sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"  # noqa: S608
            cursor.execute(sequence_sql)
        for table in qc.ANALYZE_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return timings


def court_summary() -> str:
    """What the court part produced."""
    by_decision = dict(Completion.objects.order_by().values_list("decision").annotate(n=Count("id")))
    handoffs = EroHandoff.objects.all()
    return (
        f"{sum(by_decision.values())} completions ("
        + ", ".join(f"{k} {v}" for k, v in sorted(by_decision.items()))
        + f"), {Reopening.objects.count()} reopenings, {Representation.objects.count()} counsel of record, "
        f"{handoffs.count()} ERO hand-offs ({handoffs.filter(handed_at__isnull=False).count()} handed, "
        f"{handoffs.filter(handed_at__isnull=True, cancelled_at__isnull=True).count()} due), "
        f"{Hearing.objects.filter(status=Hearing.Status.HELD).count()} hearings held"
    )
