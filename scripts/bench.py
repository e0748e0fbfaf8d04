"""``make bench``: the measuring stick of issue step 5, "speed at program scale".

Builds or reuses the scale database, then, for every entry of ``ENTRIES`` below, measures p50/p95 wall time
and the query count of the request in-process (``django.test.Client``, production settings, DEBUG off),
beside the raw SQL that returns the same rows and the stock Django admin changelist on the same filter.
Then a load run: gunicorn (gunicorn.conf.py, production settings) on 127.0.0.1 driven by wrk with a mixed
officer/supervisor workload (scripts/bench_load.py, scripts/bench.lua). Writes docs/performance.md and
exits 1 with the list of what missed its budget.

A new list, queue, document or metric joins by adding one ``Entry`` to ``ENTRIES``: a name, the user who
asks (a key of ``USERS``), the URL, the budget, and optionally the raw-SQL twin and the admin twin. URLs
and SQL parameters are filled from the fixtures ``pick_fixtures`` reads from the data: in URLs as
``{name}``, in SQL as ``%(name)s``. A twin that is the app's own query (a metric's aggregate) is named, not
copied: ``"python:metrics.selectors.M2_SQL"`` is read from that module when measured.

Environment (all optional):
  BENCH_DATABASE          mpp_bench_scale   the database; its name must end in _scale
  BENCH_CASES / BENCH_SEED  500000 / 1      what to generate when the database is missing or has no cases
  BENCH_SAMPLES           40                timed requests per entry (after 30 warm-up requests)
  BENCH_ADMIN_SAMPLES     10                timed requests per admin twin (after 2 warm-up requests)
  BENCH_LOAD_SECONDS      30                the load run's length; 0 skips the load run
  BENCH_LOAD_CONNECTIONS  8                 wrk connections (2 wrk threads)
  BENCH_WORKERS           2 × cores + 1     gunicorn workers (gunicorn's own recommendation)
  BENCH_OUTPUT            docs/performance.md
  BENCH_ONLY              (all)             comma-separated words: measure only the entries whose name
                                            contains one of them (a quick check of a few entries; the
                                            print batch runs only when named, e.g. BENCH_ONLY=fear,custody)
  DATABASE_URL            the server to use (its database name is replaced by BENCH_DATABASE)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent

# --- budgets (issue step 5, p95 at 500k cases) ---------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    label: str
    p95_ms: float | None
    max_queries: int | None = None
    min_speedup: float | None = None  # p95 of the admin twin / p95 of the entry, when the entry has one


A_NUMBER = Budget("A-number lookup", p95_ms=5)
NAME_SEARCH = Budget("name search", p95_ms=30, min_speedup=10)
LIST = Budget("list or queue", p95_ms=15, min_speedup=5)
# Step 7's queues: the list budget, and no more queries than the other lists and queues make (8 at most: the
# supervisor's home page, the print queue pages, the search pages; the API lists make 4 to 6).
QUEUE = Budget("list or queue", p95_ms=15, max_queries=8, min_speedup=5)
CASE_PAGE = Budget("case page", p95_ms=25, max_queries=12)
FIXED_COST = Budget("fixed per-request cost (issue: “small”; no number)", p95_ms=None)
TEAR_SHEET = Budget("one tear sheet (PDF, one page)", p95_ms=100)
# M1-M5 (as of a chosen date): one aggregate over the whole program's records, read by a few analysts — not a
# list a field officer waits on at the counter. M2 at 500k cases counts ~51k fear claims: the claims are an
# index-only range of fear_claim_m2_idx (~12 ms), but each claimant's person is a row of cases_case (~150 ms
# of random heap reads in a 208 MB table); measured 220-270 ms p95 (2026-12). A covering index cases_case (id)
# INCLUDE (alien_id), the cases app's to add, brings the query to ~140 ms.
METRIC = Budget("metric (an aggregate over the whole program)", p95_ms=300, max_queries=8)
BATCH = Budget("200-sheet print batch (built by the Celery task's code)", p95_ms=20_000)
# Step 8 (H1): the day's manifest prints every arrival of the busiest day at once (up to 400 rows) on one
# page, read a few times a day; a scan at the port is the POST that checks the person in plus the arrivals
# page it redirects to, ready for the next scan ("in under a second", the issue says).
MANIFEST = Budget("arrivals manifest (one printable page, up to 400 rows)", p95_ms=150, max_queries=12)
CHECK_IN_SCAN = Budget("one check-in scan (POST + the arrivals page it redirects to)", p95_ms=100)


@dataclass(frozen=True)
class LoadBudget:
    min_rps: float = 200
    p95_ms: float = 200
    max_errors: int = 0


LOAD = LoadBudget()

# --- what is measured ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    role: str  # a key of USERS
    url: str  # formatted with the fixtures, then percent-encoded
    budget: Budget
    raw_sql: tuple[str, ...] = ()  # the plain SQL returning the same rows; %(fixture)s parameters
    admin_url: str | None = None  # the admin changelist on the same filter
    expect: str | None = None  # text the answer must contain (case-insensitive)


# Who asks: the scale data's users at the busiest port of entry, and national court staff.
USERS = {
    "officer": "scale_cbp_officer_{port_code}_1",
    "supervisor": "scale_cbp_supervisor_{port_code}_1",
    "court": "scale_court_staff_1",
    "print": "scale_print_staff_{port_code}_1",
    # Step 7: USCIS posted at the asylum office that serves the port (their queues are the office's), ICE
    # (national: their queue lists every port), an analyst (the metrics).
    "asylum_officer": "scale_asylum_officer_{office_code}_1",
    "sao": "scale_supervisory_asylum_officer_{office_code}_1",
    "ice": "scale_ice_officer_1",
    "analyst": "scale_analyst_1",
}
ADMIN_USERNAME = "bench_admin"

# Raw-SQL twins used more than once.
RECENT_AT_PORT = (
    "SELECT * FROM cases_case WHERE location_id = %(port_id)s ORDER BY created_at DESC, id DESC LIMIT {}"
)
RECENT_ALL = "SELECT * FROM cases_case ORDER BY created_at DESC, id DESC LIMIT {}"
BY_A_NUMBER = (
    "SELECT c.* FROM cases_case c JOIN cases_alien a ON a.id = c.alien_id WHERE a.a_number = %(a_number)s"
)
CASE_BY_ID = "SELECT * FROM cases_case WHERE id = %(case_id)s"
TIMELINE = "SELECT * FROM cases_caseevent WHERE case_id = %(case_id)s ORDER BY occurred_at, id"
PENDING_REVIEWS = (
    "SELECT * FROM screenings_amenabilityreview WHERE status = 'pending' AND location_id = %(port_id)s "
    "ORDER BY submitted_at, id LIMIT 50"
)
WAITING_SHEETS = (
    "SELECT * FROM hearings_tearsheet WHERE location_id = %(port_id)s AND superseded_at IS NULL "
    "AND printed_at IS NULL ORDER BY issued_at, id LIMIT 50"
)
PRINTED_SHEETS = (
    "SELECT * FROM hearings_tearsheet WHERE location_id = %(port_id)s AND superseded_at IS NULL "
    "AND printed_at IS NOT NULL ORDER BY issued_at, id LIMIT 50"
)
UNFILED_NTAS = "SELECT * FROM hearings_noticetoappear WHERE filed_on IS NULL ORDER BY served_at, id LIMIT 50"
RECENT_NTAS = "SELECT * FROM hearings_noticetoappear ORDER BY served_at DESC, id DESC LIMIT 50"
HEARINGS_IN_ORDER = "SELECT * FROM hearings_hearing ORDER BY starts_at, id LIMIT 50"
RECENT_SHEETS = "SELECT * FROM hearings_tearsheet ORDER BY issued_at DESC, id DESC LIMIT 50"
# An officer sees the cases of their duty location (the port) only.
HEARINGS_IN_ORDER_AT_PORT = (
    "SELECT h.* FROM hearings_hearing h JOIN cases_case c ON c.id = h.case_id WHERE c.location_id = %(port_id)s "
    "ORDER BY h.starts_at, h.id LIMIT 50"
)
RECENT_SHEETS_AT_PORT = (
    "SELECT t.* FROM hearings_tearsheet t JOIN cases_case c ON c.id = t.case_id WHERE c.location_id = %(port_id)s "
    "ORDER BY t.issued_at DESC, t.id DESC LIMIT 50"
)
DOCKET = (
    "SELECT * FROM hearings_hearing WHERE hearing_location_id = %(place_id)s AND starts_at >= %(docket_start)s "
    "AND starts_at < %(docket_end)s ORDER BY starts_at, id"
)
CASE_HEARINGS = "SELECT * FROM hearings_hearing WHERE case_id = %(case_id)s ORDER BY starts_at DESC, id DESC"
# Step 7: the asylum office's queue by tab (status), oldest first; ICE's open referrals, oldest first.
FEAR_QUEUE = (
    "SELECT * FROM screenings_fearclaim WHERE asylum_office_id = %(office_id)s AND status = '{}' "
    "ORDER BY stated_at, id LIMIT 50"
)
CUSTODY_OPEN = (
    "SELECT * FROM cases_custodyreferral WHERE determined_at IS NULL AND withdrawn_at IS NULL "
    "ORDER BY referred_at, id LIMIT 50"
)
CUSTODY_DETERMINED = "SELECT * FROM cases_custodydetermination ORDER BY decided_at DESC, id DESC LIMIT 50"
# Step 8 (H4): ICE's hand-offs to ERO due, oldest first (the partial index ero_handoff_due_idx).
ERO_DUE = "SELECT * FROM cases_erohandoff WHERE handed_at IS NULL AND cancelled_at IS NULL ORDER BY due_at, id LIMIT 50"
CASE_FEAR_CLAIMS = (
    "SELECT c.*, a.* FROM screenings_fearclaim c LEFT JOIN screenings_fearassessment a ON a.claim_id = c.id "
    "WHERE c.case_id = %(fear_case_id)s ORDER BY c.stated_at DESC, c.id DESC"
)
# Step 8 (H1): the port's arrivals of a day, by report time (the hearing's start less the location's lead).
ARRIVALS = (
    "SELECT h.* FROM hearings_hearing h JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id "
    "WHERE l.reporting_port_id = %(port_id)s AND h.status IN ('scheduled', 'continued', 'held') "
    "AND h.starts_at - l.report_lead >= %(arrivals_start)s AND h.starts_at - l.report_lead < %(arrivals_end)s "
    "ORDER BY h.starts_at - l.report_lead, h.id LIMIT {}"
)
# M2's aggregate is the selector's one query: its twin is that very SQL (the page's cost beside the query's).
M2_SQL = "python:metrics.selectors.M2_SQL"
# M1's and M3's queries take lists of decisions, which the fixtures do not carry: the twin is the app's query
# with each list of ``<NAME>_LISTS`` (beside it in the app) written in as a literal array.
M1_SQL = "python:metrics.selectors.M1_SQL"
M3_SQL = "python:metrics.selectors.M3_SQL"
ADMIN_CASES_AT_PORT = "/admin/cases/case/?location__id__exact={port_id}"
ADMIN_CASES_BY_A_NUMBER = "/admin/cases/case/?q={a_number}"

# fmt: off
ENTRIES: list[Entry] = [
    # Home pages: 25 recent cases; the supervisor's also lists the cases awaiting review.
    Entry("home", "officer", "/", LIST, (RECENT_AT_PORT.format(25),), ADMIN_CASES_AT_PORT),
    Entry("home", "supervisor", "/", LIST, (
        RECENT_AT_PORT.format(25),
        "SELECT * FROM cases_case WHERE location_id = %(port_id)s AND status = 'awaiting_review' "
        "ORDER BY status_changed_at, id LIMIT 50",
    ), "/admin/cases/case/?location__id__exact={port_id}&status__exact=awaiting_review"),
    Entry("home", "court", "/", LIST, (RECENT_ALL.format(25),), "/admin/cases/case/"),
    # Search. N2: the A-number as people write it. Names with a typo and without accents, best first.
    Entry("search A-number “{a_number_spelled}”", "officer", "/search/?q={a_number_spelled}", A_NUMBER,
          (BY_A_NUMBER + " AND c.location_id = %(port_id)s",), ADMIN_CASES_BY_A_NUMBER, expect="{a_number}"),
    Entry("search A-number “{a_number_spelled}”", "court", "/search/?q={a_number_spelled}", A_NUMBER,
          (BY_A_NUMBER,), ADMIN_CASES_BY_A_NUMBER, expect="{a_number}"),
    Entry("search “Hernandes”", "officer", "/search/?q=Hernandes", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Hernandes", expect="Hernández"),
    Entry("search “Hernandes”", "court", "/search/?q=Hernandes", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Hernandes", expect="Hernández"),
    Entry("search “Tellez”", "officer", "/search/?q=Tellez", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Tellez", expect="Téllez"),
    Entry("search “Telez”", "officer", "/search/?q=Telez", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Telez", expect="Téllez"),
    Entry("search “Telez”", "court", "/search/?q=Telez", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Telez", expect="Téllez"),
    Entry("search “Maria Jose Hernandez”", "officer", "/search/?q=Maria Jose Hernandez", NAME_SEARCH,
          admin_url="/admin/cases/alien/?q=Maria Jose Hernandez", expect="Hernández"),
    # The case page: a family of five with the longest timeline at the port.
    Entry("case page", "officer", "/cases/{case_id}/", CASE_PAGE, (CASE_BY_ID, TIMELINE)),
    Entry("case page", "supervisor", "/cases/{case_id}/", CASE_PAGE, (CASE_BY_ID, TIMELINE)),
    Entry("case page", "court", "/cases/{case_id}/", CASE_PAGE, (CASE_BY_ID, TIMELINE)),
    # Queues and lists.
    Entry("review queue", "supervisor", "/screenings/reviews/", LIST, (PENDING_REVIEWS,)),
    Entry("intake list", "officer", "/screenings/intake/", LIST, (
        "SELECT * FROM screenings_intakedraft WHERE created_by_id = %(officer_id)s "
        "ORDER BY updated_at DESC, id DESC LIMIT 50",
    )),
    Entry("notifications", "officer", "/notifications/", LIST, (
        "SELECT * FROM outbox_notification WHERE user_id = %(officer_id)s ORDER BY created_at DESC, id DESC LIMIT 50",
    )),
    # The API (/api/v1/): first pages of 50, one case.
    Entry("API cases", "officer", "/api/v1/cases/", LIST, (RECENT_AT_PORT.format(50),), ADMIN_CASES_AT_PORT),
    Entry("API cases", "court", "/api/v1/cases/", LIST, (RECENT_ALL.format(50),), "/admin/cases/case/"),
    Entry("API cases ?status={status}&location={port_code}", "court",
          "/api/v1/cases/?status={status}&location={port_code}", LIST, (
              "SELECT * FROM cases_case WHERE location_id = %(port_id)s AND status = %(status)s "
              "ORDER BY created_at DESC, id DESC LIMIT 50",
          ), "/admin/cases/case/?location__id__exact={port_id}&status__exact={status}"),
    Entry("API cases ?a_number={a_number}", "court", "/api/v1/cases/?a_number={a_number}", A_NUMBER,
          (BY_A_NUMBER + " ORDER BY c.created_at DESC, c.id DESC",), ADMIN_CASES_BY_A_NUMBER),
    Entry("API aliens", "officer", "/api/v1/aliens/", LIST, (
        "SELECT a.* FROM cases_alien a WHERE EXISTS (SELECT 1 FROM cases_case c WHERE c.alien_id = a.id "
        "AND c.location_id = %(port_id)s) OR a.created_by_id = %(officer_id)s ORDER BY a.id DESC LIMIT 50",
    )),
    Entry("API aliens", "court", "/api/v1/aliens/", LIST,
          ("SELECT * FROM cases_alien ORDER BY id DESC LIMIT 50",), "/admin/cases/alien/"),
    Entry("API family units", "court", "/api/v1/family-units/", LIST, (
        "SELECT * FROM cases_familyunit ORDER BY id DESC LIMIT 50",
        "SELECT m.* FROM cases_familymember m WHERE m.family_unit_id IN "
        "(SELECT id FROM cases_familyunit ORDER BY id DESC LIMIT 50) ORDER BY m.id",
    ), "/admin/cases/familyunit/"),
    Entry("API encounters", "court", "/api/v1/encounters/", LIST,
          ("SELECT * FROM cases_encounter ORDER BY occurred_at DESC, id DESC LIMIT 50",), "/admin/cases/encounter/"),
    Entry("API amenability reviews", "supervisor", "/api/v1/amenability-reviews/", LIST, (PENDING_REVIEWS,)),
    Entry("API case", "officer", "/api/v1/cases/{case_id}/", CASE_PAGE, (CASE_BY_ID,)),
    Entry("API case timeline", "officer", "/api/v1/cases/{case_id}/timeline/", CASE_PAGE, (TIMELINE,)),
    # Step 6: hearings, NTAs and tear sheets.
    Entry("print queue (waiting)", "print", "/hearings/print/", LIST, (WAITING_SHEETS,)),
    Entry("print queue (printed: reprints)", "print", "/hearings/print/?state=printed", LIST, (PRINTED_SHEETS,)),
    Entry("API print queue", "print", "/api/v1/print-queue/", LIST, (WAITING_SHEETS,)),
    Entry("NTA filing queue", "court", "/hearings/filing/", LIST, (UNFILED_NTAS,)),
    Entry("API NTAs not filed", "court", "/api/v1/ntas/?filed=false", LIST, (UNFILED_NTAS,)),
    Entry("API NTAs, newest served first", "court", "/api/v1/ntas/", LIST, (RECENT_NTAS,)),
    Entry("API hearings, in hearing order", "court", "/api/v1/hearings/", LIST, (HEARINGS_IN_ORDER,)),
    Entry("API hearings, in hearing order", "officer", "/api/v1/hearings/", LIST, (HEARINGS_IN_ORDER_AT_PORT,)),
    Entry("API tear sheets, newest first", "court", "/api/v1/tear-sheets/", LIST, (RECENT_SHEETS,)),
    Entry("API tear sheets, newest first", "officer", "/api/v1/tear-sheets/", LIST, (RECENT_SHEETS_AT_PORT,)),
    Entry("docket, busiest day ({docket_hearings} hearings)", "court",
          "/hearings/docket/?place={place_id}&day={docket_day}", LIST, (DOCKET,)),
    # O1/O2: the observers' and press log of a facility, with the day's hearings it may be asked for.
    Entry("observers page, busiest facility day ({facility_hearings} hearings)", "court",
          "/hearings/observers/?facility={facility_code}&day={facility_day}", LIST),
    # Court staff publish hearing slots (step 6).
    Entry("hearing slots", "court", "/hearings/slots/", LIST),
    Entry("case hearings and documents", "officer", "/hearings/cases/{case_id}/", CASE_PAGE, (CASE_HEARINGS,)),
    Entry("tear sheet PDF", "print", "/hearings/sheets/{sheet_id}/pdf/", TEAR_SHEET),
    # Step 7: the asylum office's queues (S1-S3) and ICE's (S4), pages and API; a case's fear claims.
    Entry("fear queue: to schedule ({fear_to_schedule} at the office)", "asylum_officer",
          "/screenings/fear/?office={office_id}&tab=to_schedule", QUEUE, (FEAR_QUEUE.format("referred"),)),
    Entry("fear queue: awaiting review ({fear_review} at the office)", "sao",
          "/screenings/fear/?office={office_id}&tab=review", QUEUE, (FEAR_QUEUE.format("submitted"),)),
    Entry("API fear claims to schedule", "asylum_officer",
          "/api/v1/fear-claims/?office={office_code}&tab=to_schedule", QUEUE, (FEAR_QUEUE.format("referred"),)),
    Entry("API fear claims awaiting review", "sao",
          "/api/v1/fear-claims/?office={office_code}&tab=review", QUEUE, (FEAR_QUEUE.format("submitted"),)),
    Entry("custody queue ({custody_open} due)", "ice", "/cases/custody/", QUEUE, (CUSTODY_OPEN,)),
    Entry("custody queue: recently determined", "ice", "/cases/custody/?tab=determined", QUEUE,
          (CUSTODY_DETERMINED,)),
    Entry("API custody referrals", "ice", "/api/v1/custody-referrals/", QUEUE, (CUSTODY_OPEN,)),
    # Step 8 (H4): final orders of removal, hand-off to ICE ERO due.
    Entry("custody queue: final orders, hand-off to ERO", "ice", "/cases/custody/?tab=ero", QUEUE, (ERO_DUE,)),
    Entry("API ERO hand-offs due", "ice", "/api/v1/ero-handoffs/", QUEUE, (ERO_DUE,)),
    Entry("case fear claims", "officer", "/screenings/cases/{fear_case_id}/fear/?partial=1", CASE_PAGE,
          (CASE_FEAR_CLAIMS,)),
    Entry("case fear claims", "asylum_officer", "/screenings/cases/{fear_case_id}/fear/?partial=1", CASE_PAGE,
          (CASE_FEAR_CLAIMS,)),
    # The metrics page (as of a date) has a section each: M1 relief granted by court and month; M2 USCIS
    # referrals by asylum office and month, with outcomes; M3 cases enrolled and completed by court.
    Entry("M1-M3 metrics page (M1 relief, M2 USCIS referrals, M3 completions) as of {as_of}", "analyst",
          "/metrics/?as_of={as_of}", METRIC, (M2_SQL, M1_SQL, M3_SQL), expect="Houston Asylum Office"),
    Entry("API M1 as of {as_of}", "analyst", "/api/v1/metrics/m1/?as_of={as_of}", METRIC, (M1_SQL,)),
    Entry("API M2 as of {as_of}", "analyst", "/api/v1/metrics/m2/?as_of={as_of}", METRIC, (M2_SQL,)),
    Entry("API M3 as of {as_of}", "analyst", "/api/v1/metrics/m3/?as_of={as_of}", METRIC, (M3_SQL,)),
    Entry("M1-M3 metrics page (M1 relief, M2 USCIS referrals, M3 completions) as of {as_of}", "asylum_officer",
          "/metrics/?as_of={as_of}", METRIC, (M2_SQL, M1_SQL, M3_SQL)),
    # Step 8 (H1): the port's expected arrivals on its busiest day, the manifest (the 200-scan morning is
    # measured apart: measure_check_in_morning).
    Entry("arrivals, busiest day ({arrivals_count} expected)", "officer",
          "/hearings/port/arrivals/?port={port_id}&day={arrivals_day}", QUEUE, (ARRIVALS.format(50),)),
    Entry("API arrivals, busiest day", "officer", "/api/v1/arrivals/?port={port_id}&day={arrivals_day}", QUEUE,
          (ARRIVALS.format(50),)),
    Entry("arrivals manifest, busiest day", "officer", "/hearings/port/manifest/?port={port_id}&day={arrivals_day}",
          MANIFEST, (ARRIVALS.format(400),)),
    # What every request pays before its own work: session, user, permission, one empty query.
    Entry("fixed cost: API list with no rows", "officer", "/api/v1/cases/?encounter=0", FIXED_COST),
]

# The load run's mix: per user, the pages they open in a working hour, in order. Two CBP officers and one
# CBP supervisor at each of the three busiest ports; wrk rotates through them user by user.
LOAD_PORTS = 3
LOAD_MIX = {
    "officer": ["/", "/search/?q={a_number_spelled}", "/cases/{case_id}/", "/search/?q=Hernandes",
                "/api/v1/cases/", "/cases/{case_id}/", "/screenings/intake/", "/search/?q=Telez"],
    "supervisor": ["/", "/screenings/reviews/", "/cases/{case_id}/", "/api/v1/amenability-reviews/",
                   "/search/?q={a_number_spelled}", "/notifications/"],
}
# fmt: on

# Requests before the timed ones: a gunicorn worker keeps its database connection (production settings:
# persistent), so an endpoint is timed as a warm worker serves it. The first ~25 requests of an endpoint on a
# connection are slower while psycopg prepares its statements (after 5 runs), PostgreSQL settles their plans
# (after 5 more) and the backend's caches fill: the API NTA list took 28, 25, 30, 18, 22 … ms, then 11-13 from
# about the 25th (2026-12-04). With 3 warm-up requests those landed among the 40 timed ones and set the p95.
WARMUP = 30
ADMIN_WARMUP = 2
LIST_STATUS = "in_mexico"  # the most common status: the filtered list's hardest page

# --- set-up before Django ------------------------------------------------------------------------------

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "mpp_bench_scale")
BENCH_CASES = int(os.environ.get("BENCH_CASES", "500000"))
BENCH_SEED = int(os.environ.get("BENCH_SEED", "1"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "40"))
ADMIN_SAMPLES = int(os.environ.get("BENCH_ADMIN_SAMPLES", "10"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
LOAD_CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", BASE_DIR / "docs" / "performance.md"))
ONLY = [word.strip().casefold() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]


def chosen(name: str) -> bool:
    """Whether ``BENCH_ONLY`` (when set) names this entry: a word of it in the entry's name."""
    return not ONLY or any(word in name.casefold() for word in ONLY)


def bench_database_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mpp"))
    return urlunsplit(server._replace(path=f"/{BENCH_DATABASE}"))


def production_environment(database_url: str) -> dict[str, str]:
    """What mpp.settings.production reads: shared by this process and the gunicorn of the load run (the same
    SECRET_KEY, so the sessions made here are valid there)."""
    return {
        "DJANGO_SETTINGS_MODULE": "mpp.settings.production",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DEBUG": "false",
    }


def database_ensure(database_url: str) -> bool:
    """Create the bench database if it does not exist. Returns True when it was created."""
    import psycopg
    from psycopg import sql

    if not BENCH_DATABASE.endswith("_scale"):
        sys.exit(
            f"bench: BENCH_DATABASE must end in _scale (generate_scale_data refuses others): {BENCH_DATABASE}"
        )
    server = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]).fetchone():
            return False
        print(f"bench: creating database {BENCH_DATABASE}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
    return True


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int | None = None
    rows_shown: int | None = None  # records the request showed, from the access log


@dataclass
class Result:
    entry: Entry
    name: str
    url: str
    timing: Timing | None = None
    raw: Timing | None = None
    admin: Timing | None = None
    admin_url: str | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def speedup(self) -> float | None:
        if self.timing is None or self.admin is None or self.timing.p95_ms <= 0:
            return None
        return self.admin.p95_ms / self.timing.p95_ms


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


# --- in Django -----------------------------------------------------------------------------------------


def main() -> int:
    database_url = bench_database_url()
    env = production_environment(database_url)
    os.environ.update(env)
    created = database_ensure(database_url)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings

    if not (BASE_DIR / "staticfiles" / "staticfiles.json").exists():
        sys.exit("bench: no collected static files (staticfiles/staticfiles.json): run scripts/collectstatic")
    data_ensure(created=created)
    fixtures = pick_fixtures()
    clients = sign_in(fixtures)
    # As each gunicorn worker does once the app is loaded (gunicorn.conf.py, post_worker_init).
    from mpp.runtime import tune_gc

    tune_gc()
    started = time.monotonic()
    load_before = os.getloadavg()
    quietness = calibration()
    results = [measure_entry(entry, fixtures, clients) for entry in ENTRIES if chosen(entry.name)]
    if chosen("print batch of 200 tear sheets") or not ONLY:
        results.append(measure_batch(fixtures))
    if chosen(CHECK_IN_MORNING):
        results.append(measure_check_in_morning(fixtures))
    load_after = os.getloadavg()
    quietness_after = calibration()
    load = load_run(env, fixtures) if LOAD_SECONDS > 0 else None
    sessions_forget(clients)
    failures = [f"{r.name} ({r.entry.role}): {why}" for r in results for why in r.failures]
    if load is not None:
        failures += [f"load run: {why}" for why in load.failures]
    write_report(
        results=results,
        load=load,
        fixtures=fixtures,
        settings_module=str(settings.SETTINGS_MODULE),
        elapsed=time.monotonic() - started,
        load_average=(load_before, load_after),
        calibration=(quietness, quietness_after),
        failures=failures,
    )
    print(f"bench: wrote {OUTPUT.relative_to(BASE_DIR) if OUTPUT.is_relative_to(BASE_DIR) else OUTPUT}")
    if failures:
        print(f"bench: {len(failures)} budget(s) missed:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("bench: every budget met")
    return 0


def data_ensure(*, created: bool) -> None:
    """Migrate (migrations may have been added since the data was generated), then generate if empty."""
    from django.core.management import call_command

    from cases.models import Case

    print(f"bench: migrating {BENCH_DATABASE}")
    call_command("migrate", interactive=False, verbosity=0)
    from hearings.models import NoticeToAppear
    from screenings.models import FearClaim

    if created or not Case.objects.exists():
        print(f"bench: generating {BENCH_CASES} cases (seed {BENCH_SEED}); about 6 min for 500k")
        call_command("generate_scale_data", cases=BENCH_CASES, seed=BENCH_SEED)
        vacuum()
        return
    if not NoticeToAppear.objects.exists():
        print(f"bench: adding hearings, NTAs and tear sheets to {BENCH_DATABASE}")
        call_command("generate_scale_data", cases=BENCH_CASES, seed=BENCH_SEED, add_hearings=True)
    if not FearClaim.objects.exists():
        print(f"bench: adding fear claims, USCIS assessments and ICE custody to {BENCH_DATABASE}")
        call_command("generate_scale_data", cases=BENCH_CASES, seed=BENCH_SEED, add_fear=True)
    from hearings.models import Completion

    if not Completion.objects.exists():
        print(f"bench: adding completions, reopenings, counsel and ERO hand-offs to {BENCH_DATABASE}")
        call_command("generate_scale_data", cases=BENCH_CASES, seed=BENCH_SEED, add_court=True)
        vacuum()


def vacuum() -> None:
    """VACUUM (ANALYZE) the freshly generated data, as autovacuum does to a live database: it sets the
    visibility map, without which no index-only scan skips the heap (M2's case → person reads)."""
    from django.db import connection

    print(f"bench: VACUUM (ANALYZE) {BENCH_DATABASE}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def query_one(sql: str, params: dict[str, Any] | list[Any] | None = None) -> tuple[Any, ...] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def spelled(a_number: str) -> str:
    """A012345678 as an officer types it from a document: "A 012-345-678" (N2 accepts it)."""
    digits = a_number[1:]
    return f"A {digits[:3]}-{digits[3:6]}-{digits[6:]}"


def port_fixtures(port_id: int) -> dict[str, Any]:
    """At one port: the case of a five-person family (else the largest) with the most case events, and an
    A-number of a person with a case there."""
    row = query_one(
        """
        WITH family AS (SELECT family_unit_id, count(*) AS size FROM cases_familymember GROUP BY 1),
        candidates AS (
            SELECT c.id, f.size FROM cases_case c
            JOIN cases_encounter e ON e.id = c.encounter_id
            JOIN family f ON f.family_unit_id = e.family_unit_id
            WHERE c.location_id = %(port)s
            ORDER BY (f.size = 5) DESC, f.size DESC
        )
        SELECT c.id, c.size, count(ev.id) AS events FROM candidates c
        JOIN cases_caseevent ev ON ev.case_id = c.id
        WHERE c.size = (SELECT size FROM candidates LIMIT 1)
        GROUP BY c.id, c.size ORDER BY events DESC, c.id LIMIT 1
        """,
        {"port": port_id},
    )
    if row is None:
        raise SystemExit(f"bench: no case at location {port_id}")
    a_row = query_one(
        "SELECT a.a_number FROM cases_case c JOIN cases_alien a ON a.id = c.alien_id "
        "WHERE c.location_id = %s AND a.a_number IS NOT NULL ORDER BY c.id LIMIT 1",
        [port_id],
    )
    if a_row is None:
        raise SystemExit(f"bench: no person with an A-number has a case at location {port_id}")
    return {"case_id": row[0], "family_size": row[1], "case_events": row[2], "a_number": a_row[0]}


def pick_fixtures() -> dict[str, Any]:
    from django.db import connection

    from mpp.accounts.models import Location

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.code, count(*) FROM cases_case c JOIN accounts_location l ON l.id = c.location_id "
            "WHERE l.kind = %s GROUP BY l.id, l.code ORDER BY count(*) DESC, l.code LIMIT %s",
            [Location.Kind.PORT_OF_ENTRY, LOAD_PORTS],
        )
        ports = cursor.fetchall()
    if not ports:
        raise SystemExit("bench: the database has no case at a port of entry")
    port_id, port_code, port_cases = ports[0]
    fixtures: dict[str, Any] = {
        "port_id": port_id,
        "port_code": port_code,
        "port_cases": port_cases,
        "status": LIST_STATUS,
        **port_fixtures(port_id),
    }
    fixtures["a_number_spelled"] = spelled(fixtures["a_number"])
    tellez = query_one(
        "SELECT count(*) FROM cases_case c JOIN cases_alien a ON a.id = c.alien_id "
        "WHERE c.location_id = %s AND a.family_name LIKE %s",
        [port_id, "%Téllez%"],
    )
    if not tellez or not tellez[0]:
        raise SystemExit(
            f"bench: nobody named Téllez has a case at {port_code}: the Telez search proves nothing"
        )
    fixtures["tellez_cases"] = tellez[0]
    pending = query_one(
        "SELECT count(*) FROM screenings_amenabilityreview WHERE status = 'pending' AND location_id = %s",
        [port_id],
    )
    fixtures["pending_reviews"] = pending[0] if pending else 0
    fixtures.update(hearing_fixtures(port_id))
    fixtures.update(fear_fixtures(port_id))
    fixtures.update(arrivals_fixtures(port_id))
    fixtures["load_ports"] = [
        {"port_id": pid, "port_code": code, "port_cases": count, **port_fixtures(pid)}
        for pid, code, count in ports
    ]
    for port in fixtures["load_ports"]:
        port["a_number_spelled"] = spelled(port["a_number"])
    return fixtures


def hearing_fixtures(port_id: int) -> dict[str, Any]:
    """The hearing location the port's people are heard at, its busiest day (in its zone), a current tear
    sheet of the port, and 200 current sheets for the batch."""
    place = query_one(
        "SELECT h.hearing_location_id, l.time_zone, count(*) FROM hearings_hearing h "
        "JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id JOIN cases_case c ON c.id = h.case_id "
        "WHERE c.location_id = %s GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1",
        [port_id],
    )
    if place is None:
        raise SystemExit("bench: the scale data has no hearings (generate_scale_data --add-hearings)")
    place_id, tz = place[0], place[1]
    day = query_one(
        "SELECT (starts_at AT TIME ZONE %s)::date AS d, count(*) FROM hearings_hearing "
        "WHERE hearing_location_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1",
        [tz, place_id],
    )
    assert day is not None
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day[0], dt.time.min, tzinfo=zone)
    sheets = [
        row[0]
        for row in query_all(
            "SELECT s.id FROM hearings_tearsheet s JOIN cases_alien a ON a.id = (SELECT alien_id FROM cases_case "
            "WHERE id = s.case_id) WHERE s.location_id = %s AND s.superseded_at IS NULL AND a.a_number IS NOT NULL "
            "ORDER BY s.issued_at DESC, s.id DESC LIMIT 200",
            [port_id],
        )
    ]
    if len(sheets) < 200:
        raise SystemExit(f"bench: only {len(sheets)} current tear sheets at the port; the batch needs 200")
    # O1/O2: the immigration hearing facility with the busiest day (its observers' page lists that day).
    facility = query_one(
        "SELECT l.code, (h.starts_at AT TIME ZONE l.time_zone)::date AS d, count(*) FROM hearings_hearing h "
        "JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id WHERE l.kind = 'hearing_facility' "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 2 DESC LIMIT 1"
    )
    if facility is None:
        raise SystemExit("bench: the scale data has no hearing at an immigration hearing facility")
    return {
        "facility_code": facility[0],
        "facility_day": facility[1].isoformat(),
        "facility_hearings": facility[2],
        "place_id": place_id,
        "docket_day": day[0].isoformat(),
        "docket_hearings": day[1],
        "docket_start": start,
        "docket_end": start + dt.timedelta(days=1),
        "sheet_id": sheets[0],
        "batch_sheet_ids": sheets,
    }


def fear_fixtures(port_id: int) -> dict[str, Any]:
    """Step 7: the asylum office that serves the port (its USCIS staff ask for its queues) and how much waits
    there; a case at the port with a decided fear claim (a positive one if any: its family moved) and the
    longest timeline; ICE's queue; today (UTC, the project's zone), as the metrics' as-of date."""
    office = query_one(
        "SELECT o.id, o.code, o.name FROM accounts_location p JOIN accounts_location o ON o.id = p.asylum_office_id "
        "WHERE p.id = %s",
        [port_id],
    )
    if office is None:
        raise SystemExit("bench: no asylum office serves the port (accounts migration 0007)")
    waiting = dict(
        query_all(
            "SELECT status, count(*) FROM screenings_fearclaim WHERE asylum_office_id = %s GROUP BY status",
            [office[0]],
        )
    )
    if not waiting:
        raise SystemExit("bench: the scale data has no fear claims (generate_scale_data --add-fear)")
    case = query_one(
        "SELECT fc.case_id FROM screenings_fearclaim fc JOIN cases_case c ON c.id = fc.case_id "
        "WHERE c.location_id = %s AND fc.status = 'decided' AND fc.asylum_office_id = %s "
        "ORDER BY fc.outcome = 'positive' DESC, "
        "(SELECT count(*) FROM cases_caseevent e WHERE e.case_id = fc.case_id) DESC, fc.case_id LIMIT 1",
        [port_id, office[0]],
    )
    if case is None:
        raise SystemExit("bench: no decided fear claim on a case at the port")
    custody = query_one(
        "SELECT count(*) FROM cases_custodyreferral WHERE determined_at IS NULL AND withdrawn_at IS NULL", []
    )
    return {
        "office_id": office[0],
        "office_code": office[1],
        "office_name": office[2],
        "fear_to_schedule": waiting.get("referred", 0),
        "fear_review": waiting.get("submitted", 0),
        "fear_claims": sum(waiting.values()),
        "fear_case_id": case[0],
        "custody_open": custody[0] if custody else 0,
        "as_of": dt.datetime.now(dt.UTC).date().isoformat(),
    }


def arrivals_fixtures(port_id: int) -> dict[str, Any]:
    """Step 8 (H1): the port's busiest day of arrivals (report times in the port's zone) and its bounds."""
    import zoneinfo

    tz = query_one("SELECT time_zone FROM accounts_location WHERE id = %s", [port_id])
    assert tz is not None
    row = query_one(
        "SELECT ((h.starts_at - l.report_lead) AT TIME ZONE %s)::date AS d, count(*) FROM hearings_hearing h "
        "JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id WHERE l.reporting_port_id = %s "
        "AND h.status IN ('scheduled', 'continued', 'held') GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1",
        [tz[0], port_id],
    )
    if row is None:
        raise SystemExit("bench: nobody reports at the busiest port for a hearing (Case.reporting_port, H1)")
    start = dt.datetime.combine(row[0], dt.time.min, tzinfo=zoneinfo.ZoneInfo(tz[0]))
    # The morning of scans: the day with the most people who can be checked in (in Mexico, not yet in).
    morning = query_one(
        "SELECT ((h.starts_at - l.report_lead) AT TIME ZONE %s)::date AS d, count(*) FROM hearings_hearing h "
        "JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id JOIN cases_case c ON c.id = h.case_id "
        "WHERE l.reporting_port_id = %s AND h.status = 'scheduled' AND c.status IN ('in_mexico', 'reopened') "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        [tz[0], port_id],
    )
    morning_day = morning[0] if morning else row[0]
    morning_start = dt.datetime.combine(morning_day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(tz[0]))
    return {
        "check_in_day": morning_day.isoformat(),
        "check_in_start": morning_start,
        "check_in_end": morning_start + dt.timedelta(days=1),
        "arrivals_day": row[0].isoformat(),
        "arrivals_count": row[1],
        "arrivals_start": start,
        "arrivals_end": start + dt.timedelta(days=1),
        "port_time_zone": tz[0],
    }


CHECK_IN_MORNING = "a 200-person check-in morning (scan after scan)"


def measure_check_in_morning(fixtures: dict[str, Any]) -> Result:
    """Step 8 (H1): 200 people checked in one after another through the scan field of the arrivals page —
    each scan the POST of the tear sheet's barcode and the GET of the page it redirects to, ready for the
    next — on the busiest day at the port, the clock set just after the last of their report times. All in
    one transaction rolled back at the end, so the data stays as generated."""
    from unittest import mock

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from hearings.rules import tear_sheet_barcode

    entry = Entry(CHECK_IN_MORNING, "officer", "/hearings/port/arrivals/ (POST code)", CHECK_IN_SCAN)
    result = Result(entry=entry, name=entry.name, url=entry.url)
    print(f"bench: {entry.name} on {fixtures['check_in_day']}", flush=True)
    people = query_all(
        "SELECT a.a_number, s.id, h.starts_at - l.report_lead FROM hearings_hearing h "
        "JOIN hearings_hearinglocation l ON l.id = h.hearing_location_id JOIN cases_case c ON c.id = h.case_id "
        "JOIN cases_alien a ON a.id = c.alien_id "
        "JOIN hearings_tearsheet s ON s.hearing_id = h.id AND s.superseded_at IS NULL "
        "WHERE l.reporting_port_id = %s AND h.status IN ('scheduled', 'continued', 'held') "
        "AND h.starts_at - l.report_lead >= %s AND h.starts_at - l.report_lead < %s "
        "AND c.status IN ('in_mexico', 'reopened') AND a.a_number IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM hearings_hearingattendance t WHERE t.hearing_id = h.id) "
        "ORDER BY h.starts_at - l.report_lead, h.id LIMIT 200",
        [fixtures["port_id"], fixtures["check_in_start"], fixtures["check_in_end"]],
    )
    if not people:
        result.failures.append(f"nobody to check in on {fixtures['check_in_day']}")
        return result
    if len(people) < 200:  # a small scale database: the scans there are, as many as there are
        print(f"bench: only {len(people)} people to check in on {fixtures['check_in_day']}", flush=True)
    clock = max(row[2] for row in people) + dt.timedelta(minutes=1)
    url = f"/hearings/port/arrivals/?port={fixtures['port_id']}&day={fixtures['check_in_day']}"
    seconds: list[float] = []
    checked_in = 0

    class Rollback(Exception):
        pass

    try:
        with mock.patch.object(timezone, "now", lambda: clock), transaction.atomic():
            client = Client()
            client.force_login(user_get(USERS["officer"].format(**fixtures)), backend=session_backend())
            client.get(url, secure=True)  # warm-up
            for a_number, sheet_id, _report_at in people:
                code = tear_sheet_barcode(a_number, sheet_id)
                t0 = time.perf_counter()
                posted = client.post(url, {"port": fixtures["port_id"], "code": code}, secure=True)
                page = client.get(posted["Location"], secure=True) if posted.status_code == 302 else None
                seconds.append(time.perf_counter() - t0)
                if page is None or page.status_code != 200:
                    result.failures.append(f"scan of {code}: HTTP {posted.status_code}")
                    break
                if b"Checked in:" in page.content:
                    checked_in += 1
            raise Rollback
    except Rollback:
        pass
    if checked_in < len(people):
        result.failures.append(
            f"{len(people) - checked_in} of {len(people)} scans did not check the person in"
        )
    p50, p95 = percentiles(seconds)
    result.timing = Timing(p50_ms=p50, p95_ms=p95, rows_shown=checked_in)
    if p95 > CHECK_IN_SCAN.p95_ms:  # type: ignore[operator]
        result.failures.append(f"p95 per scan {p95:.1f} ms > {CHECK_IN_SCAN.p95_ms:g} ms")
    return result


def query_all(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def measure_batch(fixtures: dict[str, Any]) -> Result:
    """A 200-sheet print batch built by the code the Celery task runs (in-process: the worker adds only
    the queueing), twice; the batch is removed afterwards so the data stays as generated."""
    from django.db import transaction

    from hearings.models import PrintBatch, PrintBatchItem
    from hearings.services import print_batch_build

    entry = Entry("print batch of 200 tear sheets", "print", "(hearings.services.print_batch_build)", BATCH)
    result = Result(entry=entry, name=entry.name, url=entry.url)
    print(f"bench: {entry.name}", flush=True)
    printer = user_get(USERS["print"].format(**fixtures))
    seconds, pages = [], 0
    for _ in range(2):
        # Written directly, not through print_batch_create: that would also queue the Celery task.
        with transaction.atomic():
            ids = fixtures["batch_sheet_ids"]
            batch = PrintBatch.objects.create(
                location_id=fixtures["port_id"], requested_by=printer, total=len(ids)
            )
            PrintBatchItem.objects.bulk_create(
                PrintBatchItem(batch=batch, sheet_id=pk, position=i) for i, pk in enumerate(ids)
            )
        started = time.perf_counter()
        built = print_batch_build(batch_id=batch.pk)
        seconds.append(time.perf_counter() - started)
        pages = built.done - built.failed
        if built.status != PrintBatch.Status.READY or built.failed:
            result.failures.append(f"batch {built.status}, {built.failed} sheets failed: {built.error}")
        PrintBatch.objects.filter(pk=batch.pk).delete()
    p50, _ = percentiles(seconds)
    result.timing = Timing(p50_ms=p50, p95_ms=max(s * 1000 for s in seconds), rows_shown=pages)
    if result.timing.p95_ms > BATCH.p95_ms:  # type: ignore[operator]
        result.failures.append(f"slowest {result.timing.p95_ms / 1000:.1f} s > {BATCH.p95_ms / 1000:g} s")  # type: ignore[operator]
    return result


def session_backend() -> str:
    """The backend a real sign-in records in the session: the first one that authenticates (django-axes'
    backend only refuses locked-out sign-ins and never signs anyone in). ``force_login`` without it would
    pick axes' backend and load the user the slower, generic way."""
    from django.conf import settings

    return next(path for path in settings.AUTHENTICATION_BACKENDS if not path.startswith("axes."))


def user_get(username: str) -> Any:
    from mpp.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise SystemExit(f"bench: no active user {username} in {BENCH_DATABASE}")
    return user


def admin_ensure() -> Any:
    from mpp.accounts.models import User

    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        user = User(
            username=ADMIN_USERNAME, email=f"{ADMIN_USERNAME}@example.gov", is_staff=True, is_superuser=True
        )
        user.set_unusable_password()
        user._change_reason = "Superuser for make bench (admin changelist timings)"
        user.save()
    return user


def sign_in(fixtures: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client

    clients: dict[str, Any] = {}
    backend = session_backend()
    for role, pattern in USERS.items():
        client = Client()
        user = user_get(pattern.format(**fixtures))
        client.force_login(user, backend=backend)
        clients[role] = client
        fixtures[f"{role}_id"] = user.pk
    admin = Client()
    admin.force_login(admin_ensure(), backend=backend)
    clients["admin"] = admin
    return clients


def sessions_forget(clients: dict[str, Any]) -> None:
    for client in clients.values():
        client.logout()


def encoded(url: str) -> str:
    return quote(url, safe="/?&=:%")


class RequestFailed(Exception):
    pass


def time_get(client: Any, url: str, *, samples: int, warmup: int) -> tuple[Timing, Any]:
    """p50/p95 of ``samples`` GETs after ``warmup`` ones, then one more GET to count its queries (counting
    turns on Django's debug cursor, so it is kept out of the timed requests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> Any:
        try:
            response = client.get(url, secure=True)
        except Exception as error:
            raise RequestFailed(f"raised {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise RequestFailed(f"HTTP {response.status_code}")
        return response

    for _ in range(warmup):
        get()
    seconds = []
    for _ in range(samples):
        t0 = time.perf_counter()
        get()
        seconds.append(time.perf_counter() - t0)
    logged_before = access_log_last_id()
    with CaptureQueriesContext(connection) as captured:
        response = get()
    p50, p95 = percentiles(seconds)
    timing = Timing(p50, p95, len(captured), rows_shown=rows_logged_since(logged_before, client))
    return timing, response


def access_log_last_id() -> int:
    from mpp.audit.models import AccessLog

    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def rows_logged_since(last_id: int, client: Any) -> int:
    """How many records the request showed, as the access log recorded them (every read of personal data
    writes the ids it showed; a read that showed nobody writes nothing): the row count of an HTML list."""
    from mpp.audit.models import AccessLog

    user_id = client.session.get("_auth_user_id")
    logged = AccessLog.objects.filter(id__gt=last_id, user_id=user_id).values_list("object_ids", flat=True)
    return sum(len(ids) for ids in logged)


def sql_of(statement: str) -> str:
    """A twin's SQL: as written, or ``python:module.NAME`` read from the app (its own query, not a copy);
    the list parameters in ``module.NAME_LISTS``, if the app has them, are written in as literal arrays."""
    if not statement.startswith("python:"):
        return statement
    import importlib

    module_name, _, name = statement.removeprefix("python:").rpartition(".")
    module = importlib.import_module(module_name)
    sql = str(getattr(module, name))
    for param, values in getattr(module, f"{name}_LISTS", {}).items():
        literal = ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)
        sql = sql.replace(f"%({param})s", f"ARRAY[{literal}]")
    return sql


def time_sql(
    statements: tuple[str, ...], params: dict[str, Any], *, samples: int
) -> tuple[Timing, list[Any]]:
    from django.db import connection

    statements = tuple(sql_of(statement) for statement in statements)

    def run() -> list[Any]:
        first: list[Any] = []
        with connection.cursor() as cursor:
            for i, statement in enumerate(statements):
                cursor.execute(statement, params)
                rows = cursor.fetchall()
                if i == 0:
                    first = [row[0] for row in rows]
        return first

    for _ in range(WARMUP):
        run()
    seconds = []
    for _ in range(samples):
        t0 = time.perf_counter()
        ids = run()
        seconds.append(time.perf_counter() - t0)
    p50, p95 = percentiles(seconds)
    return Timing(p50, p95, len(statements)), ids


def response_ids(response: Any) -> list[Any] | None:
    """The ids of the rows an API answer lists, in order (None for HTML or a shape without ids)."""
    if "json" not in response.get("Content-Type", ""):
        return None
    body = response.json()
    items = body.get("results") if isinstance(body, dict) and "results" in body else body
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        return None
    return [item["id"] for item in items]


_admin_cache: dict[str, Timing | str] = {}


def measure_admin(client: Any, url: str) -> Timing | str:
    if url not in _admin_cache:
        try:
            _admin_cache[url] = time_get(client, url, samples=ADMIN_SAMPLES, warmup=ADMIN_WARMUP)[0]
        except RequestFailed as error:
            _admin_cache[url] = str(error)
    return _admin_cache[url]


def measure_entry(entry: Entry, fixtures: dict[str, Any], clients: dict[str, Any]) -> Result:
    name = entry.name.format(**fixtures)
    url = encoded(entry.url.format(**fixtures))
    result = Result(entry=entry, name=name, url=url)
    print(f"bench: {name} ({entry.role}) {url}", flush=True)
    budget = entry.budget
    response = None
    try:
        result.timing, response = time_get(clients[entry.role], url, samples=SAMPLES, warmup=WARMUP)
    except RequestFailed as error:
        result.failures.append(f"{url} {error}")
    if response is not None:
        if entry.expect:
            wanted = entry.expect.format(**fixtures)
            if wanted.casefold() not in response.content.decode().casefold():
                result.failures.append(f"the answer does not contain “{wanted}”")
    if entry.raw_sql:
        result.raw, raw_ids = time_sql(entry.raw_sql, fixtures, samples=SAMPLES)
        got = response_ids(response) if response is not None else None
        if got is not None and got != raw_ids:
            result.failures.append(
                f"the raw-SQL twin returns other rows than the endpoint (first ids {raw_ids[:3]} vs {got[:3]})"
            )
    if entry.admin_url:
        result.admin_url = encoded(entry.admin_url.format(**fixtures))
        admin = measure_admin(clients["admin"], result.admin_url)
        if isinstance(admin, str):
            result.failures.append(f"admin twin {result.admin_url} {admin}")
        else:
            result.admin = admin
    if result.timing is not None:
        if budget.p95_ms is not None and result.timing.p95_ms > budget.p95_ms:
            result.failures.append(f"p95 {result.timing.p95_ms:.1f} ms > {budget.p95_ms:g} ms")
        if budget.max_queries is not None and (result.timing.queries or 0) > budget.max_queries:
            result.failures.append(f"{result.timing.queries} queries > {budget.max_queries}")
        speedup = result.speedup
        if budget.min_speedup is not None and speedup is not None and speedup < budget.min_speedup:
            result.failures.append(f"{speedup:.1f}× faster than the admin < {budget.min_speedup:g}×")
    return result


# --- the load run --------------------------------------------------------------------------------------


def load_run(env: dict[str, str], fixtures: dict[str, Any]) -> Any:
    import bench_load
    from django.test import Client

    backend = session_backend()
    mix: list[tuple[str, str]] = []
    sessions: list[Any] = []
    per_user: list[list[str]] = []
    for port in fixtures["load_ports"]:
        for role, count in (("officer", 2), ("supervisor", 1)):
            for i in range(1, count + 1):
                client = Client()
                client.force_login(user_get(f"scale_cbp_{role}_{port['port_code']}_{i}"), backend=backend)
                sessions.append(client)
                cookie = client.cookies["sessionid"].value
                per_user.append([f"{encoded(u.format(**port))}\t{cookie}" for u in LOAD_MIX[role]])
    # Interleave the users: request k of every user, then request k + 1 …
    longest = max(len(lines) for lines in per_user)
    for k in range(longest):
        for lines in per_user:
            if k < len(lines):
                path, cookie = lines[k].split("\t")
                mix.append((path, cookie))
    try:
        return bench_load.run(
            env=env,
            mix=mix,
            mix_description=LOAD_MIX,
            seconds=LOAD_SECONDS,
            connections=LOAD_CONNECTIONS,
            workers=WORKERS,
            budget=LOAD,
            base_dir=BASE_DIR,
        )
    finally:
        for client in sessions:
            client.logout()


# --- the report ----------------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    import django
    from django.db import connection

    cpu = "unknown"
    ram = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                       "current_setting('work_mem')")  # fmt: skip
        pg_version, shared_buffers, work_mem = cursor.fetchone()
    return [
        ("CPUs (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU model", cpu),
        ("RAM", ram),
        ("PostgreSQL", f"{pg_version} (shared_buffers {shared_buffers}, work_mem {work_mem})"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("OS", platform.platform()),
    ]


def calibration() -> str:
    """Two probes that do not depend on the app, to tell a slow app from a busy machine: a ``SELECT 1``
    round trip and a fixed piece of pure-Python work. Compare them between runs: when they are slow, so is
    everything else in the run."""
    from django.db import connection

    round_trips, work = [], []
    with connection.cursor() as cursor:
        for _ in range(200):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            round_trips.append(time.perf_counter() - t0)
    for _ in range(20):
        t0 = time.perf_counter()
        sum(i * i for i in range(200_000))
        work.append(time.perf_counter() - t0)
    rt50, rt95 = percentiles(round_trips)
    cpu50, cpu95 = percentiles(work)
    return (
        f"`SELECT 1` round trip p50 {rt50:.2f} ms, p95 {rt95:.2f} ms; "
        f"fixed Python work p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms"
    )


def data_size() -> list[tuple[str, int]]:
    from django.db import connection

    tables = ["cases_case", "cases_alien", "cases_familyunit", "cases_caseevent"]
    rows: list[tuple[str, int]] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — the constant names above
            rows.append((table, cursor.fetchone()[0]))
        history = sorted(t for t in connection.introspection.table_names() if "_historical" in t)
        total = 0
        for table in history:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — names from the catalog
            total += cursor.fetchone()[0]
        rows.append((f"history tables ({len(history)}) total", total))
    return rows


def fmt_ms(timing: Timing | None, attr: str = "p95_ms") -> str:
    return "—" if timing is None else f"{getattr(timing, attr):.1f}"


def budget_text(budget: Budget, has_admin: bool) -> str:
    parts = []
    if budget.p95_ms is not None:
        parts.append(f"≤ {budget.p95_ms:g} ms")
    if budget.max_queries is not None:
        parts.append(f"≤ {budget.max_queries} queries")
    if budget.min_speedup is not None and has_admin:
        parts.append(f"≥ {budget.min_speedup:g}× admin")
    return f"{budget.label}: " + ("; ".join(parts) or "report only")


def admin_search_note(url: str) -> str:
    """For a search (``?q=``): what that admin searches, so a reader sees what the name search is set against."""
    from django.apps import apps
    from django.contrib import admin

    if "q=" not in url:
        return ""
    app_label, model_name = urlsplit(url).path.strip("/").split("/")[1:3]
    model_admin = admin.site.get_model_admin(apps.get_model(app_label, model_name))
    fields = ", ".join(f"`{f}`" for f in model_admin.search_fields) or "nothing"
    return f" — this admin's search_fields: {fields}"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_report(
    *,
    results: list[Result],
    load: Any,
    fixtures: dict[str, Any],
    settings_module: str,
    elapsed: float,
    load_average: tuple[tuple[float, ...], tuple[float, ...]],
    calibration: tuple[str, str],
    failures: list[str],
) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    users = {role: pattern.format(**fixtures) for role, pattern in USERS.items()}
    lines = [
        "# Performance at program scale",
        "",
        "Generated by `make bench` (`scripts/bench.py`); do not edit by hand. Budgets: issue step 5.",
        "",
        f"- Date: {now}",
        f"- Database: `{BENCH_DATABASE}`",
        f"- Result: **{'FAIL' if failures else 'pass'}** — {len(failures)} budget(s) missed",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {k} | {cell(v)} |" for k, v in machine()),
        "| Load average (1/5/15 min) before / after the requests | "
        + " / ".join(", ".join(f"{x:.2f}" for x in avg) for avg in load_average)
        + " |",
        f"| Calibration before the requests | {calibration[0]} |",
        f"| Calibration after the requests | {calibration[1]} |",
        "",
        "The machine is shared with PostgreSQL (and, in the load run, with wrk). A load average well above the "
        "number of CPUs, or slow calibration probes, mean that something else ran at the same time and the "
        "figures are pessimistic.",
        "",
        "## Data",
        "",
        "| table | rows |",
        "| --- | ---: |",
        *(f"| {table} | {count:,} |" for table, count in data_size()),
        "",
        f"Generated by `manage.py generate_scale_data` (BENCH_CASES {BENCH_CASES:,}, seed {BENCH_SEED} when the "
        "bench built it). The budgets are for 500,000 cases.",
        "",
        "## How it was measured",
        "",
        f"- In-process with `django.test.Client` (the whole middleware stack), settings `{settings_module}`, "
        "DEBUG off, each request `secure=True` (what the TLS proxy tells the app; the production settings "
        "redirect plain HTTP). Sessions made with `force_login` and the backend a real sign-in records "
        f"(`{session_backend()}`).",
        f"- Per entry: {WARMUP} warm-up requests, then {SAMPLES} timed ones (wall time around `client.get`); "
        "then one more request counted with `CaptureQueriesContext` (queries include the session and the "
        "user, and the access-log insert); *rows* is the number of records that request showed, as the access "
        "log recorded them. A status other than 200 fails the entry.",
        f"- Raw SQL twin: the plain SQL returning the same rows, through a cursor on the same connection, "
        f"{SAMPLES} samples; where the endpoint lists ids, the twin's ids must be the same, in the same order.",
        f"- Admin twin: the Django admin changelist on the same filter as `{ADMIN_USERNAME}` (a superuser), "
        f"{ADMIN_WARMUP} warm-up + {ADMIN_SAMPLES} timed requests. Speed-up = admin p95 / entry p95.",
        f"- Fixtures: the busiest port of entry `{fixtures['port_code']}` ({fixtures['port_cases']:,} cases); "
        f"users: " + ", ".join(f"{role} `{name}`" for role, name in users.items()) + "; "
        f"A-number `{fixtures['a_number']}` typed as “{fixtures['a_number_spelled']}”; case "
        f"{fixtures['case_id']} (family of {fixtures['family_size']}, {fixtures['case_events']} case events); "
        f"{fixtures['pending_reviews']:,} reviews pending at the port; {fixtures['tellez_cases']:,} cases of "
        "people named Téllez there; "
        f"the {fixtures['office_name']} (serving the port): {fixtures['fear_claims']:,} fear claims, "
        f"{fixtures['fear_to_schedule']:,} to schedule and {fixtures['fear_review']:,} awaiting review; case "
        f"{fixtures['fear_case_id']} with a decided fear claim; {fixtures['custody_open']:,} ICE custody referrals "
        f"due; metrics as of {fixtures['as_of']}.",
        "",
        "## Requests",
        "",
        "| request | role | p50 ms | p95 ms | queries | rows | budget | raw SQL p95 | admin p95 | speed-up vs admin "
        "| pass/fail |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        speedup = r.speedup
        verdict = "pass" if not r.failures else "**FAIL**: " + "; ".join(r.failures)
        lines.append(
            f"| {cell(r.name)} `{cell(r.url)}` | {r.entry.role} | {fmt_ms(r.timing, 'p50_ms')} | {fmt_ms(r.timing)} "
            f"| {r.timing.queries if r.timing else '—'} "
            f"| {r.timing.rows_shown if r.timing and r.timing.rows_shown is not None else '—'} "
            f"| {budget_text(r.entry.budget, r.admin_url is not None)} | {fmt_ms(r.raw)} | {fmt_ms(r.admin)} "
            f"| {f'{speedup:.1f}×' if speedup is not None else '—'} | {cell(verdict)} |"
        )
    admin_urls = sorted({r.admin_url for r in results if r.admin_url})
    lines += [
        "",
        "Admin twins measured:",
        "",
        *(f"- `{url}`{admin_search_note(url)}" for url in admin_urls),
        "",
    ]
    lines += ["## Load run", ""]
    if load is None:
        lines += ["Not run (BENCH_LOAD_SECONDS=0).", ""]
    else:
        lines += load.markdown(LOAD)
    lines += ["## Missed budgets", ""]
    lines += [f"- {cell(f)}" for f in failures] or ["None."]
    lines += ["", f"Bench run time: {elapsed:.0f} s.", ""]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
