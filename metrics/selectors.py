"""Read-only selectors of the program metrics (RULES.md M1-M5), each as of a chosen date.

Metrics are aggregates: counts of people, never who they are, so they carry no personal data (no access-log
row) and are read by analysts, administrators and, for the USCIS referrals, USCIS (``METRIC_ROLES``).

- **M1** Relief granted: the INA 240 proceedings that ended in asylum, statutory withholding or CAT withholding
  (``m1_relief_granted``).
- **M2** USCIS referrals: the number of MPP aliens referred for non-refoulement assessment interviews, with
  outcomes (``m2_uscis_referrals``).
- **M3** Cases completed by immigration judges since MPP's inception: enrolled (NTA filed) and initial
  completions (``m3_cases_completed``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from hearings.models import Completion
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from mpp.exceptions import InvalidInput

# Who reads the metrics: analysts (aggregate reports are their whole access), administrators, and USCIS,
# whose referrals M2 counts. Everyone else: 403.
METRIC_ROLES = frozenset(
    {Role.ANALYST, Role.ADMINISTRATOR, Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER}
)
# MPP was announced in December 2018 and began in January 2019: no date before it is a metric's date.
PROGRAM_START = dt.date(2019, 1, 1)


def may_read_metrics(user: User) -> bool:
    return user.is_active and user.has_role(*METRIC_ROLES)


def as_of_checked(as_of: dt.date | None) -> dt.date:
    """The as-of date of a metric: today when none is given; never in the future, never before MPP.
    Raises InvalidInput naming ``as_of``."""
    today = timezone.localdate()
    if as_of is None:
        return today
    if as_of > today:
        raise InvalidInput(
            f"Choose a date on or before today ({today:%Y-%m-%d}): a metric counts what had happened by then.",
            field="as_of",
        )
    if as_of < PROGRAM_START:
        raise InvalidInput(
            f"Choose a date from {PROGRAM_START:%Y-%m-%d}, when MPP began, onwards.", field="as_of"
        )
    return as_of


# --- M2: USCIS referrals, with outcomes --------------------------------------------------------------------


@dataclass(frozen=True)
class M2Counts:
    """People referred, and each one's outcome as of the date: positive, negative or pending (each person in
    exactly one of the three, so they add up to ``referred``)."""

    referred: int = 0
    positive: int = 0
    negative: int = 0
    pending: int = 0


@dataclass(frozen=True)
class M2Month:
    month: dt.date  # the first day of the month, in the asylum office's time zone
    counts: M2Counts


@dataclass(frozen=True)
class M2Office:
    office: Location
    months: list[M2Month] = field(default_factory=list)
    total: M2Counts = field(default_factory=M2Counts)  # each person once, whatever the months


@dataclass(frozen=True)
class M2Report:
    as_of: dt.date
    offices: list[M2Office]
    total: M2Counts  # the whole program: each person once, whatever the offices and months


# One query. Per asylum office: the end of the as-of day in its time zone, and its months from its first claim
# to the as-of date (when each began there). Per claim stated by then — an index range of fear_claim_m2_idx
# (office, stated_at, INCLUDE the columns read) — its month (a binary search of the months' beginnings: no
# time-zone arithmetic per claim), the person (the case's alien), and whether it was decided positive, or is
# still undecided, by the end of the as-of day.
# Counting people: positive if any of their claims in the cell (office and month), office or program was
# decided positive; else pending if any is undecided; else negative. Almost everyone has one claim, and then
# the person is the claim: those are counted per cell with the office and program totals (ROLLUP-like
# GROUPING SETS over a few dozen groups). Only the people with more than one claim are grouped person by
# person — a hash of every person would cost more than the rest of the query.
M2_SQL = """
WITH office AS (
    SELECT o.id, (%(as_of)s::date + 1)::timestamp AT TIME ZONE o.time_zone AS until,
           array_agg(m::date ORDER BY m) AS months, array_agg(m AT TIME ZONE o.time_zone ORDER BY m) AS starts
    FROM accounts_location o
    CROSS JOIN LATERAL generate_series(
        date_trunc('month', (SELECT min(x.stated_at) FROM screenings_fearclaim x WHERE x.asylum_office_id = o.id)
                            AT TIME ZONE o.time_zone),
        date_trunc('month', %(as_of)s::date::timestamp),
        interval '1 month') AS m
    WHERE o.kind = 'asylum_office'
    GROUP BY o.id, o.time_zone
), claim AS MATERIALIZED (
    SELECT f.id AS office_id, width_bucket(fc.stated_at, f.starts) AS bucket, c.alien_id,
           fc.outcome = 'positive' AND fc.decided_at < f.until AS positive,
           fc.decided_at IS NULL OR fc.decided_at >= f.until AS pending
    FROM office f
    JOIN screenings_fearclaim fc ON fc.asylum_office_id = f.id AND fc.stated_at < f.until
    JOIN cases_case c ON c.id = fc.case_id
), again AS (
    SELECT alien_id FROM claim GROUP BY alien_id HAVING count(*) > 1
), once AS (
    SELECT GROUPING(office_id, bucket) AS level, office_id, bucket, count(*) AS referred,
           count(*) FILTER (WHERE positive) AS positive,
           count(*) FILTER (WHERE NOT positive AND NOT pending) AS negative,
           count(*) FILTER (WHERE NOT positive AND pending) AS pending
    FROM claim WHERE alien_id NOT IN (SELECT alien_id FROM again)
    GROUP BY GROUPING SETS ((office_id, bucket), (office_id), ())
), person AS (
    SELECT GROUPING(office_id, bucket) AS level, office_id, bucket, alien_id,
           bool_or(positive) AS positive, bool_or(pending) AS pending
    FROM claim WHERE alien_id IN (SELECT alien_id FROM again)
    GROUP BY GROUPING SETS ((office_id, bucket, alien_id), (office_id, alien_id), (alien_id))
), counted AS (
    SELECT * FROM once
    UNION ALL
    SELECT level, office_id, bucket, count(*), count(*) FILTER (WHERE positive),
           count(*) FILTER (WHERE NOT positive AND NOT pending), count(*) FILTER (WHERE NOT positive AND pending)
    FROM person GROUP BY level, office_id, bucket
)
SELECT k.level, k.office_id, f.months[k.bucket], sum(k.referred)::int, sum(k.positive)::int,
       sum(k.negative)::int, sum(k.pending)::int
FROM counted k LEFT JOIN office f ON f.id = k.office_id
GROUP BY k.level, k.office_id, k.bucket, f.months[k.bucket]
ORDER BY k.level, k.office_id, k.bucket
"""
# GROUPING(office_id, month): 0 a cell, 1 an office's total (month aggregated), 3 the program's total.
_CELL, _OFFICE, _PROGRAM = 0, 1, 3


def m2_uscis_referrals(*, as_of: dt.date) -> M2Report:
    """M2: the MPP aliens referred to USCIS for a non-refoulement assessment interview (a fear claim, S1), by
    asylum office and month of referral, with their outcomes as of ``as_of``: positive or negative when the
    assessment was concurred (S3) on or before that day, pending otherwise. Days and months are the asylum
    office's (its time zone). People are counted once per cell, per office and in the program total, however
    many claims they have: the totals are not the sums of the months when someone was referred twice.

    Every active asylum office is listed, with no months when nobody was referred. Two queries whatever the
    number of claims: the aggregate and the offices."""
    as_of = as_of_checked(as_of)
    with connection.cursor() as cursor:
        cursor.execute(M2_SQL, {"as_of": as_of})
        rows = cursor.fetchall()
    offices = {
        o.pk: M2Office(office=o)
        for o in Location.objects.filter(kind=Location.Kind.ASYLUM_OFFICE)
        .only("id", "code", "name", "time_zone", "is_active", "kind")
        .order_by("name")
    }
    months: dict[int, list[M2Month]] = {pk: [] for pk in offices}
    totals: dict[int, M2Counts] = {}
    program = M2Counts()
    for level, office_id, month, *counts in rows:
        figures = M2Counts(*counts)
        if level == _PROGRAM:
            program = figures
        elif level == _OFFICE:
            totals[office_id] = figures
        elif level == _CELL:
            months[office_id].append(M2Month(month=month, counts=figures))
    listed = [
        M2Office(office=o.office, months=months[pk], total=totals.get(pk, M2Counts()))
        for pk, o in offices.items()
        if o.office.is_active or pk in totals
    ]
    return M2Report(as_of=as_of, offices=listed, total=program)


# --- M1: relief granted ------------------------------------------------------------------------------------

# M1's relief: asylum, statutory withholding of removal, withholding under the Convention Against Torture —
# the DHS measure's footnote; CAT deferral, voluntary departure and the other outcomes do not count.
M1_DECISIONS = (
    Completion.Decision.ASYLUM,
    Completion.Decision.WITHHOLDING,
    Completion.Decision.CAT_WITHHOLDING,
)


@dataclass(frozen=True)
class M1Counts:
    """Proceedings whose outcome as of the date is a grant of relief, by the relief granted."""

    asylum: int = 0
    withholding: int = 0
    cat_withholding: int = 0

    @property
    def total(self) -> int:
        return self.asylum + self.withholding + self.cat_withholding

    def __add__(self, other: M1Counts) -> M1Counts:
        return M1Counts(
            self.asylum + other.asylum,
            self.withholding + other.withholding,
            self.cat_withholding + other.cat_withholding,
        )


@dataclass(frozen=True)
class Court:
    code: str
    name: str


NO_COURT = Court(code="", name="No Notice to Appear on file")


@dataclass(frozen=True)
class M1Month:
    month: dt.date  # the first day of the month the relief was granted
    counts: M1Counts


@dataclass(frozen=True)
class M1Court:
    court: Court
    counts: M1Counts


@dataclass(frozen=True)
class M1Report:
    as_of: dt.date
    courts: list[M1Court]  # the immigration court of the case's NTA, by name
    months: list[M1Month]  # the program, by month of the decision, oldest first
    total: M1Counts


# One query. A proceeding's outcome as of the date is its completion decided by then that no reopening or
# remand granted by then has reopened (H5): a case is completed again only after a reopening, so a case has
# at most one such completion. Grouped by court (the NTA's), month of the decision and relief granted: a few
# hundred rows at most, summed in Python (each proceeding is in exactly one row). An index range of
# completion_decided_idx (decided_on, decision) and an anti-join to the few reopenings.
M1_SQL = """
SELECT l.code, l.name, date_trunc('month', c.decided_on)::date AS month, c.decision, count(*)::int
FROM hearings_completion c
LEFT JOIN accounts_location l ON l.id = c.court_id
WHERE c.decided_on <= %(as_of)s AND c.decision = ANY(%(relief)s)
  AND NOT EXISTS (
      SELECT 1 FROM hearings_reopening r WHERE r.completion_id = c.id AND r.granted_on <= %(as_of)s
  )
GROUP BY l.code, l.name, month, c.decision
"""
# M1_SQL's list parameters (scripts/bench.py writes them into its raw-SQL twin from here).
M1_SQL_LISTS = {"relief": [d.value for d in M1_DECISIONS]}


def _m1_counts(decision: str, count: int) -> M1Counts:
    return M1Counts(**{decision: count})


def m1_relief_granted(*, as_of: dt.date) -> M1Report:
    """M1: the INA 240 proceedings of MPP aliens that ended in a grant of relief — asylum, statutory
    withholding of removal or withholding under CAT (``Completion.M1_RELIEF``) — as of ``as_of``: the
    proceeding's current outcome by the end of that day (its latest completion decided by then, not reopened
    by then) is such a grant. A grant later reopened (motion to reopen, remand) no longer counts from the day
    it was reopened; completed again with relief, it counts again, once. By the NTA's immigration court (as the
    completion recorded it: ``Completion.court``) and by
    month of the decision. One query whatever the number of completions."""
    as_of = as_of_checked(as_of)
    with connection.cursor() as cursor:
        cursor.execute(M1_SQL, {"as_of": as_of, **M1_SQL_LISTS})
        rows = cursor.fetchall()
    courts: dict[Court, M1Counts] = {}
    months: dict[dt.date, M1Counts] = {}
    for code, name, month, decision, count in rows:
        court = Court(code=code, name=name) if code else NO_COURT
        counts = _m1_counts(decision, count)
        courts[court] = courts.get(court, M1Counts()) + counts
        months[month] = months.get(month, M1Counts()) + counts
    total = sum(courts.values(), M1Counts())
    return M1Report(
        as_of=as_of,
        courts=[
            M1Court(court=c, counts=courts[c]) for c in sorted(courts, key=lambda c: (not c.code, c.name))
        ],
        months=[M1Month(month=m, counts=months[m]) for m in sorted(months)],
        total=total,
    )


# --- M3: cases completed by immigration judges since MPP's inception --------------------------------------


@dataclass(frozen=True)
class M3Counts:
    """``enrolled``: cases whose NTA was filed with the court by the date. ``completed``: the initial
    completions decided by then (H5: not a completion after a motion to reopen or a remand), by the initial
    decision's group: relief or protection granted (asylum, withholding, CAT withholding or deferral), a
    removal order (``in_absentia`` of them in absentia), anything else."""

    enrolled: int = 0
    completed: int = 0
    relief: int = 0
    removal: int = 0
    in_absentia: int = 0
    other: int = 0

    def __add__(self, other: M3Counts) -> M3Counts:
        return M3Counts(
            *(
                getattr(self, name) + getattr(other, name)
                for name in ("enrolled", "completed", "relief", "removal", "in_absentia", "other")
            )
        )


@dataclass(frozen=True)
class M3Court:
    court: Court
    counts: M3Counts


@dataclass(frozen=True)
class M3Report:
    as_of: dt.date
    courts: list[M3Court]
    total: M3Counts


# One query: the filed NTAs by court (enrolled), and the initial completions decided by then by court (the
# case's NTA) and decision group, joined per court. A case's initial completion is one row
# (completion_one_initial), so it counts once however often the case was reopened and completed again. A
# completion of a case without an NTA (none in practice: the court has no case without one) is court 0.
M3_SQL = """
WITH enrolled AS (
    SELECT n.court_id, count(*)::int AS enrolled
    FROM hearings_noticetoappear n WHERE n.filed_on <= %(as_of)s
    GROUP BY n.court_id
), completed AS (
    SELECT coalesce(c.court_id, 0) AS court_id, count(*)::int AS completed,
           count(*) FILTER (WHERE c.decision = ANY(%(relief)s))::int AS relief,
           count(*) FILTER (WHERE c.decision = ANY(%(removal)s))::int AS removal,
           count(*) FILTER (WHERE c.decision = 'removal_in_absentia')::int AS in_absentia
    FROM hearings_completion c
    WHERE c.is_initial AND c.decided_on <= %(as_of)s
    GROUP BY 1
)
SELECT l.code, l.name, j.enrolled, j.completed, j.relief, j.removal, j.in_absentia
FROM (
    SELECT court_id, coalesce(e.enrolled, 0) AS enrolled, coalesce(k.completed, 0) AS completed,
           coalesce(k.relief, 0) AS relief, coalesce(k.removal, 0) AS removal,
           coalesce(k.in_absentia, 0) AS in_absentia
    FROM enrolled e FULL JOIN completed k USING (court_id)
) j
LEFT JOIN accounts_location l ON l.id = j.court_id
"""
# M3_SQL's list parameters (scripts/bench.py writes them into its raw-SQL twin from here).
M3_SQL_LISTS = {
    "relief": sorted(d.value for d in Completion.RELIEF),
    "removal": sorted(d.value for d in Completion.REMOVAL),
}


def m3_cases_completed(*, as_of: dt.date) -> M3Report:
    """M3: cases completed by immigration judges since MPP's inception, as of ``as_of``. *Total enrolled*
    counts only the cases whose NTA was filed with the court by then; *cases completed* counts initial
    completions only (H5: a case completed, reopened and completed again counts once, with its initial
    decision), decided by then. By the NTA's immigration court (``Completion.court``), with the initial decisions' groups. One
    query whatever the number of cases."""
    as_of = as_of_checked(as_of)
    with connection.cursor() as cursor:
        cursor.execute(M3_SQL, {"as_of": as_of, **M3_SQL_LISTS})
        rows = cursor.fetchall()
    courts: dict[Court, M3Counts] = {}
    for code, name, enrolled, completed, relief, removal, in_absentia in rows:
        court = Court(code=code, name=name) if code else NO_COURT
        counts = M3Counts(
            enrolled=enrolled,
            completed=completed,
            relief=relief,
            removal=removal,
            in_absentia=in_absentia,
            other=completed - relief - removal,
        )
        courts[court] = courts.get(court, M3Counts()) + counts
    return M3Report(
        as_of=as_of,
        courts=[
            M3Court(court=c, counts=courts[c]) for c in sorted(courts, key=lambda c: (not c.code, c.name))
        ],
        total=sum(courts.values(), M3Counts()),
    )
