"""The set-based SQL behind ``manage.py generate_scale_data``, and the reference data it draws from.

Every random choice is a pure function of (seed, row number, salt): ``pg_temp.u`` hashes them with
``hashtextextended`` into [0, 1). The same seed gives the same people, A-numbers and stories (dates are
relative to the hour the command runs). Rows get explicit ids (case = alien = family member = n, family
unit = encounter = review = f), so every table is one INSERT … SELECT joined on those ids; the command
refuses a database that already has registry rows, so the ids are free, and moves the sequences after.

History and case-event tables are append-only (UPDATE/DELETE refused by trigger): every row is written
once, with its final values, and each earlier state is its own history INSERT.
"""

from __future__ import annotations

from dataclasses import dataclass

# ── People ─────────────────────────────────────────────────────────────────────────────────────────────
# Weights are shares of family units (not of people). Lists are in order of frequency: the picker draws
# rank k with probability ∝ log((k+1)/k) ≈ 1/k, a Zipf-like tail.

COUNTRY_WEIGHTS = {
    "HN": 26,
    "GT": 24,
    "SV": 11,
    "CU": 8,
    "VE": 8,
    "NI": 7,
    "EC": 7,
    "HT": 5,
    "BR": 4,
}
MEXICO = "MX"  # only ever a member of a mixed family (F1, F2), never the family's nationality
MIXED_CHILD_SHARE = 0.04  # a child of a non-Mexican family who is Mexican (born in transit)

# (language code, weight) by country; the whole family speaks the same one.
LANGUAGE_WEIGHTS: dict[str, dict[str, int]] = {
    "GT": {"es": 70, "quc": 14, "mam": 10, "qeq": 6},
    "HT": {"ht": 92, "fr": 8},
    "BR": {"pt": 100},
}
DEFAULT_LANGUAGE = "es"

_COMMON = [
    "Hernández",
    "García",
    "López",
    "Martínez",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Cruz",
    "Reyes",
    "Morales",
    "Gómez",
    "Díaz",
    "Torres",
    "Vásquez",
    "Castillo",
    "Ramos",
    "Ortiz",
    "Mendoza",
    "Aguilar",
    "Chávez",
    "Romero",
    "Jiménez",
    "Castro",
    "Juárez",
    "Méndez",
    "Téllez",
    "Núñez",
]
SURNAMES: dict[str, list[str]] = {
    "HN": ["Hernández", "López", "Martínez", "Rodríguez", "Mejía", "García", "Reyes", "Zelaya", "Cruz",
           "Flores", "Banegas", "Funes", "Lagos", "Cálix", "Paz", "Maradiaga", "Amaya", "Euceda"],
    "GT": ["López", "García", "Pérez", "Hernández", "Morales", "Chávez", "Ajanel", "Tzoc", "Xol", "Coyoy",
           "Tzul", "Ixcoy", "Pacheco", "Gómez", "Cux", "Sic", "Batz", "Quiché"],
    "SV": ["Hernández", "Martínez", "Rivera", "Flores", "López", "Orellana", "Alvarado", "Henríquez",
           "Guardado", "Portillo", "Menjívar", "Rodríguez", "Ayala", "Argueta"],
    "CU": ["Rodríguez", "González", "Pérez", "Fernández", "García", "Hernández", "Díaz", "Cabrera",
           "Valdés", "Sosa", "Peña", "Quintana", "Batista", "Leyva"],
    "VE": ["González", "Rodríguez", "Pérez", "Hernández", "Rojas", "Salazar", "Márquez", "Medina",
           "Castillo", "Guzmán", "Briceño", "Urdaneta", "Contreras", "Bermúdez"],
    "NI": ["López", "García", "Espinoza", "Martínez", "Duarte", "Obando", "Castro", "Téllez", "Aráuz",
           "Somarriba", "Lacayo", "Chamorro", "Gutiérrez", "Rivas"],
    "EC": ["Quishpe", "Guamán", "Vera", "Andrade", "Zambrano", "Cedeño", "Chiluisa", "Tenesaca", "Pérez",
           "Morocho", "Sarango", "Loja", "Vásquez", "Mora"],
    "MX": ["Hernández", "García", "Martínez", "López", "González", "Ramírez", "Sánchez", "Gutiérrez",
           "Luna", "Estrada", "Téllez", "Juárez"],
    "BR": ["Silva", "Santos", "Oliveira", "Souza", "Ferreira", "Almeida", "Costa", "Carvalho", "Lima",
           "Pereira", "Gomes", "Ribeiro", "Rocha", "Barbosa"],
    "HT": ["Jean-Baptiste", "Pierre", "Joseph", "Louis", "Charles", "Jean", "Saint-Fleur", "Dorvil",
           "Exantus", "François", "Alexis", "Désir", "Étienne", "Célestin"],
}  # fmt: skip
# Countries whose people carry two surnames (father's, then mother's).
TWO_SURNAMES = {"HN", "GT", "SV", "CU", "VE", "NI", "EC", "MX"}
for _country in TWO_SURNAMES:  # the long tail: the common Spanish surnames after the local ones
    SURNAMES[_country] += [s for s in _COMMON if s not in SURNAMES[_country]]

GIVEN_NAMES: dict[tuple[str, str], list[str]] = {
    ("es", "F"): ["María", "María José", "Ana", "Rosa", "Karla", "Yesenia", "Sofía", "Daniela", "Fátima",
                  "Gabriela", "Alejandra", "Wendy", "Glenda", "Dania", "Marisela", "Yolanda", "Génesis",
                  "Nohemí", "Keila", "Lesly", "Ana Lucía", "Rosa Elena", "Dayana", "Yaritza", "Heidy",
                  "Kimberly", "Ingrid", "Marleny", "Xiomara", "Luz María"],
    ("es", "M"): ["José", "Juan Carlos", "Luis", "Carlos", "José Luis", "Jorge", "Óscar", "Kevin", "Wilmer",
                  "Josué", "Edwin", "Mario", "Ángel", "Brayan", "Erick", "Nelson", "Cristian", "Dennis",
                  "Jairo", "Santiago", "Yeison", "Luis Fernando", "Elmer", "Marvin", "Selvin", "Franklin",
                  "Jonathan", "Héctor", "Germán", "Rubén"],
    ("pt", "F"): ["Ana Clara", "Juliana", "Fernanda", "Larissa", "Beatriz", "Camila", "Luana", "Letícia",
                  "Vitória", "Júlia"],
    ("pt", "M"): ["João Pedro", "Rafael", "Gustavo", "Thiago", "Lucas", "Mateus", "Felipe", "Vinícius",
                  "André", "Antônio"],
    ("ht", "F"): ["Nadège", "Mirlande", "Wideline", "Roseline", "Fabienne", "Darline", "Guerline",
                  "Marie-Ange", "Clércine", "Nathalie"],
    ("ht", "M"): ["Jean-Robert", "Wilner", "Frantz", "Jocelyn", "Ricardo", "Evens", "Peterson", "Wisly",
                  "Jean-Claude", "Réginald"],
}  # fmt: skip
NAME_POOL = {"BR": "pt", "HT": "ht"}  # everyone else: Spanish given names

# ── Places ─────────────────────────────────────────────────────────────────────────────────────────────
# Encounter site → weight (share of families) and the port where its people report for hearings.
SITES: dict[str, tuple[int, str]] = {
    "sys-poe": (16, "sys-poe"),
    "cxl-poe": (6, "cxl-poe"),
    "nog-poe": (3, "nog-poe"),
    "elp-poe": (14, "elp-poe"),
    "egp-poe": (3, "egp-poe"),
    "lrd-poe": (12, "lrd-poe"),
    "bro-poe": (12, "bro-poe"),
    "cv-bps": (8, "sys-poe"),
    "cxl-bps": (3, "cxl-poe"),
    "yum-bps": (4, "cxl-poe"),
    "nog-bps": (2, "nog-poe"),
    "elp-bps": (8, "elp-poe"),
    "egp-bps": (3, "egp-poe"),
    "lrd-bps": (3, "lrd-poe"),
    "bro-bps": (3, "bro-poe"),
}

# ── Stories: paths through the transition table ────────────────────────────────────────────────────────
# A step is an op (move, hold_open, release_negative, release_positive), a target status for moves, who
# does it (officer / supervisor at the site, port_officer at the hearing port, court, ice, sao), the event
# type the service records, reasons ({site}, {port} filled in), and its nominal time in days after the
# encounter (stretched per family by 0.8–1.2). ``head_only`` steps happen to the head of the family only
# (the fear claimant); ``decision`` marks the supervisor's decision, where a Mexican member of a mixed
# family is found not amenable (A2 mexican_national) and her story stops.


@dataclass(frozen=True)
class Step:
    op: str
    target: str
    actor: str
    event: str
    reason: str
    at: float
    head_only: bool = False
    decision: bool = False
    reasons: tuple[str, ...] = ()  # not-amenable reason codes of a decision
    other_reason: str = ""  # the reason written on the other members' cases, when it differs


_SCREENED = Step(
    "move",
    "awaiting_review",
    "officer",
    "review.submitted",
    "Screening submitted for supervisor review (A3)",
    0.05,
)
_FEAR_AT_SCREENING = Step(
    "hold_open", "", "officer", "hold.opened",
    "S1: fear of return to Mexico stated at screening; referred to USCIS for an MPP assessment interview.",
    0.052, head_only=True,
)  # fmt: skip
_AMENABLE = Step(
    "move", "amenable", "supervisor", "review.decided",
    "A3: amenable, confirmed by the supervisor. Screening reviewed for the Port Director at {site}; "
    "proposal confirmed (A3).",
    0.3, decision=True,
)  # fmt: skip
_ENROLLED = Step(
    "move", "enrolled", "officer", "status.changed",
    "NTA served and filed; MPP enrolment at {site} (N1).", 0.6,
)  # fmt: skip
_RETURNED = Step(
    "move", "in_mexico", "officer", "status.changed",
    "Returned to Mexico through {port} with a tear sheet and the first hearing date (N1).", 0.9,
)  # fmt: skip
_REPORTED = Step(
    "move", "in_us_for_hearing", "port_officer", "status.changed",
    "Reported to {port} for the master calendar hearing; transported to the hearing venue (H1).", 45.0,
)  # fmt: skip
_CONTINUED = Step(
    "move", "in_mexico", "port_officer", "status.changed",
    "Hearing continued by the immigration judge; returned to Mexico through {port} with the next date.",
    45.4,
)  # fmt: skip
_REPORTED_AGAIN = Step(
    "move", "in_us_for_hearing", "port_officer", "status.changed",
    "Reported to {port} for the individual hearing (H1).", 100.0,
)  # fmt: skip
_IN_MPP = (_SCREENED, _AMENABLE, _ENROLLED, _RETURNED)


def _court(target: str, reason: str, at: float) -> Step:
    return Step("move", target, "court", "status.changed", reason, at)


def _not_amenable(code: str, reason: str) -> Step:
    return Step(
        "move", "not_amenable", "supervisor", "review.decided", reason, 0.3, decision=True, reasons=(code,),
        other_reason="Not amenable: discretion (A2). Supervisor: kept together with the head of the family "
        "unit, who is not amenable. Screening reviewed for the Port Director at {site} (A3).",
    )  # fmt: skip


@dataclass(frozen=True)
class Path:
    code: str
    weight: float
    steps: tuple[Step, ...]
    recent: bool = False  # the final status is transient: its last step is within days of now


PATHS: tuple[Path, ...] = (
    Path("screening", 3, (), recent=True),
    Path("awaiting_review", 3, (_SCREENED,), recent=True),
    Path("fear_review_pending", 1.5, (_SCREENED, _FEAR_AT_SCREENING), recent=True),
    Path("amenable", 2, (_SCREENED, _AMENABLE), recent=True),
    Path("enrolled", 2, (_SCREENED, _AMENABLE, _ENROLLED), recent=True),
    Path("not_amenable_criminal", 2, (_SCREENED, _not_amenable(
        "criminal_history", "Not amenable: criminal_history (A2). Criminal history confirmed in the "
        "record checks at {site}.")),
    ),
    Path("not_amenable_health", 1.5, (_SCREENED, _not_amenable(
        "health", "Not amenable: health (A4). Found not fit to travel by medical personnel at {site}.")),
    ),
    Path("in_mexico", 22, _IN_MPP),
    Path("fear_negative", 4, (
        _SCREENED, _FEAR_AT_SCREENING,
        Step("release_negative", "", "sao", "hold.released",
             "S3: negative non-refoulement assessment concurred by the supervisory asylum officer.", 12.0,
             head_only=True),
        Step("move", "amenable", "supervisor", "review.decided", _AMENABLE.reason, 12.2, decision=True),
        Step("move", "enrolled", "officer", "status.changed", _ENROLLED.reason, 12.5),
        Step("move", "in_mexico", "officer", "status.changed", _RETURNED.reason, 12.8),
    )),
    Path("in_us_for_hearing", 3, (*_IN_MPP, _REPORTED), recent=True),
    Path("fear_hearing_pending", 1, (*_IN_MPP, _REPORTED, Step(
        "hold_open", "", "port_officer", "hold.opened",
        "S1: fear of return to Mexico stated on hearing day at {port}; referred to USCIS.", 45.1,
        head_only=True)), recent=True),
    Path("continued", 6, (*_IN_MPP, _REPORTED, _CONTINUED)),
    Path("relief", 3, (*_IN_MPP, _REPORTED, _CONTINUED, _REPORTED_AGAIN, _court(
        "completed_relief", "Immigration judge granted asylum at the individual hearing (H3).", 100.2))),
    Path("removal_ordered", 5, (*_IN_MPP, _REPORTED, _court(
        "completed_removal_order", "Immigration judge ordered removal at the hearing (H4).", 45.2))),
    Path("in_absentia", 13, (*_IN_MPP, _court(
        "completed_removal_order", "Did not appear at {port} for the hearing; removal ordered in absentia (H2).",
        46.0))),
    Path("removal_to_ice", 4, (*_IN_MPP, _REPORTED, _court(
        "completed_removal_order", "Immigration judge ordered removal at the hearing (H4).", 45.2),
        Step("move", "handed_to_ice", "ice", "status.changed",
             "Final order of removal: custody transferred to ICE ERO at {port} (H4).", 45.3))),
    Path("reopened", 2, (*_IN_MPP, _court(
        "completed_removal_order", "Did not appear at {port} for the hearing; removal ordered in absentia (H2).",
        46.0), _court("reopened", "Motion to reopen granted: notice of the hearing was not received (H5).",
                      120.0))),
    Path("terminated", 4, (*_IN_MPP, _REPORTED, _court(
        "completed_other", "Proceedings terminated by the immigration judge.", 45.2))),
    Path("voluntary_departure", 2, (*_IN_MPP, _REPORTED, _court(
        "completed_other", "Voluntary departure granted by the immigration judge.", 45.2))),
    Path("fear_positive", 4, (*_IN_MPP, _REPORTED,
        Step("hold_open", "", "port_officer", "hold.opened",
             "S1: fear of return to Mexico stated on hearing day at {port}; referred to USCIS.", 45.05,
             head_only=True),
        Step("release_positive", "", "sao", "hold.released",
             "S4: positive non-refoulement assessment concurred by the supervisory asylum officer.", 47.0,
             head_only=True),
        Step("move", "removed_from_mpp", "sao", "status.changed",
             "S4: positive fear assessment concurred; removed from MPP, 240 proceedings continue in the U.S.",
             47.1, other_reason="F5: a member of the family unit was assessed positive; the family leaves "
             "MPP together."),
    )),
)  # fmt: skip


# ── SQL ────────────────────────────────────────────────────────────────────────────────────────────────

TEMP_TABLES = (
    "sg_pick sg_surname sg_given sg_count sg_site sg_path sg_step sg_language sg_fam sg_family sg_mem sg_cstep "
    "sg_move sg_facts sg_review sg_hold"
).split()

SETUP = [
    # A second run in the same session (and transaction, in tests) starts clean.
    "DROP TABLE IF EXISTS " + ", ".join(TEMP_TABLES),
    # u(seed, n, salt) in [0, 1): 53 bits of a 64-bit hash of (salt, n) keyed by the seed.
    """
    CREATE OR REPLACE FUNCTION pg_temp.u(s bigint, n bigint, salt text) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT ((hashtextextended(salt || ':' || n, s) >> 11) & 9007199254740991)::float8
              / 9007199254740992.0 $$
    """,
    # Zipf-like rank in 1..len: P(k) ∝ log((k+1)/k).
    """
    CREATE OR REPLACE FUNCTION pg_temp.zipf(u float8, len int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT least(floor(exp(u * ln(len + 1)))::int, len) $$
    """,
    "CREATE TEMP TABLE sg_pick (kind text, code text, lo float8, hi float8) ON COMMIT DROP",
    "CREATE TEMP TABLE sg_surname (country text, rank int, name text, PRIMARY KEY (country, rank)) ON COMMIT DROP",
    "CREATE TEMP TABLE sg_given (pool text, sex text, rank int, name text, PRIMARY KEY (pool, sex, rank)) "
    "ON COMMIT DROP",
    "CREATE TEMP TABLE sg_count (kind text, key text, n int, PRIMARY KEY (kind, key)) ON COMMIT DROP",
    """CREATE TEMP TABLE sg_site (id bigint, code text, name text, tz text, component text, port_id bigint,
        port_name text, lo float8, hi float8, officers bigint[], supervisors bigint[], port_officers bigint[]) ON COMMIT DROP""",
    """CREATE TEMP TABLE sg_path (code text PRIMARY KEY, idx int, lo float8, hi float8, last_at float8,
        recent boolean, screened boolean, decided boolean) ON COMMIT DROP""",
    """CREATE TEMP TABLE sg_step (path text, k int, op text, target text, actor text, event text,
        reason text, other_reason text, at float8, head_only boolean, decision boolean,
        after_decision boolean, reasons text[]) ON COMMIT DROP""",
    "CREATE TEMP TABLE sg_language (code text PRIMARY KEY, id bigint) ON COMMIT DROP",
]

# Parameters: seed, cases, now, paths (number of paths), court/ice/sao (user id arrays), ct_review, ct_hold.
GENERATE: list[tuple[str, str]] = [
    (
        "families",
        """
        CREATE TEMP TABLE sg_fam ON COMMIT DROP AS
        WITH raw AS (
            SELECT f, CASE WHEN u < 0.46 THEN 1 WHEN u < 0.71 THEN 2 WHEN u < 0.87 THEN 3
                           WHEN u < 0.96 THEN 4 ELSE 5 END AS size
            FROM (SELECT f, pg_temp.u(%(seed)s, f, 'size') AS u FROM generate_series(1, %(cases)s) f) x
        ), run AS (SELECT f, size, sum(size) OVER (ORDER BY f) - size AS start FROM raw)
        SELECT f, least(size, %(cases)s - start)::int AS size, start::bigint AS start
        FROM run WHERE start < %(cases)s
        """,
    ),
    (
        "family attributes",
        """
        CREATE TEMP TABLE sg_family ON COMMIT DROP AS
        WITH base AS (
            SELECT fam.*, c.code AS country, s.id AS site_id, s.name AS site_name, s.port_name, s.tz,
                   s.component, s.officers, s.supervisors, s.port_officers,
                   -- the first families walk every path once, so a small run shows every status
                   CASE WHEN fam.f <= %(paths)s
                        THEN (SELECT code FROM sg_path WHERE idx = fam.f)
                        ELSE (SELECT code FROM sg_path WHERE pg_temp.u(%(seed)s, fam.f, 'path') >= lo
                                AND pg_temp.u(%(seed)s, fam.f, 'path') < hi) END AS path,
                   0.8 + 0.4 * pg_temp.u(%(seed)s, fam.f, 'stretch') AS stretch,
                   l.code AS language
            FROM sg_fam fam
            JOIN sg_pick c ON c.kind = 'country' AND pg_temp.u(%(seed)s, fam.f, 'country') >= c.lo
                 AND pg_temp.u(%(seed)s, fam.f, 'country') < c.hi
            JOIN sg_site s ON pg_temp.u(%(seed)s, fam.f, 'site') >= s.lo AND pg_temp.u(%(seed)s, fam.f, 'site') < s.hi
            JOIN sg_pick l ON l.kind = 'lang:' || c.code AND pg_temp.u(%(seed)s, fam.f, 'lang') >= l.lo
                 AND pg_temp.u(%(seed)s, fam.f, 'lang') < l.hi
        ), aged AS (
            SELECT b.*, p.last_at * b.stretch AS span,
                   CASE WHEN p.recent THEN p.last_at * b.stretch + 0.1 + 3 * pg_temp.u(%(seed)s, b.f, 'age')
                        ELSE p.last_at * b.stretch + 1 + (729 - p.last_at * b.stretch)
                             * pg_temp.u(%(seed)s, b.f, 'age') END AS age_days
            FROM base b JOIN sg_path p ON p.code = b.path
        )
        SELECT a.*,
               -- a local time of day (mostly daytime and evening) at the site, in its time zone
               least(
                   ((date_trunc('day', (%(now)s::timestamptz AT TIME ZONE a.tz)
                                       - make_interval(days => floor(a.age_days)::int)))
                     + make_interval(mins => (300 + floor(1130 * pg_temp.u(%(seed)s, a.f, 'hour')))::int))
                   AT TIME ZONE a.tz,
                   %(now)s::timestamptz - make_interval(secs => (a.span * 86400 + 7200)::float8)
               ) AS occurred_at,
               a.officers[1 + floor(pg_temp.u(%(seed)s, a.f, 'officer') * cardinality(a.officers))::int] AS officer_id,
               a.supervisors[1 + floor(pg_temp.u(%(seed)s, a.f, 'sup') * cardinality(a.supervisors))::int]
                   AS supervisor_id,
               a.port_officers[1 + floor(pg_temp.u(%(seed)s, a.f, 'port') * cardinality(a.port_officers))::int]
                   AS port_officer_id,
               (%(court)s::bigint[])[1 + floor(pg_temp.u(%(seed)s, a.f, 'court') * cardinality(%(court)s::bigint[]))::int]
                   AS court_id,
               (%(ice)s::bigint[])[1 + floor(pg_temp.u(%(seed)s, a.f, 'ice') * cardinality(%(ice)s::bigint[]))::int]
                   AS ice_id,
               (%(sao)s::bigint[])[1 + floor(pg_temp.u(%(seed)s, a.f, 'sao') * cardinality(%(sao)s::bigint[]))::int]
                   AS sao_id,
               CASE WHEN a.size = 1 THEN (CASE WHEN pg_temp.u(%(seed)s, a.f, 'hsex') < 0.7 THEN 'M' ELSE 'F' END)
                    ELSE (CASE WHEN pg_temp.u(%(seed)s, a.f, 'hsex') < 0.62 THEN 'F' ELSE 'M' END) END AS head_sex,
               CASE WHEN a.size = 1 THEN 18 + floor(40 * pg_temp.u(%(seed)s, a.f, 'hage') ^ 1.6)::int
                    ELSE 20 + floor(30 * pg_temp.u(%(seed)s, a.f, 'hage'))::int END AS head_age,
               s1.name AS surname1,
               (SELECT name FROM sg_surname s2 WHERE s2.country = a.country
                  AND s2.rank = 1 + mod(s1.rank - 1 + pg_temp.zipf(pg_temp.u(%(seed)s, a.f, 'sur2'),
                                        sc.n - 1), sc.n)) AS surname2
        FROM aged a
        JOIN sg_count sc ON sc.kind = 'surname' AND sc.key = a.country
        JOIN sg_surname s1 ON s1.country = a.country
             AND s1.rank = pg_temp.zipf(pg_temp.u(%(seed)s, a.f, 'sur1'), sc.n);
        CREATE UNIQUE INDEX ON sg_family (f);
        ANALYZE sg_family
        """,
    ),
    (
        "members",
        """
        CREATE TEMP TABLE sg_mem ON COMMIT DROP AS
        WITH m AS (
            SELECT fa.*, fa.start + pos AS n, pos,
                   CASE WHEN pos = 1 THEN 'head'
                        WHEN pos = 2 AND fa.head_age >= 22 AND pg_temp.u(%(seed)s, fa.start + pos, 'rel') < 0.35
                             THEN 'spouse'
                        WHEN pos > 2 AND pg_temp.u(%(seed)s, fa.start + pos, 'rel') < 0.06 THEN 'sibling'
                        ELSE 'child' END AS relationship
            FROM sg_family fa CROSS JOIN LATERAL generate_series(1, fa.size) pos
        ), p AS (
            SELECT m.*,
                   CASE WHEN relationship = 'child' AND pg_temp.u(%(seed)s, n, 'mx') < %(mixed)s
                        THEN 'MX' ELSE country END AS member_country,
                   CASE relationship WHEN 'head' THEN head_sex
                        WHEN 'spouse' THEN (CASE head_sex WHEN 'F' THEN 'M' ELSE 'F' END)
                        ELSE (CASE WHEN pg_temp.u(%(seed)s, n, 'sex') < 0.5 THEN 'F' ELSE 'M' END) END AS sex,
                   CASE relationship WHEN 'head' THEN head_age
                        WHEN 'spouse' THEN greatest(18, head_age - 6 + floor(12 * pg_temp.u(%(seed)s, n, 'age'))::int)
                        WHEN 'sibling' THEN greatest(12, head_age - 8 + floor(16 * pg_temp.u(%(seed)s, n, 'age'))::int)
                        ELSE floor(least(17, head_age - 16) * pg_temp.u(%(seed)s, n, 'age'))::int END AS age
            FROM m
        )
        SELECT p.*,
               ((p.occurred_at AT TIME ZONE p.tz)::date - make_interval(years => p.age)
                   - make_interval(days => floor(364 * pg_temp.u(%(seed)s, p.n, 'dob'))::int))::date AS dob,
               (p.member_country = 'MX') AS is_mx,
               coalesce(g.name, '?') AS given,
               CASE WHEN p.member_country = 'MX' THEN
                        (SELECT name FROM sg_surname x WHERE x.country = 'MX'
                           AND x.rank = pg_temp.zipf(pg_temp.u(%(seed)s, p.n, 'mxs'), 12)) || ' ' || p.surname1
                    WHEN p.relationship = 'spouse' AND p.country IN ('BR', 'HT') THEN sp1.name
                    WHEN p.relationship = 'spouse' THEN sp1.name || ' ' || sp2.name
                    WHEN p.country IN ('BR', 'HT') THEN p.surname1
                    ELSE p.surname1 || ' ' || p.surname2 END AS family_name,
               CASE WHEN p.member_country = 'MX' THEN 'es' ELSE p.language END AS language_code,
               'A' || (200000000 + mod(p.n * 48271 + %(a_offset)s, 100000000))::text AS a_number,
               p.occurred_at + make_interval(mins => 5, secs => p.pos * 10) AS registered_at
        FROM p
        JOIN sg_count gc ON gc.kind = 'given' AND gc.key = coalesce(%(pools)s::jsonb ->> p.member_country, 'es') || p.sex
        LEFT JOIN sg_given g ON g.pool = coalesce(%(pools)s::jsonb ->> p.member_country, 'es') AND g.sex = p.sex
             AND g.rank = pg_temp.zipf(pg_temp.u(%(seed)s, p.n, 'given'), gc.n)
        LEFT JOIN sg_surname sp1 ON sp1.country = p.country
             AND sp1.rank = pg_temp.zipf(pg_temp.u(%(seed)s, p.n, 'sp1'), 14)
        LEFT JOIN sg_surname sp2 ON sp2.country = p.country
             AND sp2.rank = pg_temp.zipf(pg_temp.u(%(seed)s, p.n, 'sp2'), 14);
        CREATE UNIQUE INDEX ON sg_mem (n);
        CREATE INDEX ON sg_mem (f);
        ANALYZE sg_mem
        """,
    ),
    (
        "steps",
        # One row per thing that happens to a case after it is opened, at its time, by its actor.
        """
        CREATE TEMP TABLE sg_cstep ON COMMIT DROP AS
        SELECT m.n, m.f, s.k, s.op, s.event, s.decision,
               CASE WHEN m.is_mx AND s.decision THEN 'not_amenable' ELSE s.target END AS target,
               CASE WHEN m.is_mx AND s.decision THEN ARRAY['mexican_national']
                    WHEN m.pos > 1 AND cardinality(s.reasons) > 0 THEN ARRAY['discretion']
                    ELSE s.reasons END AS reasons,
               CASE WHEN NOT m.is_mx AND m.pos > 1 AND cardinality(s.reasons) > 0 THEN 'exclude_discretion'
                    ELSE '' END AS override,
               replace(replace(CASE
                   WHEN m.is_mx AND s.decision THEN 'Not amenable: mexican_national (A2). Screening reviewed '
                        'for the Port Director at {site}; proposal confirmed (A3).'
                   WHEN m.pos > 1 AND s.other_reason <> '' THEN s.other_reason
                   ELSE s.reason END, '{site}', m.site_name), '{port}', m.port_name) AS reason,
               CASE s.actor WHEN 'officer' THEN m.officer_id WHEN 'supervisor' THEN m.supervisor_id
                    WHEN 'port_officer' THEN m.port_officer_id WHEN 'court' THEN m.court_id
                    WHEN 'ice' THEN m.ice_id ELSE m.sao_id END AS actor_id,
               s.actor,
               m.occurred_at + make_interval(secs => s.at * m.stretch * 86400 + m.pos * 10) AS at,
               m.occurred_at + make_interval(secs => s.at * m.stretch * 86400) AS family_at
        FROM sg_mem m JOIN sg_step s ON s.path = m.path
        WHERE NOT (s.head_only AND m.pos > 1) AND NOT (m.is_mx AND s.after_decision);
        CREATE INDEX ON sg_cstep (n);
        ANALYZE sg_cstep
        """,
    ),
    (
        "moves",
        """
        CREATE TEMP TABLE sg_move ON COMMIT DROP AS
        SELECT n, k, target, event, reason, actor_id, at, decision, reasons, override,
               lag(target, 1, 'screening') OVER (PARTITION BY n ORDER BY k) AS source,
               row_number() OVER (PARTITION BY n ORDER BY k DESC) = 1 AS is_last
        FROM sg_cstep WHERE op = 'move'
        """,
    ),
    (
        "aliens",
        """
        INSERT INTO cases_alien (id, a_number, family_name, given_names, date_of_birth, sex,
            country_of_citizenship, preferred_language_id, created_by_id, created_at, updated_at)
        SELECT m.n, m.a_number, m.family_name, m.given, m.dob, m.sex, m.member_country, l.id, m.officer_id,
               m.registered_at, m.registered_at
        FROM sg_mem m JOIN sg_language l ON l.code = m.language_code
        """,
    ),
    (
        "family units",
        """
        INSERT INTO cases_familyunit (id, created_by_id, created_at, updated_at)
        SELECT f, officer_id, occurred_at + interval '10 minutes', occurred_at + interval '10 minutes'
        FROM sg_family
        """,
    ),
    (
        "family members",
        """
        INSERT INTO cases_familymember (id, family_unit_id, alien_id, relationship, created_at, updated_at)
        SELECT n, f, n, relationship, occurred_at + interval '10 minutes', occurred_at + interval '10 minutes'
        FROM sg_mem
        """,
    ),
    (
        "encounters",
        """
        INSERT INTO cases_encounter (id, occurred_at, location_id, component, family_unit_id, created_by_id,
            created_at, updated_at)
        SELECT f, occurred_at, site_id, component, f, officer_id, occurred_at + interval '12 minutes',
               occurred_at + interval '12 minutes'
        FROM sg_family
        """,
    ),
    (
        "cases",
        """
        INSERT INTO cases_case (id, encounter_id, alien_id, location_id, status, status_changed_at,
            created_by_id, created_at, updated_at)
        SELECT m.n, m.f, m.n, m.site_id, coalesce(mv.target, 'screening'),
               coalesce(mv.at, m.occurred_at + make_interval(mins => 15, secs => m.pos * 10)), m.officer_id,
               m.occurred_at + make_interval(mins => 15, secs => m.pos * 10),
               greatest(coalesce(mv.at, m.occurred_at), m.occurred_at + make_interval(mins => 15, secs => m.pos * 10))
        FROM sg_mem m LEFT JOIN sg_move mv ON mv.n = m.n AND mv.is_last
        """,
    ),
    (
        "screening facts",
        # Screened cases, and about half of those still in screening (facts saved, not yet submitted).
        """
        CREATE TEMP TABLE sg_facts ON COMMIT DROP AS
        WITH x AS (
            SELECT m.n, m.f, m.pos, m.is_mx, m.sex, m.age, m.path, m.officer_id, l.id AS language_id,
                   m.language_code, m.occurred_at + make_interval(mins => 40, secs => m.pos * 10) AS saved_at,
                   (m.pos = 1 AND m.path = 'not_amenable_criminal') AS criminal,
                   (m.pos = 1 AND m.path = 'not_amenable_health') AS not_fit,
                   (m.pos = 1 AND m.path IN ('fear_review_pending', 'fear_negative')) AS fear,
                   pg_temp.u(%(seed)s, m.n, 'med') AS u_med, pg_temp.u(%(seed)s, m.n, 'fluent') AS u_fluent,
                   pg_temp.u(%(seed)s, m.n, 'preg') AS u_preg
            FROM sg_mem m JOIN sg_path p ON p.code = m.path JOIN sg_language l ON l.code = m.language_code
            WHERE p.screened OR pg_temp.u(%(seed)s, m.f, 'facts') < 0.5
        )
        SELECT x.*,
               CASE WHEN not_fit THEN 'not_fit' WHEN u_med < 0.12 THEN 'fit' ELSE 'not_assessed' END AS fit,
               (sex = 'F' AND age BETWEEN 18 AND 40 AND u_preg < 0.06) AS pregnant,
               (u_med < 0.05) AS illness,
               (not_fit OR u_med < 0.07) AS referral,
               CASE WHEN not_fit THEN 'hospital' WHEN u_med < 0.04 THEN 'cleared'
                    WHEN u_med < 0.07 THEN 'treated' ELSE '' END AS referral_outcome,
               CASE WHEN language_code = 'es' THEN u_fluent < 0.9 ELSE u_fluent < 0.05 END AS fluent,
               CASE WHEN is_mx THEN (CASE WHEN u_fluent < 0.7 THEN 'voluntary_return' ELSE 'withdrawal_i275' END)
                    ELSE '' END AS mx_choice
        FROM x;
        CREATE UNIQUE INDEX ON sg_facts (n);
        ANALYZE sg_facts
        """,
    ),
    (
        "screening facts rows",
        """
        INSERT INTO screenings_screeningfacts (id, case_id, expedited_removal, returning_lpr, parole,
            criminal_history, gom_usg_interest, fear_of_return_expressed, fear_stated_by, mexican_member_choice,
            fit_to_travel, pregnancy_disclosed, prior_illness_disclosed, other_condition, medical_referral,
            medical_referral_outcome, officer_fluent, interpretation_mode, interpretation_language_id, notes,
            updated_by_id, created_at, updated_at)
        SELECT n, n, false, false, false, criminal, false, fear, CASE WHEN fear THEN 'self' ELSE '' END,
               mx_choice, fit, pregnant, illness, '', referral, referral_outcome, fluent,
               CASE WHEN fluent THEN '' WHEN u_fluent < 0.97 THEN 'telephonic' ELSE 'in_person' END,
               CASE WHEN fluent THEN NULL ELSE language_id END, '', officer_id, saved_at, saved_at
        FROM sg_facts
        """,
    ),
    (
        "reviews",
        """
        CREATE TEMP TABLE sg_review ON COMMIT DROP AS
        SELECT fa.f, fa.site_id, fa.officer_id, fa.supervisor_id, fa.site_name,
               sub.family_at AS submitted_at, dec.family_at AS decided_at, p.decided
        FROM sg_family fa JOIN sg_path p ON p.code = fa.path
        JOIN sg_cstep sub ON sub.n = fa.start + 1 AND sub.event = 'review.submitted'
        LEFT JOIN sg_cstep dec ON dec.n = fa.start + 1 AND dec.decision
        """,
    ),
    (
        "review rows",
        """
        INSERT INTO screenings_amenabilityreview (id, encounter_id, location_id, status, proposal,
            submitted_by_id, submitted_at, decided_by_id, decided_at, decision_reason, created_at, updated_at)
        SELECT r.f, r.f, r.site_id, CASE WHEN r.decided THEN 'decided' ELSE 'pending' END,
               jsonb_build_object('ready_for_review', true, 'family_reasons', '[]'::jsonb, 'members',
                   (SELECT jsonb_agg(jsonb_build_object(
                        'key', m.n, 'name', m.given || ' ' || m.family_name, 'amenable', pr.reasons = '{}',
                        'uac', false, 'refer_to_uscis', coalesce(sf.fear, false),
                        'reasons', (SELECT coalesce(jsonb_agg(%(exclusions)s::jsonb -> c), '[]')
                                    FROM unnest(pr.reasons) c),
                        'notes', '[]'::jsonb, 'blockers', '[]'::jsonb) ORDER BY m.n)
                    FROM sg_mem m
                    LEFT JOIN sg_facts sf ON sf.n = m.n
                    CROSS JOIN LATERAL (SELECT CASE WHEN m.is_mx THEN ARRAY['mexican_national']
                        WHEN m.pos = 1 AND m.path = 'not_amenable_criminal' THEN ARRAY['criminal_history']
                        WHEN m.pos = 1 AND m.path = 'not_amenable_health' THEN ARRAY['health']
                        ELSE '{}'::text[] END AS reasons) pr
                    WHERE m.f = r.f)),
               r.officer_id, r.submitted_at,
               CASE WHEN r.decided THEN r.supervisor_id END, r.decided_at,
               CASE WHEN r.decided THEN 'Screening reviewed for the Port Director at ' || r.site_name
                    || '; proposal confirmed (A3).' ELSE '' END,
               r.submitted_at, coalesce(r.decided_at, r.submitted_at)
        FROM sg_review r
        """,
    ),
    (
        "member decisions",
        # The head's exclusion is proposed; the rest of the family is kept with the head at the supervisor's
        # discretion (an override, with its reason).
        """
        INSERT INTO screenings_memberdecision (id, review_id, case_id, proposed_amenable, proposed_reasons,
            amenable, reasons, override, override_reason, mexican_member_choice, created_at)
        SELECT mv.n, m.f, mv.n, proposed.reasons = '{}', proposed.reasons, mv.target = 'amenable', mv.reasons,
               mv.override,
               CASE WHEN mv.override <> ''
                    THEN 'Kept together with the head of the family unit, who is not amenable.' ELSE '' END,
               coalesce(sf.mx_choice, ''), r.decided_at
        FROM sg_move mv JOIN sg_mem m ON m.n = mv.n JOIN sg_review r ON r.f = m.f
        LEFT JOIN sg_facts sf ON sf.n = mv.n
        CROSS JOIN LATERAL (SELECT CASE WHEN m.is_mx THEN ARRAY['mexican_national']
            WHEN m.pos = 1 AND m.path = 'not_amenable_criminal' THEN ARRAY['criminal_history']
            WHEN m.pos = 1 AND m.path = 'not_amenable_health' THEN ARRAY['health']
            ELSE '{}'::text[] END AS reasons) proposed
        WHERE mv.decision
        """,
    ),
    (
        "holds",
        """
        CREATE TEMP TABLE sg_hold ON COMMIT DROP AS
        SELECT o.n AS id, o.n, o.reason, o.actor_id AS opened_by, o.at AS opened_at,
               CASE WHEN o.actor = 'port_officer' THEN s.port_id ELSE m.site_id END AS location_id,
               CASE WHEN o.actor = 'port_officer' THEN m.port_name ELSE m.site_name END AS location_name,
               r.actor_id AS released_by, r.at AS released_at, coalesce(r.reason, '') AS release_reason,
               CASE r.op WHEN 'release_negative' THEN 'negative' WHEN 'release_positive' THEN 'positive'
                    ELSE '' END AS outcome
        FROM sg_cstep o JOIN sg_mem m ON m.n = o.n JOIN sg_site s ON s.id = m.site_id
        LEFT JOIN sg_cstep r ON r.n = o.n AND r.op LIKE 'release%%'
        WHERE o.op = 'hold_open'
        """,
    ),
    (
        "hold rows",
        """
        INSERT INTO cases_hold (id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at,
            released_by_id, released_at, release_reason, outcome, created_at, updated_at)
        SELECT id, n, 'fear_claim', 'S1', reason, location_id, opened_by, opened_at, released_by, released_at,
               release_reason, outcome, opened_at, coalesce(released_at, opened_at)
        FROM sg_hold
        """,
    ),
    (
        "case events",
        """
        INSERT INTO cases_caseevent (case_id, type, actor_id, occurred_at, reason, data, sensitivities,
            subject_type_id, subject_id, created_at)
        SELECT * FROM (
            SELECT m.n, 'case.opened', m.officer_id, c.created_at,
                   'Case opened at intake at ' || m.site_name, jsonb_build_object('status', 'screening'),
                   '{}'::varchar[], NULL::int, NULL::bigint, c.created_at
            FROM sg_mem m JOIN cases_case c ON c.id = m.n
            UNION ALL
            SELECT sf.n, 'screening.facts_saved', sf.officer_id, sf.saved_at, '',
                   jsonb_build_object('fields', to_jsonb(array_remove(ARRAY[
                       CASE WHEN sf.criminal THEN 'criminal_history' END,
                       CASE WHEN sf.fear THEN 'fear_of_return_expressed' END,
                       CASE WHEN sf.fear THEN 'fear_stated_by' END,
                       CASE WHEN sf.mx_choice <> '' THEN 'mexican_member_choice' END,
                       CASE WHEN sf.fit <> 'not_assessed' THEN 'fit_to_travel' END,
                       CASE WHEN sf.pregnant THEN 'pregnancy_disclosed' END,
                       CASE WHEN sf.illness THEN 'prior_illness_disclosed' END,
                       CASE WHEN sf.referral THEN 'medical_referral' END,
                       CASE WHEN sf.referral_outcome <> '' THEN 'medical_referral_outcome' END,
                       'officer_fluent',
                       CASE WHEN NOT sf.fluent THEN 'interpretation_mode' END,
                       CASE WHEN NOT sf.fluent THEN 'interpretation_language' END], NULL))),
                   array_remove(ARRAY[
                       CASE WHEN sf.fear THEN 'fear' END,
                       CASE WHEN sf.fit <> 'not_assessed' OR sf.pregnant OR sf.illness OR sf.referral
                            THEN 'medical' END], NULL)::varchar[],
                   NULL, NULL, sf.saved_at
            FROM sg_facts sf
            UNION ALL
            SELECT mv.n, mv.event, mv.actor_id, mv.at, mv.reason,
                   CASE WHEN mv.decision THEN jsonb_build_object('review_id', m.f, 'reasons', to_jsonb(mv.reasons),
                            'override', mv.override)
                        WHEN mv.event = 'review.submitted' THEN jsonb_build_object('review_id', m.f)
                        ELSE '{}'::jsonb END
                   || jsonb_build_object('from', mv.source, 'to', mv.target),
                   CASE WHEN mv.decision AND m.path = 'not_amenable_health' THEN ARRAY['medical']
                        ELSE '{}' END::varchar[],
                   CASE WHEN mv.event LIKE 'review.%%' THEN %(ct_review)s::int END,
                   CASE WHEN mv.event LIKE 'review.%%' THEN m.f END, mv.at
            FROM sg_move mv JOIN sg_mem m ON m.n = mv.n
            UNION ALL
            SELECT h.n, 'hold.opened', h.opened_by, h.opened_at, h.reason,
                   jsonb_build_object('hold_id', h.id, 'kind', 'fear_claim', 'rule', 'S1',
                                      'location', h.location_name),
                   ARRAY['fear']::varchar[], %(ct_hold)s::int, h.id, h.opened_at
            FROM sg_hold h
            UNION ALL
            SELECT h.n, 'hold.released', h.released_by, h.released_at, h.release_reason,
                   jsonb_build_object('hold_id', h.id, 'kind', 'fear_claim', 'rule', 'S1', 'outcome', h.outcome),
                   ARRAY['fear']::varchar[], %(ct_hold)s::int, h.id, h.released_at
            FROM sg_hold h WHERE h.released_at IS NOT NULL
        ) e ORDER BY 4, 1
        """,
    ),
    (
        "history: registry",
        """
        INSERT INTO cases_historicalalien (id, a_number, family_name, given_names, date_of_birth, sex,
            country_of_citizenship, preferred_language_id, created_by_id, created_at, updated_at, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT a.id, a.a_number, a.family_name, a.given_names, a.date_of_birth, a.sex, a.country_of_citizenship,
               a.preferred_language_id, a.created_by_id, a.created_at, a.updated_at, a.created_at,
               'Registered at intake at ' || m.site_name || '; biometrics taken, A-number assigned', '+',
               a.created_by_id
        FROM cases_alien a JOIN sg_mem m ON m.n = a.id;

        INSERT INTO cases_historicalfamilyunit (id, created_by_id, created_at, updated_at, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT u.id, u.created_by_id, u.created_at, u.updated_at, u.created_at,
               CASE WHEN fa.size = 1 THEN 'Single adult: a family unit of one'
                    ELSE 'Family of ' || fa.size || ' encountered together' END, '+', u.created_by_id
        FROM cases_familyunit u JOIN sg_family fa ON fa.f = u.id;

        INSERT INTO cases_historicalfamilymember (id, family_unit_id, alien_id, relationship, created_at,
            updated_at, history_date, history_change_reason, history_type, history_user_id)
        SELECT fm.id, fm.family_unit_id, fm.alien_id, fm.relationship, fm.created_at, fm.updated_at,
               fm.created_at, 'Family unit recorded at intake', '+', m.officer_id
        FROM cases_familymember fm JOIN sg_mem m ON m.n = fm.id;

        INSERT INTO cases_historicalencounter (id, occurred_at, location_id, component, family_unit_id,
            created_by_id, created_at, updated_at, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT e.id, e.occurred_at, e.location_id, e.component, e.family_unit_id, e.created_by_id, e.created_at,
               e.updated_at, e.created_at,
               'Encountered ' || CASE e.component WHEN 'OFO' THEN 'at the port of entry: '
                                 ELSE 'between ports of entry: ' END || fa.site_name || ', arriving from Mexico',
               '+', e.created_by_id
        FROM cases_encounter e JOIN sg_family fa ON fa.f = e.id
        """,
    ),
    (
        "history: cases",
        """
        INSERT INTO cases_historicalcase (id, encounter_id, alien_id, location_id, status, status_changed_at,
            created_by_id, created_at, updated_at, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT * FROM (
            SELECT c.id, c.encounter_id, c.alien_id, c.location_id, 'screening', c.created_at, c.created_by_id,
                   c.created_at, c.created_at, c.created_at, 'Case opened at intake at ' || m.site_name, '+',
                   c.created_by_id
            FROM cases_case c JOIN sg_mem m ON m.n = c.id
            UNION ALL
            SELECT c.id, c.encounter_id, c.alien_id, c.location_id, mv.target, mv.at, c.created_by_id,
                   c.created_at, mv.at, mv.at, mv.reason, '~', mv.actor_id
            FROM sg_move mv JOIN cases_case c ON c.id = mv.n
        ) h ORDER BY 10, 1
        """,
    ),
    (
        "history: screening, reviews, holds",
        """
        INSERT INTO screenings_historicalscreeningfacts (id, case_id, expedited_removal, returning_lpr, parole,
            criminal_history, gom_usg_interest, fear_of_return_expressed, fear_stated_by, mexican_member_choice,
            fit_to_travel, pregnancy_disclosed, prior_illness_disclosed, other_condition, medical_referral,
            medical_referral_outcome, officer_fluent, interpretation_mode, interpretation_language_id, notes,
            updated_by_id, created_at, updated_at, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT id, case_id, expedited_removal, returning_lpr, parole, criminal_history, gom_usg_interest,
               fear_of_return_expressed, fear_stated_by, mexican_member_choice, fit_to_travel, pregnancy_disclosed,
               prior_illness_disclosed, other_condition, medical_referral, medical_referral_outcome,
               officer_fluent, interpretation_mode, interpretation_language_id, notes, updated_by_id, created_at,
               updated_at, created_at, 'Screening facts recorded', '+', updated_by_id
        FROM screenings_screeningfacts;

        INSERT INTO screenings_historicalamenabilityreview (id, encounter_id, location_id, status, proposal,
            submitted_by_id, submitted_at, decided_by_id, decided_at, decision_reason, created_at, updated_at,
            history_date, history_change_reason, history_type, history_user_id)
        SELECT * FROM (
            SELECT id, encounter_id, location_id, 'pending', proposal, submitted_by_id, submitted_at,
                   NULL::bigint, NULL::timestamptz, '', created_at, created_at, created_at,
                   'Screening submitted for supervisor review', '+', submitted_by_id
            FROM screenings_amenabilityreview
            UNION ALL
            SELECT id, encounter_id, location_id, status, proposal, submitted_by_id, submitted_at, decided_by_id,
                   decided_at, decision_reason, created_at, updated_at, decided_at, decision_reason, '~',
                   decided_by_id
            FROM screenings_amenabilityreview WHERE status = 'decided'
        ) h ORDER BY 13, 1;

        INSERT INTO screenings_historicalmemberdecision (id, review_id, case_id, proposed_amenable,
            proposed_reasons, amenable, reasons, override, override_reason, mexican_member_choice, created_at,
            history_date, history_change_reason, history_type, history_user_id)
        SELECT d.id, d.review_id, d.case_id, d.proposed_amenable, d.proposed_reasons, d.amenable, d.reasons,
               d.override, d.override_reason, d.mexican_member_choice, d.created_at, d.created_at,
               r.decision_reason, '+', r.decided_by_id
        FROM screenings_memberdecision d JOIN screenings_amenabilityreview r ON r.id = d.review_id;

        INSERT INTO cases_historicalhold (id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at,
            released_by_id, released_at, release_reason, outcome, created_at, updated_at, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT * FROM (
            SELECT id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at, NULL::bigint,
                   NULL::timestamptz, '', '', created_at, created_at, opened_at, reason, '+', opened_by_id
            FROM cases_hold
            UNION ALL
            SELECT id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at, released_by_id,
                   released_at, release_reason, outcome, created_at, updated_at, released_at, release_reason,
                   '~', released_by_id
            FROM cases_hold WHERE released_at IS NOT NULL
        ) h ORDER BY 15, 1
        """,
    ),
]

ANALYZE_TABLES = (
    "cases_alien",
    "cases_familyunit",
    "cases_familymember",
    "cases_encounter",
    "cases_case",
    "cases_hold",
    "cases_caseevent",
    "screenings_screeningfacts",
    "screenings_amenabilityreview",
    "screenings_memberdecision",
    "cases_historicalalien",
    "cases_historicalfamilyunit",
    "cases_historicalfamilymember",
    "cases_historicalencounter",
    "cases_historicalcase",
    "cases_historicalhold",
    "screenings_historicalscreeningfacts",
    "screenings_historicalamenabilityreview",
    "screenings_historicalmemberdecision",
)
