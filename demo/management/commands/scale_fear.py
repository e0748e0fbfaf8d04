"""Fear claims, USCIS assessments and ICE custody at program scale, in set-based SQL (``generate_scale_data``
runs it after the hearings, or alone with ``--add-fear`` on a scale database that has cases but no claims).

What it writes, as the services of step 7 would have (``screenings.fear_services``, ``cases.services``):

- **A claim for every ``fear_claim`` hold** the stories opened (S1): stated at screening (the family's
  review names it) or at the port on hearing day, by the person themselves, referred to the asylum office
  that serves the place (``Location.asylum_office``: Los Angeles for California and Arizona, Houston for
  Texas). An open hold is a pending claim, spread over the queue's stages: about 40 % to schedule, 30 %
  scheduled, 20 % assessed and awaiting supervisory review, 10 % returned for correction. A released hold
  is a decided claim with the hold's outcome, concurred by the supervisory asylum officer who released it.
- **More claims, decided negative**, so that about 13 % of referrals are positive (the program's share) but
  no more than 15 % of the people who reached enrolment are referred (MPP referred about 10-15 %): stated at
  the port on hearing day by the person, or for a fifth of the families with a child by the parent for the
  child (F3's "on behalf of"), and concurred negative before the family's next move — the hold they open
  blocks the family's return to Mexico (F4) only while it is pending. Each opens its ``fear_claim`` hold,
  released with the outcome.
- **An assessment** for every claim past "to schedule": the interview with an asylum officer posted at the
  office (S2: the person's language; an interpreter when the officer does not speak it; retained counsel by
  telephone for some), the determination with its grounds when positive (S3), and the supervisory review
  by someone other than the assessor; about 8 % of the decided ones were returned for correction once and
  submitted again.
- **ICE custody (S4)**: a referral for every member a concurred positive assessment removed from MPP (the
  claimant ``fear_of_mexico``, the family ``family_member_fear_positive``), and a determination for most of
  them (detain, parole, release on recognizance, other; about 10 % revisited later). Referrals of the last
  4½ days, and a backlog of about 8 % of the older ones, are still open: the ICE queue.
- The case events (``fear.*``, ``hold.*`` for the new holds, ``custody.*``) and the history rows of every
  state each record went through.

Deterministic for a seed (``pg_temp.u``); ids explicit (claim = assessment = its hold; referral = case;
determination = 2 × case + k; new holds after the largest hold id).
"""

from __future__ import annotations

# Shares (see the module docstring).
POSITIVE_SHARE = 0.13  # of all referrals, the target of the extra negative claims
MAX_REFERRED_SHARE = 0.15  # of the people who reached enrolment
CHILD_CLAIM_SHARE = 0.2  # of the extra claims' families with a child: a parent states it for the child
RETURNED_ONCE_SHARE = 0.08  # of the decided claims: returned for correction once, then concurred

STATEMENTS = [
    "States that a criminal group extorted and beat him in the border city while he waited to cross, and "
    "said they would find him if he came back.",
    "Says she was kidnapped for ransom on the way north through Mexico and fears the same people will find "
    "her in the shelter.",
    "Afraid of return to Mexico: robbed and threatened by uniformed men at a checkpoint, who took her "
    "documents.",
    "States that she was attacked in a shelter in Mexico because of her sexual orientation and was told "
    "she would be killed if she stayed.",
    "Says the men who attacked the family in Mexico said they would kill them if they returned.",
]
ACCOUNTS = [
    "Describes the events stated at referral with dates and places; consistent across the interview and "
    "with the referral.",
    "Gives a detailed account of the threats and the attack, names the group and the place; some dates "
    "approximate.",
    "Account of robbery and threats while in transit; no further contact with the people who threatened "
    "them.",
]
REASONS = {
    "positive": "More likely than not to face persecution on account of a protected ground, or torture, if "
    "returned to Mexico: a credible, detailed account of harm by a group the authorities do not control.",
    "negative": "Not more likely than not: the harm described was generalized crime not tied to a protected "
    "ground, and there is no indication of torture by or with the acquiescence of a public official.",
}
MEDICAL_NOTE = (
    "Disclosed an untreated injury from the assault; referred for a medical check after the interview."
)
RETURN_REASON = (
    "The record does not address whether relocation elsewhere in Mexico was possible; add it to the analysis."
)
CONCUR_REASON = "The interview record supports the determination."
COUNSEL = ["Lucía Ferrer (Al Otro Lado)", "Mark Brennan, Esq.", "Ana Villalobos (Texas Civil Rights Project)"]
# S4: ICE's case-by-case custody determination, by decision: (share, reason).
CUSTODY: list[tuple[str, float, str]] = [
    (
        "detain",
        0.15,
        "Detained pending INA 240 proceedings: no U.S. address or sponsor yet; custody reviewed again in 30 days.",
    ),
    (
        "parole",
        0.45,
        "Paroled pending INA 240 proceedings: family unit with a sponsor at a verified U.S. address.",
    ),
    (
        "recognizance",
        0.30,
        "Released on recognizance (Form I-220A) with reporting instructions; U.S. address verified.",
    ),
    ("other", 0.10, "Enrolled in Alternatives to Detention with telephone check-ins; U.S. address verified."),
]
REVISIT_SHARE = 0.10  # of the determinations old enough: revisited once, 10-40 days later
CUSTODY_BACKLOG_SHARE = 0.08  # of the referrals older than 4½ days: still waiting for ICE (the rest decided)
REVISIT_REASON = {
    "detain": ("parole", "Custody review: sponsor address verified; paroled pending INA 240 proceedings."),
    "other": ("recognizance", "Check-ins kept for 60 days; released on recognizance (Form I-220A)."),
    "parole": ("other", "Missed a check-in; enrolled in Alternatives to Detention with telephone check-ins."),
    "recognizance": (
        "other",
        "Changed address; enrolled in Alternatives to Detention until the next hearing.",
    ),
}

SETUP = [
    # Fresh statistics of what the stories wrote in this transaction: without them the planner walks the
    # history's date index instead of a case's rows (hours instead of seconds at 500k cases).
    "ANALYZE cases_hold, cases_case, cases_encounter, cases_familymember, cases_alien, cases_historicalcase",
    "DROP TABLE IF EXISTS sf_office, sf_site, sf_reported, sf_fear_family, sf_extra, sf_claim, sf_fc, sf_ref, sf_det, "
    "sf_detrow",
    """CREATE TEMP TABLE sf_office (id bigint PRIMARY KEY, name text, tz text, officers bigint[], saos bigint[])
        ON COMMIT DROP""",
    """CREATE TEMP TABLE sf_site (site_id bigint PRIMARY KEY, port_id bigint, port_name text,
        port_officers bigint[], ice bigint[]) ON COMMIT DROP""",
    # "2026-12-02 09:30 CST": a time as the office reads it (the zones of the asylum offices).
    """
    CREATE OR REPLACE FUNCTION pg_temp.zone_words(t timestamptz, tz text) RETURNS text LANGUAGE sql STABLE AS
    $$ SELECT to_char(t AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI') || ' ' ||
              CASE WHEN tz = 'America/Chicago' THEN
                       CASE WHEN (t AT TIME ZONE tz) - (t AT TIME ZONE 'UTC') = interval '-5 hours' THEN 'CDT' ELSE 'CST' END
                   WHEN tz = 'America/Los_Angeles' THEN
                       CASE WHEN (t AT TIME ZONE tz) - (t AT TIME ZONE 'UTC') = interval '-7 hours' THEN 'PDT' ELSE 'PST' END
                   WHEN tz = 'America/Phoenix' THEN 'MST'
                   ELSE tz END $$
    """,
    """
    CREATE OR REPLACE FUNCTION pg_temp.pick(a bigint[], u float8) RETURNS bigint LANGUAGE sql IMMUTABLE AS
    $$ SELECT a[1 + floor(u * cardinality(a))::int] $$
    """,
]

# Parameters: seed, now, extra (how many extra claims), labels (json), texts (json), ct_* (content types).
GENERATE: list[tuple[str, str]] = [
    (
        "fear: extra claimants",
        # People who reported for a hearing and moved on after it (continued, completed), in families with no
        # claim: one claimant per family, the families chosen by a hash, as many as ``extra``.
        """
        CREATE TEMP TABLE sf_reported ON COMMIT DROP AS
        WITH moves AS (
            SELECT hc.id AS case_id, hc.status, hc.history_date AS at,
                   lead(hc.history_date) OVER (PARTITION BY hc.id ORDER BY hc.history_date, hc.history_id) AS next_at
            FROM cases_historicalcase hc
        )
        SELECT DISTINCT ON (case_id) case_id, at, next_at FROM moves
        WHERE status = 'in_us_for_hearing' AND next_at IS NOT NULL
        ORDER BY case_id, at;
        CREATE UNIQUE INDEX ON sf_reported (case_id);
        ANALYZE sf_reported;
        CREATE TEMP TABLE sf_fear_family ON COMMIT DROP AS
        SELECT DISTINCT e.family_unit_id AS f FROM cases_hold h
        JOIN cases_case c ON c.id = h.case_id JOIN cases_encounter e ON e.id = c.encounter_id
        WHERE h.kind = 'fear_claim';
        CREATE UNIQUE INDEX ON sf_fear_family (f);
        ANALYZE sf_fear_family;
        CREATE TEMP TABLE sf_extra ON COMMIT DROP AS
        WITH members AS (
            SELECT r.case_id, r.at, r.next_at, c.alien_id, c.location_id, e.family_unit_id AS f, fm.relationship
            FROM sf_reported r
            JOIN cases_case c ON c.id = r.case_id
            JOIN cases_encounter e ON e.id = c.encounter_id
            JOIN cases_alien a ON a.id = c.alien_id
            JOIN cases_familymember fm ON fm.family_unit_id = e.family_unit_id AND fm.alien_id = c.alien_id
            WHERE a.country_of_citizenship <> 'MX' AND fm.relationship IN ('head', 'child')
              AND NOT EXISTS (SELECT 1 FROM sf_fear_family ff WHERE ff.f = e.family_unit_id)
        ), claimant AS (
            SELECT DISTINCT ON (f) * FROM members
            ORDER BY f, (relationship = 'child') <> (pg_temp.u(%(seed)s, f, 'fear child') < %(child_share)s),
                     pg_temp.u(%(seed)s, case_id, 'fear who')
        ), chosen AS (
            SELECT * FROM claimant ORDER BY pg_temp.u(%(seed)s, f, 'fear extra'), f LIMIT %(extra)s
        )
        SELECT ch.*, (SELECT coalesce(max(id), 0) FROM cases_hold) + row_number() OVER (ORDER BY ch.case_id) AS hold_id,
               CASE WHEN ch.relationship = 'child' THEN
                   (SELECT fm.alien_id FROM cases_familymember fm WHERE fm.family_unit_id = ch.f AND fm.relationship = 'head')
               END AS parent_alien_id
        FROM chosen ch
        """,
    ),
    (
        "fear: claims",
        """
        CREATE TEMP TABLE sf_claim ON COMMIT DROP AS
        SELECT h.id, h.case_id, c.alien_id, e.family_unit_id AS f, c.encounter_id, h.opened_at AS stated_at,
               h.location_id, h.opened_by_id AS recorded_by, h.released_at AS decided_at,
               h.released_by_id AS reviewer, h.outcome, false AS extra, 'self' AS stated_by,
               NULL::bigint AS stated_by_alien_id,
               CASE st.status WHEN 'in_us_for_hearing' THEN 'hearing_day'
                              WHEN 'screening' THEN 'screening' WHEN 'awaiting_review' THEN 'screening'
                              ELSE 'encounter' END AS setting
        FROM cases_hold h
        JOIN cases_case c ON c.id = h.case_id
        JOIN cases_encounter e ON e.id = c.encounter_id
        CROSS JOIN LATERAL (
            SELECT hc.status FROM cases_historicalcase hc WHERE hc.id = h.case_id AND hc.history_date <= h.opened_at
            ORDER BY hc.history_date DESC, hc.history_id DESC LIMIT 1
        ) st
        WHERE h.kind = 'fear_claim' AND NOT EXISTS (SELECT 1 FROM screenings_fearclaim fc WHERE fc.hold_id = h.id)
        UNION ALL
        SELECT x.hold_id, x.case_id, x.alien_id, x.f, c.encounter_id,
               x.at + (x.next_at - x.at) * 0.1, s.port_id,
               pg_temp.pick(s.port_officers, pg_temp.u(%(seed)s, x.case_id, 'fear recorder')),
               x.at + (x.next_at - x.at) * 0.8, NULL, 'negative', true,
               CASE WHEN x.parent_alien_id IS NOT NULL THEN 'parent' ELSE 'self' END, x.parent_alien_id,
               'hearing_day'
        FROM sf_extra x JOIN cases_case c ON c.id = x.case_id JOIN sf_site s ON s.site_id = x.location_id;
        CREATE UNIQUE INDEX ON sf_claim (id);
        ANALYZE sf_claim
        """,
    ),
    (
        "fear: stages",
        # Every time and fact of a claim's life, in one row: the stage a pending claim reached, who interviewed
        # and who reviewed, when each step happened (fractions of the time from statement to decision, or to
        # now for a pending claim), and what the interview recorded.
        """
        CREATE TEMP TABLE sf_fc ON COMMIT DROP AS
        WITH base AS (
            SELECT k.*, o.id AS office_id, o.name AS office_name, o.tz AS office_tz, o.officers, o.saos,
                   loc.name AS location_name, a.preferred_language_id AS language_id, lang.code AS language_code,
                   a.country_of_citizenship = 'MX' AS mexican,
                   CASE WHEN k.decided_at IS NOT NULL THEN 'decided'
                        WHEN pg_temp.u(%(seed)s, k.id, 'fear stage') < 0.4 THEN 'referred'
                        WHEN pg_temp.u(%(seed)s, k.id, 'fear stage') < 0.7 THEN 'scheduled'
                        WHEN pg_temp.u(%(seed)s, k.id, 'fear stage') < 0.9 THEN 'submitted'
                        ELSE 'returned' END AS status,
                   coalesce(k.decided_at, %(now)s::timestamptz) - k.stated_at AS span,
                   pg_temp.u(%(seed)s, k.id, 'fear interp') AS u_interp
            FROM sf_claim k
            JOIN accounts_location loc ON loc.id = k.location_id
            JOIN sf_office o ON o.id = loc.asylum_office_id
            JOIN cases_alien a ON a.id = k.alien_id
            JOIN cases_language lang ON lang.id = a.preferred_language_id
        ), staged AS (
            SELECT b.*,
                   pg_temp.pick(b.officers, pg_temp.u(%(seed)s, b.id, 'fear officer')) AS assessor,
                   coalesce(b.reviewer, pg_temp.pick(b.saos, pg_temp.u(%(seed)s, b.id, 'fear sao'))) AS sao,
                   CASE WHEN b.status = 'decided' THEN b.outcome
                        WHEN b.status IN ('submitted', 'returned') THEN
                            CASE WHEN pg_temp.u(%(seed)s, b.id, 'fear det') < %(positive_share)s THEN 'positive'
                                 ELSE 'negative' END
                        ELSE '' END AS determination,
                   b.status = 'decided' AND pg_temp.u(%(seed)s, b.id, 'fear return') < %(returned_share)s AS returned_once,
                   b.stated_at + b.span * 0.15 AS scheduled_at,
                   CASE WHEN b.status = 'scheduled'
                        THEN b.stated_at + b.span * 0.3
                             + make_interval(hours => (24 + floor(48 * pg_temp.u(%(seed)s, b.id, 'fear when')))::int)
                        ELSE b.stated_at + b.span * 0.35 END AS interview_at
            FROM base b
        )
        SELECT s.*,
               s.status NOT IN ('referred', 'scheduled') AS held,
               -- the (last) submission; a return for correction; the first submission when returned once
               CASE WHEN s.status = 'decided' AND s.returned_once THEN s.stated_at + s.span * 0.8
                    WHEN s.status = 'decided' THEN s.stated_at + s.span * 0.5
                    WHEN s.status IN ('submitted', 'returned') THEN s.stated_at + s.span * 0.6 END AS assessed_at,
               CASE WHEN s.status = 'decided' AND s.returned_once THEN s.stated_at + s.span * 0.5 END AS first_assessed_at,
               CASE WHEN s.status = 'decided' AND s.returned_once THEN s.stated_at + s.span * 0.65
                    WHEN s.status = 'returned' THEN s.stated_at + s.span * 0.85 END AS returned_at,
               CASE WHEN s.language_code = 'en' THEN ''
                    WHEN s.language_code = 'es' THEN CASE WHEN s.u_interp < 0.5 THEN '' ELSE 'telephonic' END
                    WHEN s.u_interp < 0.9 THEN 'telephonic' ELSE 'in_person' END AS interp_mode,
               pg_temp.u(%(seed)s, s.id, 'fear counsel') < 0.12 AS counsel,
               (%(texts)s::jsonb -> 'counsel' ->> floor(pg_temp.u(%(seed)s, s.id, 'fear counsel who') * 3)::int) AS counsel_name,
               (%(texts)s::jsonb -> 'statements' ->> floor(pg_temp.u(%(seed)s, s.id, 'fear said') * 5)::int) AS statement,
               (%(texts)s::jsonb -> 'accounts' ->> floor(pg_temp.u(%(seed)s, s.id, 'fear account') * 3)::int) AS account,
               CASE WHEN pg_temp.u(%(seed)s, s.id, 'fear medical') < 0.1 THEN %(texts)s::jsonb ->> 'medical'
                    ELSE '' END AS medical_notes,
               CASE WHEN s.determination <> 'positive' THEN '{}'::varchar[]
                    ELSE array_remove(ARRAY[g.primary_ground,
                        CASE WHEN g.primary_ground <> 'torture' AND pg_temp.u(%(seed)s, s.id, 'fear ground 2') < 0.25
                             THEN 'torture' END], NULL)::varchar[] END AS grounds,
               aso.first_name || ' ' || aso.last_name AS assessor_name,
               sao.first_name || ' ' || sao.last_name AS sao_name
        FROM staged s
        JOIN accounts_user aso ON aso.id = s.assessor
        JOIN accounts_user sao ON sao.id = s.sao
        CROSS JOIN LATERAL (SELECT CASE
            WHEN pg_temp.u(%(seed)s, s.id, 'fear ground') < 0.50 THEN 'social_group'
            WHEN pg_temp.u(%(seed)s, s.id, 'fear ground') < 0.70 THEN 'political_opinion'
            WHEN pg_temp.u(%(seed)s, s.id, 'fear ground') < 0.85 THEN 'torture'
            WHEN pg_temp.u(%(seed)s, s.id, 'fear ground') < 0.93 THEN 'religion'
            WHEN pg_temp.u(%(seed)s, s.id, 'fear ground') < 0.97 THEN 'nationality'
            ELSE 'race' END AS primary_ground) g;
        CREATE UNIQUE INDEX ON sf_fc (id);
        ANALYZE sf_fc
        """,
    ),
    (
        "fear: holds of the extra claims",
        """
        INSERT INTO cases_hold (id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at,
            released_by_id, released_at, release_reason, outcome, created_at, updated_at)
        SELECT fc.id, fc.case_id, 'fear_claim', 'S1', r.hold_reason, fc.location_id, fc.recorded_by, fc.stated_at,
               fc.sao, fc.decided_at, 'S3: ' || fc.outcome || ' assessment concurred by ' || fc.sao_name || '.',
               fc.outcome, fc.stated_at, fc.decided_at
        FROM sf_fc fc
        CROSS JOIN LATERAL (SELECT
            'S1: fear of return to Mexico stated (' || (%(labels)s::jsonb -> 'stated_by' ->> fc.stated_by) || ') at '
            || fc.location_name || ', ' || (%(labels)s::jsonb -> 'setting' ->> fc.setting) || '; referred to the '
            || fc.office_name || ' for an MPP assessment interview.' AS hold_reason) r
        WHERE fc.extra;
        INSERT INTO cases_historicalhold (id, case_id, kind, rule, reason, location_id, opened_by_id, opened_at,
            released_by_id, released_at, release_reason, outcome, created_at, updated_at, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT * FROM (
            SELECT h.id, h.case_id, h.kind, h.rule, h.reason, h.location_id, h.opened_by_id, h.opened_at,
                   NULL::bigint, NULL::timestamptz, '', '', h.created_at, h.created_at, h.opened_at, h.reason, '+',
                   h.opened_by_id
            FROM cases_hold h JOIN sf_fc fc ON fc.id = h.id AND fc.extra
            UNION ALL
            SELECT h.id, h.case_id, h.kind, h.rule, h.reason, h.location_id, h.opened_by_id, h.opened_at,
                   h.released_by_id, h.released_at, h.release_reason, h.outcome, h.created_at, h.updated_at,
                   h.released_at, h.release_reason, '~', h.released_by_id
            FROM cases_hold h JOIN sf_fc fc ON fc.id = h.id AND fc.extra
        ) x ORDER BY 15, 1
        """,
    ),
    (
        "fear: claim rows",
        """
        INSERT INTO screenings_fearclaim (id, case_id, hold_id, review_id, stated_by, stated_by_alien_id, stated_at,
            location_id, setting, language_id, statement, asylum_office_id, recorded_by_id, status, outcome,
            decided_at, created_at, updated_at)
        SELECT fc.id, fc.case_id, fc.id,
               CASE WHEN fc.setting = 'screening' THEN
                   (SELECT r.id FROM screenings_amenabilityreview r WHERE r.encounter_id = fc.encounter_id
                    ORDER BY r.submitted_at DESC, r.id DESC LIMIT 1) END,
               fc.stated_by, fc.stated_by_alien_id, fc.stated_at, fc.location_id, fc.setting, fc.language_id,
               fc.statement, fc.office_id, fc.recorded_by, fc.status,
               CASE WHEN fc.status = 'decided' THEN fc.outcome ELSE '' END, fc.decided_at, fc.stated_at,
               coalesce(fc.decided_at, fc.returned_at, fc.assessed_at, CASE WHEN fc.status = 'scheduled'
                        THEN fc.scheduled_at END, fc.stated_at)
        FROM sf_fc fc
        """,
    ),
    (
        "fear: assessment rows",
        """
        INSERT INTO screenings_fearassessment (id, claim_id, asylum_officer_id, interview_at, interview_held_at,
            interview_language_id, interpretation_mode, interpreter_id, counsel_present_by_phone, counsel_name,
            account, medical_notes, determination, grounds, determination_reason, assessed_by_id, assessed_at,
            reviewed_by_id, reviewed_at, review_reason, status, created_at, updated_at)
        SELECT fc.id, fc.id, fc.assessor, fc.interview_at,
               CASE WHEN fc.held THEN fc.interview_at END,
               CASE WHEN fc.held THEN fc.language_id END,
               CASE WHEN fc.held THEN fc.interp_mode ELSE '' END,
               CASE WHEN fc.held AND fc.interp_mode = 'telephonic'
                        THEN 'LL-' || lpad(floor(pg_temp.u(%(seed)s, fc.id, 'fear interpreter') * 1000000)::int::text, 6, '0')
                    WHEN fc.held AND fc.interp_mode = 'in_person'
                        THEN 'USCIS-INT-'
                             || lpad(floor(pg_temp.u(%(seed)s, fc.id, 'fear interpreter') * 10000)::int::text, 4, '0')
                    ELSE '' END,
               fc.held AND fc.counsel, CASE WHEN fc.held AND fc.counsel THEN fc.counsel_name ELSE '' END,
               CASE WHEN fc.held THEN fc.account ELSE '' END, CASE WHEN fc.held THEN fc.medical_notes ELSE '' END,
               fc.determination, fc.grounds,
               CASE WHEN fc.held THEN %(texts)s::jsonb -> 'reasons' ->> fc.determination ELSE '' END,
               CASE WHEN fc.held THEN fc.assessor END, fc.assessed_at,
               CASE WHEN fc.status IN ('decided', 'returned') THEN fc.sao END,
               CASE WHEN fc.status = 'decided' THEN fc.decided_at WHEN fc.status = 'returned' THEN fc.returned_at END,
               CASE WHEN fc.status = 'decided' THEN %(texts)s::jsonb ->> 'concur'
                    WHEN fc.status = 'returned' THEN %(texts)s::jsonb ->> 'return' ELSE '' END,
               CASE fc.status WHEN 'decided' THEN 'concurred' ELSE fc.status END,
               fc.scheduled_at, coalesce(fc.decided_at, fc.returned_at, fc.assessed_at, fc.scheduled_at)
        FROM sf_fc fc WHERE fc.status <> 'referred'
        """,
    ),
    (
        "fear: case events",
        """
        INSERT INTO cases_caseevent (case_id, type, actor_id, occurred_at, reason, data, sensitivities,
            subject_type_id, subject_id, created_at)
        SELECT case_id, type, actor_id, occurred_at, reason, data, sensitivities, subject_type_id, subject_id,
               created_at
        FROM (
            -- the new holds' opening and release (the stories' holds have theirs)
            SELECT fc.case_id, 'hold.opened', fc.recorded_by, fc.stated_at, h.reason,
                   jsonb_build_object('hold_id', h.id, 'kind', 'fear_claim', 'rule', 'S1', 'location', fc.location_name),
                   ARRAY['fear']::varchar[], %(ct_hold)s::int, h.id, fc.stated_at, 0
            FROM sf_fc fc JOIN cases_hold h ON h.id = fc.id WHERE fc.extra
            UNION ALL
            SELECT fc.case_id, 'hold.released', fc.sao, fc.decided_at, h.release_reason,
                   jsonb_build_object('hold_id', h.id, 'kind', 'fear_claim', 'rule', 'S1', 'outcome', h.outcome),
                   ARRAY['fear']::varchar[], %(ct_hold)s::int, h.id, fc.decided_at, 1
            FROM sf_fc fc JOIN cases_hold h ON h.id = fc.id WHERE fc.extra
            UNION ALL
            SELECT fc.case_id, 'fear.claim_recorded', fc.recorded_by, fc.stated_at,
                   'Referred to the ' || fc.office_name || ' for an MPP assessment interview (S1); nobody in the '
                   || 'family is returned to Mexico until it is decided (F4).'
                   || CASE WHEN fc.mexican THEN ' A Mexican member''s fear: F3 applies to the whole family.' ELSE '' END,
                   jsonb_build_object('claim_id', fc.id, 'asylum_office', fc.office_name, 'setting', fc.setting,
                                      'location', fc.location_name, 'status', 'referred'),
                   '{}'::varchar[], %(ct_claim)s::int, fc.id, fc.stated_at, 2
            FROM sf_fc fc
            UNION ALL
            SELECT fc.case_id, 'fear.interview_scheduled', fc.assessor, fc.scheduled_at,
                   'MPP assessment interview scheduled for ' || pg_temp.zone_words(fc.interview_at, fc.office_tz)
                   || ' with ' || fc.assessor_name || ' (S2).',
                   jsonb_build_object('claim_id', fc.id, 'assessment_id', fc.id,
                                      'interview_at', to_char(fc.interview_at AT TIME ZONE 'UTC',
                                                              'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
                   '{}'::varchar[], %(ct_assessment)s::int, fc.id, fc.scheduled_at, 3
            FROM sf_fc fc WHERE fc.status <> 'referred'
            UNION ALL
            SELECT fc.case_id, 'fear.assessed', fc.assessor, t.at,
                   'Assessment submitted for supervisory review (S3): '
                   || (%(labels)s::jsonb -> 'determination' ->> fc.determination)
                   || CASE WHEN cardinality(fc.grounds) > 0
                           THEN ' (' || (SELECT string_agg(%(labels)s::jsonb -> 'ground' ->> g, ', ')
                                         FROM unnest(fc.grounds) g) || ')'
                           ELSE '' END,
                   jsonb_build_object('claim_id', fc.id, 'assessment_id', fc.id, 'determination', fc.determination,
                                      'grounds', to_jsonb(fc.grounds)),
                   ARRAY['fear']::varchar[], %(ct_assessment)s::int, fc.id, t.at, 4
            FROM sf_fc fc CROSS JOIN LATERAL (VALUES (fc.first_assessed_at), (fc.assessed_at)) t(at)
            WHERE fc.held AND t.at IS NOT NULL
            UNION ALL
            SELECT fc.case_id, 'fear.assessment_returned', fc.sao, fc.returned_at,
                   'Returned to ' || fc.assessor_name || ' for correction (S3): ' || (%(texts)s::jsonb ->> 'return'),
                   jsonb_build_object('claim_id', fc.id, 'assessment_id', fc.id),
                   ARRAY['interview']::varchar[], %(ct_assessment)s::int, fc.id, fc.returned_at, 5
            FROM sf_fc fc WHERE fc.returned_at IS NOT NULL
            UNION ALL
            SELECT fc.case_id, 'fear.concurred', fc.sao, fc.decided_at,
                   'Assessment concurred — ' || (%(labels)s::jsonb -> 'outcome' ->> fc.outcome) || ': '
                   || (%(texts)s::jsonb -> 'effect' ->> fc.outcome),
                   jsonb_build_object('claim_id', fc.id, 'assessment_id', fc.id, 'outcome', fc.outcome),
                   '{}'::varchar[], %(ct_assessment)s::int, fc.id, fc.decided_at, 6
            FROM sf_fc fc WHERE fc.status = 'decided'
        ) e(case_id, type, actor_id, occurred_at, reason, data, sensitivities, subject_type_id, subject_id,
               created_at, ord)
        ORDER BY occurred_at, case_id, ord
        """,
    ),
    (
        "fear: history",
        # Every state each claim and assessment went through, with who and why (the services' reasons).
        """
        INSERT INTO screenings_historicalfearclaim (id, case_id, hold_id, review_id, stated_by, stated_by_alien_id,
            stated_at, location_id, setting, language_id, statement, asylum_office_id, recorded_by_id, status,
            outcome, decided_at, created_at, updated_at, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT * FROM (
            SELECT c.id, c.case_id, c.hold_id, c.review_id, c.stated_by, c.stated_by_alien_id, c.stated_at,
                   c.location_id, c.setting, c.language_id, c.statement, c.asylum_office_id, c.recorded_by_id,
                   s.status, CASE WHEN s.status = 'decided' THEN c.outcome ELSE '' END,
                   CASE WHEN s.status = 'decided' THEN c.decided_at END, c.created_at, s.at, s.at, s.why,
                   CASE WHEN s.k = 0 THEN '+' ELSE '~' END, s.who
            FROM screenings_fearclaim c JOIN sf_fc fc ON fc.id = c.id JOIN cases_hold h ON h.id = c.hold_id
            CROSS JOIN LATERAL (VALUES
                (0, 'referred', fc.stated_at, fc.recorded_by, h.reason),
                (1, 'scheduled', CASE WHEN fc.status <> 'referred' THEN fc.scheduled_at END, fc.assessor,
                    'MPP assessment interview scheduled for ' || pg_temp.zone_words(fc.interview_at, fc.office_tz)
                    || ' with ' || fc.assessor_name || ' (S2).'),
                (2, 'submitted', fc.first_assessed_at, fc.assessor, 'Assessment submitted for supervisory review (S3)'),
                (3, 'returned', fc.returned_at, fc.sao, 'Assessment returned for correction'),
                (4, 'submitted', CASE WHEN fc.status IN ('submitted', 'returned', 'decided') THEN fc.assessed_at END,
                    fc.assessor, 'Assessment submitted for supervisory review (S3)'),
                (5, 'decided', fc.decided_at, fc.sao, 'Assessment concurred: ' || fc.outcome)
            ) s(k, status, at, who, why)
            WHERE s.at IS NOT NULL
        ) x ORDER BY 19, 1;

        INSERT INTO screenings_historicalfearassessment (id, claim_id, asylum_officer_id, interview_at,
            interview_held_at, interview_language_id, interpretation_mode, interpreter_id, counsel_present_by_phone,
            counsel_name, account, medical_notes, determination, grounds, determination_reason, assessed_by_id,
            assessed_at, reviewed_by_id, reviewed_at, review_reason, status, created_at, updated_at, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT * FROM (
            -- scheduled: the interview only
            SELECT a.id, a.claim_id, a.asylum_officer_id, a.interview_at, NULL::timestamptz, NULL::bigint, '', '',
                   false, '', '', '', '', '{}'::varchar[], '', NULL::bigint, NULL::timestamptz, NULL::bigint,
                   NULL::timestamptz, '', 'scheduled', a.created_at, a.created_at, a.created_at,
                   'MPP assessment interview scheduled for ' || pg_temp.zone_words(a.interview_at, fc.office_tz)
                   || ' with ' || fc.assessor_name || ' (S2).', '+', fc.assessor
            FROM screenings_fearassessment a JOIN sf_fc fc ON fc.id = a.claim_id
            UNION ALL
            -- submitted (the first time, when it was returned once, or the only time)
            SELECT a.id, a.claim_id, a.asylum_officer_id, a.interview_at, a.interview_held_at, a.interview_language_id,
                   a.interpretation_mode, a.interpreter_id, a.counsel_present_by_phone, a.counsel_name, a.account,
                   a.medical_notes, a.determination, a.grounds, a.determination_reason, a.assessed_by_id,
                   coalesce(fc.first_assessed_at, fc.assessed_at), NULL, NULL, '', 'submitted', a.created_at,
                   coalesce(fc.first_assessed_at, fc.assessed_at), coalesce(fc.first_assessed_at, fc.assessed_at),
                   'Assessment submitted for supervisory review (S3)', '~', fc.assessor
            FROM screenings_fearassessment a JOIN sf_fc fc ON fc.id = a.claim_id WHERE fc.held
            UNION ALL
            -- returned for correction
            SELECT a.id, a.claim_id, a.asylum_officer_id, a.interview_at, a.interview_held_at, a.interview_language_id,
                   a.interpretation_mode, a.interpreter_id, a.counsel_present_by_phone, a.counsel_name, a.account,
                   a.medical_notes, a.determination, a.grounds, a.determination_reason, a.assessed_by_id,
                   coalesce(fc.first_assessed_at, fc.assessed_at), fc.sao, fc.returned_at, %(texts)s::jsonb ->> 'return',
                   'returned', a.created_at, fc.returned_at, fc.returned_at,
                   'Returned for correction: ' || (%(texts)s::jsonb ->> 'return'), '~', fc.sao
            FROM screenings_fearassessment a JOIN sf_fc fc ON fc.id = a.claim_id WHERE fc.returned_at IS NOT NULL
            UNION ALL
            -- submitted again after the correction
            SELECT a.id, a.claim_id, a.asylum_officer_id, a.interview_at, a.interview_held_at, a.interview_language_id,
                   a.interpretation_mode, a.interpreter_id, a.counsel_present_by_phone, a.counsel_name, a.account,
                   a.medical_notes, a.determination, a.grounds, a.determination_reason, a.assessed_by_id,
                   fc.assessed_at, fc.sao, fc.returned_at, %(texts)s::jsonb ->> 'return', 'submitted', a.created_at,
                   fc.assessed_at, fc.assessed_at, 'Assessment submitted for supervisory review (S3)', '~', fc.assessor
            FROM screenings_fearassessment a JOIN sf_fc fc ON fc.id = a.claim_id WHERE fc.first_assessed_at IS NOT NULL
            UNION ALL
            -- concurred: in effect
            SELECT a.id, a.claim_id, a.asylum_officer_id, a.interview_at, a.interview_held_at, a.interview_language_id,
                   a.interpretation_mode, a.interpreter_id, a.counsel_present_by_phone, a.counsel_name, a.account,
                   a.medical_notes, a.determination, a.grounds, a.determination_reason, a.assessed_by_id, a.assessed_at,
                   a.reviewed_by_id, a.reviewed_at, a.review_reason, 'concurred', a.created_at, a.updated_at,
                   a.reviewed_at, 'Concurred: ' || a.review_reason, '~', a.reviewed_by_id
            FROM screenings_fearassessment a JOIN sf_fc fc ON fc.id = a.claim_id WHERE a.status = 'concurred'
        ) x ORDER BY 24, 1
        """,
    ),
    (
        "custody: referrals",
        # S4: every member a concurred positive assessment removed from MPP, referred when their case moved.
        """
        CREATE TEMP TABLE sf_ref ON COMMIT DROP AS
        SELECT m.id AS case_id, m.location_id, mv.at AS referred_at, fc.sao AS referred_by,
               CASE WHEN m.id = fc.case_id THEN 'fear_of_mexico'
                    WHEN fc.mexican THEN 'family_mexican_member_fear' ELSE 'family_member_fear_positive' END AS code,
               pg_temp.u(%(seed)s, m.id, 'custody') AS u
        FROM sf_fc fc
        JOIN cases_encounter e ON e.family_unit_id = fc.f
        JOIN cases_case m ON m.encounter_id = e.id
        CROSS JOIN LATERAL (
            SELECT min(hc.history_date) AS at FROM cases_historicalcase hc
            WHERE hc.id = m.id AND hc.status = 'removed_from_mpp' AND hc.history_date >= fc.decided_at
        ) mv
        WHERE fc.status = 'decided' AND fc.outcome = 'positive' AND mv.at IS NOT NULL;
        CREATE TEMP TABLE sf_det ON COMMIT DROP AS
        SELECT r.*, d.decision, d.reason,
               r.referred_at
               + make_interval(hours => (12 + floor(96 * pg_temp.u(%(seed)s, r.case_id, 'custody when')))::int)
                   AS decided_at,
               pg_temp.pick(s.ice, pg_temp.u(%(seed)s, r.case_id, 'custody officer')) AS ice_id
        FROM sf_ref r
        JOIN sf_site s ON s.site_id = r.location_id
        CROSS JOIN LATERAL (
            SELECT x.decision, x.reason
            FROM jsonb_to_recordset(%(texts)s::jsonb -> 'custody') AS x(decision text, lo float8, hi float8, reason text)
            WHERE pg_temp.u(%(seed)s, r.case_id, 'custody decision') >= x.lo
              AND pg_temp.u(%(seed)s, r.case_id, 'custody decision') < x.hi
        ) d
        -- open: referred in the last 4½ days (the first determination comes 12-108 hours after), and a backlog of older ones
        WHERE r.u >= %(custody_backlog)s AND r.referred_at + interval '108 hours' < %(now)s::timestamptz;
        INSERT INTO cases_custodyreferral (id, case_id, rule, code, reason, location_id, referred_by_id, referred_at,
            determined_at, created_at, updated_at)
        SELECT r.case_id, r.case_id, 'S4', r.code,
               'S4: not returned to Mexico under MPP (' || r.code || '); ICE makes a case-by-case custody determination.',
               r.location_id, r.referred_by, r.referred_at, d.decided_at, r.referred_at, coalesce(d.decided_at, r.referred_at)
        FROM sf_ref r LEFT JOIN sf_det d ON d.case_id = r.case_id
        """,
    ),
    (
        "custody: determinations",
        """
        CREATE TEMP TABLE sf_detrow ON COMMIT DROP AS
        SELECT d.case_id * 2 AS id, d.case_id, d.case_id AS referral_id, d.decision, d.reason, d.ice_id, d.decided_at,
               NULL::bigint AS supersedes_id, v.decided_at IS NULL AS is_current, v.decided_at AS superseded_at,
               v.reason AS superseded_reason, v.ice_id AS superseded_by_user
        FROM sf_det d
        LEFT JOIN LATERAL (
            SELECT d.decided_at
                   + make_interval(days => (10 + floor(30 * pg_temp.u(%(seed)s, d.case_id, 'revisit when')))::int)
                       AS decided_at,
                   %(texts)s::jsonb -> 'revisit' -> d.decision ->> 1 AS reason,
                   pg_temp.pick(s.ice, pg_temp.u(%(seed)s, d.case_id, 'revisit officer')) AS ice_id
            FROM sf_site s WHERE s.site_id = d.location_id
              AND pg_temp.u(%(seed)s, d.case_id, 'revisit') < %(revisit_share)s
              AND d.decided_at + interval '40 days' < %(now)s::timestamptz
        ) v ON true
        UNION ALL
        SELECT d.case_id * 2 + 1, d.case_id, NULL::bigint, %(texts)s::jsonb -> 'revisit' -> d.decision ->> 0,
               %(texts)s::jsonb -> 'revisit' -> d.decision ->> 1,
               pg_temp.pick(s.ice, pg_temp.u(%(seed)s, d.case_id, 'revisit officer')),
               d.decided_at + make_interval(days => (10 + floor(30 * pg_temp.u(%(seed)s, d.case_id, 'revisit when')))::int),
               d.case_id * 2, true, NULL, NULL, NULL
        FROM sf_det d JOIN sf_site s ON s.site_id = d.location_id
        WHERE pg_temp.u(%(seed)s, d.case_id, 'revisit') < %(revisit_share)s
          AND d.decided_at + interval '40 days' < %(now)s::timestamptz;
        INSERT INTO cases_custodydetermination (id, case_id, referral_id, decision, reason, decided_by_id, decided_at,
            supersedes_id, is_current, created_at, updated_at)
        SELECT id, case_id, referral_id, decision, reason, ice_id, decided_at, supersedes_id, is_current, decided_at,
               coalesce(superseded_at, decided_at)
        FROM sf_detrow
        """,
    ),
    (
        "custody: events and history",
        """
        INSERT INTO cases_caseevent (case_id, type, actor_id, occurred_at, reason, data, sensitivities,
            subject_type_id, subject_id, created_at)
        SELECT * FROM (
            SELECT r.case_id, 'custody.referred', r.referred_by_id, r.referred_at, r.reason,
                   jsonb_build_object('referral_id', r.id, 'rule', r.rule, 'code', r.code), '{}'::varchar[],
                   %(ct_referral)s::int, r.id, r.referred_at
            FROM cases_custodyreferral r JOIN sf_ref x ON x.case_id = r.case_id
            UNION ALL
            SELECT d.case_id, CASE WHEN d.supersedes_id IS NULL THEN 'custody.determined' ELSE 'custody.revisited' END,
                   d.ice_id, d.decided_at, (%(labels)s::jsonb -> 'decision' ->> d.decision) || ': ' || d.reason,
                   jsonb_build_object('determination_id', d.id, 'decision', d.decision, 'supersedes', d.supersedes_id),
                   '{}'::varchar[], %(ct_determination)s::int, d.id, d.decided_at
            FROM sf_detrow d
        ) e ORDER BY 4, 1;
        INSERT INTO cases_historicalcustodyreferral (id, case_id, rule, code, reason, location_id, referred_by_id,
            referred_at, determined_at, created_at, updated_at, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT * FROM (
            SELECT r.id, r.case_id, r.rule, r.code, r.reason, r.location_id, r.referred_by_id, r.referred_at,
                   NULL::timestamptz, r.created_at, r.created_at, r.referred_at, r.reason, '+', r.referred_by_id
            FROM cases_custodyreferral r JOIN sf_ref x ON x.case_id = r.case_id
            UNION ALL
            SELECT r.id, r.case_id, r.rule, r.code, r.reason, r.location_id, r.referred_by_id, r.referred_at,
                   r.determined_at, r.created_at, r.updated_at, r.determined_at, 'Custody determined', '~', d.ice_id
            FROM cases_custodyreferral r JOIN sf_detrow d ON d.referral_id = r.id
        ) x ORDER BY 12, 1;
        INSERT INTO cases_historicalcustodydetermination (id, case_id, referral_id, decision, reason, decided_by_id,
            decided_at, supersedes_id, is_current, created_at, updated_at, history_date, history_change_reason,
            history_type, history_user_id)
        SELECT * FROM (
            SELECT id, case_id, referral_id, decision, reason, ice_id, decided_at, supersedes_id, true, decided_at,
                   decided_at, decided_at, reason, '+', ice_id
            FROM sf_detrow
            UNION ALL
            SELECT id, case_id, referral_id, decision, reason, ice_id, decided_at, supersedes_id, false, decided_at,
                   superseded_at, superseded_at, 'Superseded by a new determination: ' || superseded_reason, '~',
                   superseded_by_user
            FROM sf_detrow WHERE NOT is_current
        ) x ORDER BY 12, 1
        """,
    ),
]

ID_TABLES = (
    "cases_hold",
    "screenings_fearclaim",
    "screenings_fearassessment",
    "cases_custodyreferral",
    "cases_custodydetermination",
)
ANALYZE_TABLES = (
    *ID_TABLES,
    "cases_caseevent",
    "cases_historicalhold",
    "screenings_historicalfearclaim",
    "screenings_historicalfearassessment",
    "cases_historicalcustodyreferral",
    "cases_historicalcustodydetermination",
)
