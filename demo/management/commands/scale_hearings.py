"""Hearings at program scale, in set-based SQL (``generate_scale_data`` runs it after the cases, or alone
with ``--add-hearings`` on a scale database that has cases but no hearings yet).

For every case that reached enrolled: the NTA (served a few hours after the encounter; filed a few days
later, except the most recent ones and a few stragglers), its charge, the address in Mexico, the initial
master-calendar hearing in a docket slot 3–5 weeks later at the hearing location the site reports to,
and — for cases returned to Mexico — up to two continuances 6–7 weeks apart (only after a hearing that
already took place). Each hearing has a tear sheet version: earlier ones superseded, printed by the
site's print staff, except the newest sheets of the last days, which wait in the print queue. Slots are
the distinct hearing times (capacity at least 40) plus empty docket time for the next 8 weeks.

Deterministic for a seed (``pg_temp.u``), ids explicit (hearing = tear sheet = 4 × case + k; NTA = charge
link = address = case). These tables' history rows are not generated (nothing reads them at scale).
"""

from __future__ import annotations

# Where each site's people are heard (hearing location codes of hearings/migrations/0002).
SITE_PLACES = {
    "sys-poe": "sdg-ic-mpp",
    "cv-bps": "sdg-ic-mpp",
    "cxl-poe": "imp-ic-mpp",
    "cxl-bps": "imp-ic-mpp",
    "yum-bps": "imp-ic-mpp",
    "elp-poe": "elp-ic-mpp",
    "elp-bps": "elp-ic-mpp",
    "nog-poe": "elp-ic-nog",
    "nog-bps": "elp-ic-nog",
    "lrd-poe": "lrd-ihf",
    "lrd-bps": "lrd-ihf",
    "egp-poe": "egp-lrd-ihf",
    "egp-bps": "egp-lrd-ihf",
    "bro-poe": "bro-ihf",
    "bro-bps": "bro-ihf",
}
# The Mexican border city people are returned to, by site (for the address in Mexico).
SITE_CITIES = {
    "sys-poe": ("Tijuana", "Baja California"),
    "cv-bps": ("Tijuana", "Baja California"),
    "cxl-poe": ("Mexicali", "Baja California"),
    "cxl-bps": ("Mexicali", "Baja California"),
    "yum-bps": ("San Luis Río Colorado", "Sonora"),
    "elp-poe": ("Ciudad Juárez", "Chihuahua"),
    "elp-bps": ("Ciudad Juárez", "Chihuahua"),
    "nog-poe": ("Nogales", "Sonora"),
    "nog-bps": ("Nogales", "Sonora"),
    "lrd-poe": ("Nuevo Laredo", "Tamaulipas"),
    "lrd-bps": ("Nuevo Laredo", "Tamaulipas"),
    "egp-poe": ("Piedras Negras", "Coahuila"),
    "egp-bps": ("Piedras Negras", "Coahuila"),
    "bro-poe": ("Matamoros", "Tamaulipas"),
    "bro-bps": ("Matamoros", "Tamaulipas"),
}
STREETS = ["Juárez", "Hidalgo", "Morelos", "Revolución", "Independencia", "Madero", "Zaragoza", "Allende"]
SHEET_LANGUAGES = ("en", "es", "pt", "ht")  # the languages with a catalogue (N1a); others print en + es
SERVED_STATUSES = (
    "enrolled",
    "in_mexico",
    "in_us_for_hearing",
    "removed_from_mpp",
    "completed_relief",
    "completed_removal_order",
    "completed_other",
    "handed_to_ice",
    "reopened",
)

SETUP = [
    "DROP TABLE IF EXISTS sh_site, sh_case, sh_plan",
    """CREATE TEMP TABLE sh_site (site_id bigint PRIMARY KEY, site_tz text, place_id bigint, place_tz text,
        court_id bigint, city text, state text, printers bigint[]) ON COMMIT DROP""",
]

# Parameters: seed, now, court (user id array), charge_arriving, charge_present, streets (text array),
# languages (text array), served (status array).
GENERATE: list[tuple[str, str]] = [
    (
        "hearing plans",
        """
        CREATE OR REPLACE FUNCTION pg_temp.weekday(d date) RETURNS date LANGUAGE sql IMMUTABLE AS
        $$ SELECT d + CASE extract(isodow FROM d) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END $$;
        CREATE OR REPLACE FUNCTION pg_temp.docket_time(family bigint) RETURNS time LANGUAGE sql IMMUTABLE AS
        $$ SELECT (ARRAY['08:00','08:30','09:00','10:00','10:30','13:00','13:30','14:30'])[1 + (family %% 8)::int]::time $$;
        CREATE TEMP TABLE sh_case ON COMMIT DROP AS
        SELECT c.id AS case_id, c.alien_id, c.location_id, c.created_by_id, c.status, e.occurred_at,
               e.component, e.family_unit_id, s.place_id, s.place_tz, s.site_tz, s.court_id, s.city, s.state,
               s.printers, a.country_of_citizenship AS country, a.preferred_language_id AS language_id,
               l.code AS language_code,
               least(e.occurred_at + interval '3 hours', %(now)s::timestamptz) AS served_at,
               CASE WHEN c.status = 'enrolled' THEN 1
                    ELSE 1 + (pg_temp.u(%(seed)s, c.id, 'h2') < 0.6)::int + (pg_temp.u(%(seed)s, c.id, 'h3') < 0.3)::int
               END AS planned
        FROM cases_case c
        JOIN cases_encounter e ON e.id = c.encounter_id
        JOIN sh_site s ON s.site_id = c.location_id
        JOIN cases_alien a ON a.id = c.alien_id
        JOIN cases_language l ON l.id = a.preferred_language_id
        WHERE c.status = ANY(%(served)s);
        CREATE TEMP TABLE sh_plan ON COMMIT DROP AS
        SELECT p.*, row_number() OVER (PARTITION BY p.case_id ORDER BY p.k) - 1 AS seq,
               count(*) OVER (PARTITION BY p.case_id) AS n
        FROM (
            SELECT c.*, k,
                   ((pg_temp.weekday((c.served_at AT TIME ZONE c.place_tz)::date + 21 + (c.family_unit_id %% 21)::int
                       + k * (42 + (c.family_unit_id %% 7)::int))
                     + pg_temp.docket_time(c.family_unit_id))
                    AT TIME ZONE c.place_tz) AS starts_at,
                   ((pg_temp.weekday((c.served_at AT TIME ZONE c.place_tz)::date + 21 + (c.family_unit_id %% 21)::int
                       + (k - 1) * (42 + (c.family_unit_id %% 7)::int))
                     + pg_temp.docket_time(c.family_unit_id))
                    AT TIME ZONE c.place_tz) AS previous_at
            FROM sh_case c, generate_series(0, 2) AS k
            WHERE k < c.planned
        ) p
        -- A hearing is continued only at a hearing that took place: no later hearing after a future one.
        WHERE p.k = 0 OR p.previous_at < %(now)s::timestamptz;
        CREATE INDEX ON sh_plan (place_id, starts_at)
        """,
    ),
    (
        "hearing slots",
        """
        INSERT INTO hearings_hearingslot (hearing_location_id, starts_at, capacity, booked, published_by_id,
                                          created_at, updated_at)
        SELECT place_id, starts_at, greatest(40, count(*)), count(*), (%(court)s::bigint[])[1],
               starts_at - interval '60 days', starts_at - interval '60 days'
        FROM sh_plan GROUP BY place_id, starts_at
        ON CONFLICT (hearing_location_id, starts_at) DO UPDATE
            SET booked = hearings_hearingslot.booked + EXCLUDED.booked,
                capacity = greatest(hearings_hearingslot.capacity, hearings_hearingslot.booked + EXCLUDED.booked);
        INSERT INTO hearings_hearingslot (hearing_location_id, starts_at, capacity, booked, published_by_id,
                                          created_at, updated_at)
        SELECT hl.id, ((d::date + t::time) AT TIME ZONE hl.time_zone), 40, 0, (%(court)s::bigint[])[1],
               %(now)s::timestamptz, %(now)s::timestamptz
        FROM hearings_hearinglocation hl,
             generate_series(%(now)s::timestamptz::date + 1, %(now)s::timestamptz::date + 56, interval '1 day') AS d,
             unnest(ARRAY['08:30','10:00','13:00']) AS t
        WHERE hl.is_active AND extract(isodow FROM d) < 6
        ON CONFLICT (hearing_location_id, starts_at) DO NOTHING
        """,
    ),
    (
        "hearings",
        """
        INSERT INTO hearings_hearing (id, case_id, slot_id, hearing_location_id, starts_at, kind, status,
                                      is_initial, replaces_id, reason, scheduled_by_id, created_at, updated_at)
        SELECT p.case_id * 4 + p.seq, p.case_id, s.id, p.place_id, p.starts_at,
               CASE WHEN p.seq = 2 THEN 'individual' ELSE 'master' END,
               CASE WHEN p.seq = p.n - 1 THEN 'scheduled' ELSE 'continued' END,
               p.seq = 0,
               CASE WHEN p.seq > 0 THEN p.case_id * 4 + p.seq - 1 END,
               CASE WHEN p.seq = 0 THEN 'Initial master calendar hearing named in the NTA (N1).'
                    ELSE 'Continued at the hearing of ' || to_char(p.previous_at AT TIME ZONE p.place_tz, 'YYYY-MM-DD')
                         || ' (H2).' END,
               CASE WHEN p.seq = 0 THEN p.created_by_id
                    ELSE (%(court)s::bigint[])[1 + (p.case_id %% cardinality(%(court)s::bigint[]))::int] END,
               CASE WHEN p.seq = 0 THEN p.served_at ELSE p.previous_at END,
               CASE WHEN p.seq = 0 THEN p.served_at ELSE p.previous_at END
        FROM sh_plan p JOIN hearings_hearingslot s ON s.hearing_location_id = p.place_id AND s.starts_at = p.starts_at
        """,
    ),
    (
        "NTAs",
        """
        INSERT INTO hearings_noticetoappear (id, case_id, court_id, initial_hearing_id, classification, citizen_of,
            arrived_at_id, arrived_on, served_at, served_by_id, served_location_id, service_manner,
            oral_notice_language_id, interpretation, interpreter_language_id, filed_on, filed_by_id,
            created_at, updated_at)
        SELECT c.case_id, c.case_id, c.court_id, c.case_id * 4,
               CASE WHEN c.component = 'OFO' THEN 'arriving' ELSE 'present_without_admission' END,
               c.country, c.location_id, (c.occurred_at AT TIME ZONE c.site_tz)::date, c.served_at, c.created_by_id,
               c.location_id, 'in_person', c.language_id,
               CASE WHEN c.language_code IN ('es', 'en') THEN 'none' ELSE 'telephonic' END,
               CASE WHEN c.language_code IN ('es', 'en') THEN NULL ELSE c.language_id END,
               f.filed_on, CASE WHEN f.filed_on IS NOT NULL THEN (%(court)s::bigint[])[1] END,
               c.served_at, c.served_at
        FROM sh_case c
        CROSS JOIN LATERAL (
            SELECT CASE WHEN (c.served_at > %(now)s::timestamptz - interval '10 days'
                              AND pg_temp.u(%(seed)s, c.case_id, 'unfiled') < 0.5)
                             OR pg_temp.u(%(seed)s, c.case_id, 'straggler') < 0.004 THEN NULL
                        ELSE least((c.served_at AT TIME ZONE 'UTC')::date + 1
                                   + floor(pg_temp.u(%(seed)s, c.case_id, 'filed') * 4)::int,
                                   (%(now)s::timestamptz AT TIME ZONE 'UTC')::date) END AS filed_on
        ) f;
        INSERT INTO hearings_ntacharge (id, nta_id, charge_id, created_at)
        SELECT c.case_id, c.case_id,
               CASE WHEN c.component = 'OFO' THEN %(charge_arriving)s ELSE %(charge_present)s END, c.served_at
        FROM sh_case c;
        INSERT INTO hearings_addressinmexico (id, alien_id, case_id, address, city, state, phone, source,
            received_on, how_received, recorded_by_id, created_at, updated_at)
        SELECT c.case_id, c.alien_id, c.case_id,
               'Calle ' || (%(streets)s::text[])[1 + (c.case_id %% cardinality(%(streets)s::text[]))::int] || ' '
                   || (1 + floor(pg_temp.u(%(seed)s, c.case_id, 'street no') * 2400))::int || ', Col. Centro',
               c.city, c.state, '', 'nta', (c.served_at AT TIME ZONE 'UTC')::date, 'at_service', c.created_by_id,
               c.served_at, c.served_at
        FROM sh_case c
        """,
    ),
    (
        "tear sheets",
        """
        INSERT INTO hearings_tearsheet (id, case_id, hearing_id, location_id, version, reason, language_code,
            issued_at, superseded_at, superseded_by_id, printed_at, printed_by_id, print_count, created_at, updated_at)
        SELECT p.case_id * 4 + p.seq, p.case_id, p.case_id * 4 + p.seq, p.location_id, p.seq + 1,
               CASE WHEN p.seq = 0 THEN 'new' ELSE 'reissued' END,
               CASE WHEN p.language_code = ANY(%(languages)s) THEN p.language_code ELSE '' END,
               i.issued_at,
               CASE WHEN p.seq < p.n - 1 THEN p.starts_at END,
               CASE WHEN p.seq < p.n - 1 THEN p.case_id * 4 + p.seq + 1 END,
               CASE WHEN w.waiting THEN NULL ELSE least(i.issued_at + interval '2 hours', %(now)s::timestamptz) END,
               CASE WHEN w.waiting THEN NULL
                    ELSE p.printers[1 + (p.case_id %% cardinality(p.printers))::int] END,
               CASE WHEN w.waiting THEN 0 ELSE 1 END,
               i.issued_at, i.issued_at
        FROM sh_plan p
        CROSS JOIN LATERAL (SELECT CASE WHEN p.seq = 0 THEN p.served_at ELSE p.previous_at END AS issued_at) i
        CROSS JOIN LATERAL (
            SELECT p.seq = p.n - 1 AND i.issued_at > %(now)s::timestamptz - interval '4 days'
                   AND pg_temp.u(%(seed)s, p.case_id, 'waiting') < 0.7 AS waiting
        ) w
        """,
    ),
    (
        "reporting ports",
        # H1: the port where each person reports for their scheduled hearing (cases.Case.reporting_port,
        # kept by the services that book and move hearings), set for all cases at once.
        """
        UPDATE cases_case c SET reporting_port_id = hl.reporting_port_id
        FROM hearings_hearing h JOIN hearings_hearinglocation hl ON hl.id = h.hearing_location_id
        WHERE h.case_id = c.id AND h.status = 'scheduled'
          AND c.reporting_port_id IS DISTINCT FROM hl.reporting_port_id
        """,
    ),
]

ID_TABLES = (
    "hearings_hearingslot",
    "hearings_hearing",
    "hearings_noticetoappear",
    "hearings_ntacharge",
    "hearings_addressinmexico",
    "hearings_tearsheet",
)
ANALYZE_TABLES = ID_TABLES
