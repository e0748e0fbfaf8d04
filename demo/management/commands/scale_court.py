"""What the immigration courts decided, at program scale, in set-based SQL (``generate_scale_data`` runs it
after the hearings and the fear claims, or alone with ``--add-court`` on a scale database that has hearings
but no completions). M1 and M3 read it.

What it writes, as the court services of step 8 would have (``hearings.court_services``, ``cases.services``):

- **A completion for every case the stories completed** (completed_relief, completed_removal_order,
  completed_other, handed_to_ice, reopened): the case's *initial* completion (H5), decided on the local day
  (the hearing location's zone) of the story's move, by the court staff who made it, at the case's last
  hearing on or before that moment when there is one. The decision follows the status and the story's words:
  relief → asylum 60 %, statutory withholding 22 %, CAT withholding 8 %, CAT deferral 10 %; a removal order
  → in absentia when the person did not appear (the majority of MPP removal orders), else an order at the
  hearing; other → voluntary departure when the story says so, else termination 60 %, dismissal 20 %,
  administrative closure 15 %, other 5 %. Appeals: mostly none; of the orders and grants made at a hearing,
  some reserved (deadline 30 days later; not filed when it passed), filed with the BIA, or decided (the
  appeal dismissed: a sustained appeal is a remand, and the stories' completed cases were not remanded).
  In absentia orders are never appealed (a DB CHECK), nor were the orders of the people handed to ICE.
- **A reopening** (motion to reopen granted) of the completion of every ``reopened`` case, on the story's
  day. Reopened cases have no later completion yet.
- **Hearing held**: the hearing at which a case was completed is ``held`` when it was the case's last one
  (``scheduled``), with the counsel of record then (``Hearing.counsel``).
- **Counsel of record (H3)** for about 8 % of the people served an NTA (MPP: 7-10 % represented): an
  attorney (85 %) or an accredited representative, EOIR-28 filed 10-60 days after service.
- **ERO hand-offs (H4)**: recorded for every ``handed_to_ice`` case (who, when, where: the story's move),
  due for every final removal order of a ``completed_removal_order`` case (no appeal, a reserved appeal not
  filed, or the appeal dismissed), and due then cancelled for the reopened in-absentia orders.
- The case events the services write besides the status moves (the stories have those):
  ``representation.recorded``, ``ero.handoff_due``, ``ero.handoff_cancelled``, ``completion.appeal``; and
  the history rows of every record (a hand-off recorded or cancelled: its second state; a hearing held: its
  change).

Deterministic for a seed (``pg_temp.u``); ids explicit (completion = reopening = representation = hand-off =
the case's id).
"""

from __future__ import annotations

from django.db import models

from cases.models import EroHandoff
from hearings.models import Completion, Hearing, Reopening, Representation

COMPLETED_STATUSES = (
    "completed_relief",
    "completed_removal_order",
    "completed_other",
    "handed_to_ice",
    "reopened",
)
REPRESENTED_SHARE = 0.08
# (decision, share) per group; the shares add up to 1.
RELIEF_SHARES = (("asylum", 0.60), ("withholding", 0.22), ("cat_withholding", 0.08), ("cat_deferral", 0.10))
OTHER_SHARES = (("termination", 0.60), ("dismissal", 0.20), ("administrative_closure", 0.15), ("other", 0.05))
COUNSEL = [
    ("attorney", "Lucía Ferrer", "Al Otro Lado"),
    ("attorney", "Mark Brennan", "Brennan & Ortiz LLP"),
    ("attorney", "Ana Villalobos", "Texas Civil Rights Project"),
    ("attorney", "David Chen", "Jewish Family Service of San Diego"),
    ("accredited_representative", "Rosa Medina", "Catholic Charities of the Rio Grande Valley"),
    ("attorney", "Hannah Olsen", "Las Americas Immigrant Advocacy Center"),
    ("accredited_representative", "Jorge Ibarra", "Diocesan Migrant & Refugee Services"),
]
ERO_OFFICERS = ["Deportation Officer R. Salas", "SDDO K. Whitman", "Deportation Officer M. Trevino"]


def _history(model: type[models.Model], source: str, *, date: str, reason: str, kind: str, user: str) -> str:
    """INSERT of one history row per row of ``source`` (a query whose columns are named after the model's
    columns, aliased ``t``), at ``date``, with ``reason``, ``kind`` ('+' or '~') and ``user`` (SQL)."""
    columns = [str(f.column) for f in model._meta.concrete_fields]
    history = model.history.model._meta.db_table  # type: ignore[attr-defined]
    names = ", ".join(columns)
    values = ", ".join(f"t.{c}" for c in columns)
    return (
        f"INSERT INTO {history} ({names}, history_date, history_change_reason, history_type, history_user_id) "  # noqa: S608
        f"SELECT {values}, {date}, {reason}, '{kind}', {user} FROM ({source}) t ORDER BY {date}, t.id"
    )


SETUP = [
    "ANALYZE cases_case, cases_caseevent, hearings_hearing, hearings_noticetoappear",
    "DROP TABLE IF EXISTS sc_moves, sc_done, sc_rep, sc_ero",
]

# Parameters: seed, now, today, completed (status array), court (user ids), counsel (json), ero (json),
# relief (json shares), other (json shares), ct_representation, ct_handoff, ct_completion.
GENERATE: list[tuple[str, str]] = [
    (
        "court: completion moves",
        # Per completed case and status: the story's first move to it (its time, who, the words). A table with
        # an index and its statistics, not a CTE: the planner cannot estimate ``data ->> 'to'`` and joined a
        # CTE three times by nested loops (17 s at 20k cases, hours at 500k).
        """
        CREATE TEMP TABLE sc_moves ON COMMIT DROP AS
        SELECT DISTINCT ON (e.case_id, e.data ->> 'to')
               e.case_id, e.data ->> 'to' AS to_status, e.occurred_at, e.actor_id, e.reason
        FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
        WHERE c.status = ANY(%(completed)s) AND e.type = 'status.changed'
          AND e.data ->> 'to' IN ('completed_relief', 'completed_removal_order', 'completed_other',
                                  'handed_to_ice', 'reopened')
        ORDER BY e.case_id, e.data ->> 'to', e.occurred_at, e.id;
        CREATE INDEX ON sc_moves (case_id, to_status);
        ANALYZE sc_moves
        """,
    ),
    (
        "court: completed cases",
        # Per completed case: the story's completion move, the reopening or the hand-off that followed, the
        # hearing location of the NTA, and the last hearing up to the completion.
        """
        CREATE TEMP TABLE sc_done ON COMMIT DROP AS
        WITH x AS (
            SELECT c.id AS case_id, c.status, c.location_id, c.reporting_port_id, n.served_at,
                   hl.time_zone AS tz, hl.reporting_port_id AS hearing_port_id,
                   d.to_status AS completed_as, d.occurred_at AS completed_at, d.actor_id AS judge_actor,
                   d.reason AS story_reason,
                   r.occurred_at AS reopened_at, r.actor_id AS reopen_actor,
                   h.occurred_at AS handed_at, h.actor_id AS handed_by,
                   pg_temp.u(%(seed)s, c.id, 'court decision') AS u_decision,
                   pg_temp.u(%(seed)s, c.id, 'court appeal') AS u_appeal,
                   pg_temp.u(%(seed)s, c.id, 'court appeal days') AS u_days
            FROM cases_case c
            JOIN hearings_noticetoappear n ON n.case_id = c.id
            JOIN hearings_hearing ih ON ih.id = n.initial_hearing_id
            JOIN hearings_hearinglocation hl ON hl.id = ih.hearing_location_id
            JOIN sc_moves d ON d.case_id = c.id AND d.to_status LIKE 'completed%%'
            LEFT JOIN sc_moves r ON r.case_id = c.id AND r.to_status = 'reopened'
            LEFT JOIN sc_moves h ON h.case_id = c.id AND h.to_status = 'handed_to_ice'
            WHERE c.status = ANY(%(completed)s)
        ), decided AS (
            SELECT x.*, (x.completed_at AT TIME ZONE x.tz)::date AS decided_on,
                   CASE
                       WHEN x.completed_as = 'completed_relief' THEN
                           (SELECT s.decision FROM jsonb_to_recordset(%(relief)s::jsonb) s(decision text, lo float8, hi float8)
                            WHERE x.u_decision >= s.lo AND x.u_decision < s.hi)
                       WHEN x.completed_as = 'completed_removal_order' THEN
                           CASE WHEN x.story_reason ILIKE '%%in absentia%%' THEN 'removal_in_absentia' ELSE 'removal_order' END
                       WHEN x.story_reason ILIKE '%%voluntary departure%%' THEN 'voluntary_departure'
                       ELSE (SELECT s.decision FROM jsonb_to_recordset(%(other)s::jsonb) s(decision text, lo float8, hi float8)
                             WHERE x.u_decision >= s.lo AND x.u_decision < s.hi)
                   END AS decision
            FROM x
        ), appealed AS (
            -- Appeals of the decisions made at a hearing (not in absentia, not handed to ICE, not reopened).
            SELECT d.*,
                   CASE WHEN d.decision IN ('removal_in_absentia', 'voluntary_departure', 'termination', 'dismissal',
                                            'administrative_closure', 'other')
                             OR d.status IN ('handed_to_ice', 'reopened') OR d.u_appeal < 0.75 THEN 'none'
                        WHEN d.u_appeal < 0.85 THEN
                            CASE WHEN d.decided_on + 30 >= %(today)s::date THEN 'reserved' ELSE 'not_filed' END
                        WHEN d.u_appeal < 0.93 THEN
                            CASE WHEN d.decided_on + 30 > %(today)s::date THEN 'reserved' ELSE 'filed' END
                        ELSE CASE WHEN d.decided_on + 200 > %(today)s::date THEN
                                       CASE WHEN d.decided_on + 30 > %(today)s::date THEN 'reserved' ELSE 'filed' END
                                  ELSE 'decided' END
                   END AS appeal,
                   d.decided_on + 20 + floor(d.u_days * 10)::int AS filed_on,
                   d.decided_on + 110 + floor(d.u_days * 80)::int AS appeal_decided_on
            FROM decided d
        )
        SELECT a.*,
               CASE WHEN a.appeal IN ('reserved', 'not_filed') THEN a.decided_on + 30 END AS appeal_due_on,
               CASE WHEN a.appeal IN ('filed', 'decided') THEN a.filed_on END AS appeal_filed_on,
               CASE WHEN a.appeal = 'decided' THEN a.appeal_decided_on END AS bia_decided_on,
               CASE WHEN a.appeal = 'decided' THEN 'dismissed' ELSE '' END AS appeal_outcome,
               hr.id AS hearing_id, hr.status AS hearing_status, hr.starts_at AS hearing_at,
               -- H4: final when not appealable or not appealed, the deadline passed, or the BIA dismissed it
               CASE WHEN a.decision NOT IN ('removal_order', 'removal_in_absentia') THEN NULL
                    WHEN a.appeal = 'none' THEN a.decided_on
                    WHEN a.appeal = 'not_filed' THEN a.decided_on + 30
                    WHEN a.appeal = 'decided' THEN a.appeal_decided_on END AS final_on
        FROM appealed a
        LEFT JOIN LATERAL (
            SELECT h.id, h.status, h.starts_at FROM hearings_hearing h
            WHERE h.case_id = a.case_id AND h.starts_at <= a.completed_at
            ORDER BY h.starts_at DESC LIMIT 1
        ) hr ON true;
        CREATE INDEX ON sc_done (case_id);
        ANALYZE sc_done
        """,
    ),
    (
        "court: counsel of record",
        """
        CREATE TEMP TABLE sc_rep ON COMMIT DROP AS
        SELECT n.case_id, c.j ->> 'kind' AS kind, c.j ->> 'name' AS name, c.j ->> 'organization' AS organization,
               least((n.served_at AT TIME ZONE 'UTC')::date + 10
                     + floor(50 * pg_temp.u(%(seed)s, n.case_id, 'counsel when'))::int,
                     %(today)s::date) AS filed_on,
               (%(court)s::bigint[])[1 + floor(pg_temp.u(%(seed)s, n.case_id, 'counsel clerk')
                                               * cardinality(%(court)s::bigint[]))::int]
                   AS recorded_by
        FROM hearings_noticetoappear n
        CROSS JOIN LATERAL (
            SELECT %(counsel)s::jsonb -> floor(pg_temp.u(%(seed)s, n.case_id, 'counsel who')
                                              * jsonb_array_length(%(counsel)s::jsonb))::int AS j
        ) c
        WHERE pg_temp.u(%(seed)s, n.case_id, 'counsel') < %(represented)s;
        INSERT INTO hearings_representation (id, case_id, kind, name, organization, eoir_id, phone, eoir28_filed_on,
            ended_on, end_reason, recorded_by_id, created_at, updated_at)
        SELECT r.case_id, r.case_id, r.kind, r.name, r.organization,
               'EOIR-' || lpad((r.case_id %% 1000000)::text, 6, '0'), '(555) 010-' || lpad((r.case_id %% 10000)::text, 4, '0'),
               r.filed_on, NULL, '', r.recorded_by, least(r.filed_on + time '15:00', %(now)s::timestamptz),
               least(r.filed_on + time '15:00', %(now)s::timestamptz)
        FROM sc_rep r
        """,
    ),
    (
        "court: completions",
        """
        INSERT INTO hearings_completion (id, case_id, hearing_id, court_id, decision, decided_on, is_initial,
            reopening_id, appeal, appeal_due_on, appeal_filed_on, appeal_decided_on, appeal_outcome, reason,
            recorded_by_id, created_at, updated_at)
        SELECT d.case_id, d.case_id, d.hearing_id,
               (SELECT n.court_id FROM hearings_noticetoappear n WHERE n.case_id = d.case_id),
               d.decision, d.decided_on, true, NULL, d.appeal, d.appeal_due_on,
               d.appeal_filed_on, d.bia_decided_on, d.appeal_outcome, d.story_reason, d.judge_actor, d.completed_at,
               least(greatest(d.completed_at, coalesce((d.bia_decided_on + time '16:00') AT TIME ZONE d.tz,
                                                       (d.appeal_filed_on + time '16:00') AT TIME ZONE d.tz)),
                     greatest(d.completed_at, %(now)s::timestamptz))
        FROM sc_done d;
        INSERT INTO hearings_reopening (id, case_id, completion_id, kind, granted_on, reason, recorded_by_id, created_at,
            updated_at)
        SELECT d.case_id, d.case_id, d.case_id, 'motion_to_reopen', (d.reopened_at AT TIME ZONE d.tz)::date,
               'Motion to reopen granted: notice of the hearing was not received (H5).', d.reopen_actor, d.reopened_at,
               d.reopened_at
        FROM sc_done d WHERE d.status = 'reopened' AND d.reopened_at IS NOT NULL;
        UPDATE hearings_hearing h
        SET status = 'held', counsel_id = r.case_id, updated_at = d.completed_at
        FROM sc_done d LEFT JOIN hearings_representation r ON r.case_id = d.case_id
             AND r.eoir28_filed_on <= (d.completed_at AT TIME ZONE d.tz)::date
        WHERE h.id = d.hearing_id AND d.hearing_status = 'scheduled'
        """,
    ),
    (
        "court: ERO hand-offs",
        """
        CREATE TEMP TABLE sc_ero ON COMMIT DROP AS
        SELECT d.case_id, d.decided_on, d.final_on, d.judge_actor,
               coalesce(d.hearing_port_id, d.reporting_port_id, d.location_id) AS location_id,
               CASE WHEN d.final_on = d.decided_on THEN d.completed_at
                    ELSE least((d.final_on + time '09:00') AT TIME ZONE d.tz, %(now)s::timestamptz) END AS due_at,
               CASE WHEN d.status = 'handed_to_ice' THEN d.handed_at END AS handed_at,
               CASE WHEN d.status = 'handed_to_ice' THEN d.handed_by END AS handed_by,
               CASE WHEN d.status = 'reopened' THEN d.reopened_at END AS cancelled_at,
               d.reopen_actor,
               CASE WHEN d.decision = 'removal_in_absentia' THEN 'Order of removal in absentia' ELSE 'Order of removal' END
                   || ' of ' || to_char(d.decided_on, 'YYYY-MM-DD') || ' against ' || a.given_names || ' '
                   || a.family_name || ' (' || coalesce(nullif(a.a_number, ''), 'no A-number') || ').' AS order_words,
               (%(ero)s::jsonb ->> floor(pg_temp.u(%(seed)s, d.case_id, 'ero who') * jsonb_array_length(%(ero)s::jsonb))::int)
                   AS received_by_name
        FROM sc_done d JOIN cases_case c ON c.id = d.case_id JOIN cases_alien a ON a.id = c.alien_id
        WHERE d.final_on IS NOT NULL AND d.final_on <= %(today)s::date
          AND (d.status <> 'handed_to_ice' OR d.handed_at IS NOT NULL)
          AND (d.status <> 'reopened' OR d.reopened_at IS NOT NULL);
        INSERT INTO cases_erohandoff (id, case_id, order_ref, ordered_on, final_on, order_words, location_id, due_at,
            handed_at, handed_by_id, handed_location_id, received_by_name, cancelled_at, notes, created_at, updated_at)
        SELECT e.case_id, e.case_id, 'completion:' || e.case_id, e.decided_on, e.final_on, e.order_words, e.location_id,
               e.due_at, e.handed_at, e.handed_by, CASE WHEN e.handed_at IS NOT NULL THEN e.location_id END,
               CASE WHEN e.handed_at IS NOT NULL THEN e.received_by_name ELSE '' END, e.cancelled_at, '', e.due_at,
               coalesce(e.handed_at, e.cancelled_at, e.due_at)
        FROM sc_ero e
        """,
    ),
    (
        "court: case events",
        """
        INSERT INTO cases_caseevent (case_id, type, actor_id, occurred_at, reason, data, sensitivities,
            subject_type_id, subject_id, created_at)
        SELECT case_id, type, actor_id, occurred_at, reason, data, '{}'::varchar[], subject_type_id, subject_id,
               occurred_at
        FROM (
            SELECT r.case_id, 'representation.recorded' AS type, r.recorded_by_id AS actor_id, r.created_at AS occurred_at,
                   'Counsel of record: ' || r.name || ' (' || CASE WHEN r.kind = 'attorney' THEN 'Attorney'
                   ELSE 'Accredited representative' END || ', ' || r.organization || '), Form EOIR-28 filed '
                   || to_char(r.eoir28_filed_on, 'YYYY-MM-DD') || ' (H3).' AS reason,
                   jsonb_build_object('representation_id', r.id, 'kind', r.kind, 'eoir28_filed_on',
                                      to_char(r.eoir28_filed_on, 'YYYY-MM-DD'), 'rule', 'H3') AS data,
                   %(ct_representation)s::int AS subject_type_id, r.id AS subject_id
            FROM hearings_representation r JOIN sc_rep x ON x.case_id = r.id
            UNION ALL
            SELECT e.case_id, 'ero.handoff_due', e.judge_actor, e.due_at,
                   e.order_words || ' Final on ' || to_char(e.final_on, 'YYYY-MM-DD') || ': hand-off to ICE ERO due (H4).',
                   jsonb_build_object('handoff_id', e.case_id, 'order_ref', 'completion:' || e.case_id,
                                      'location_id', e.location_id, 'rule', 'H4'),
                   %(ct_handoff)s::int, e.case_id
            FROM sc_ero e
            UNION ALL
            SELECT e.case_id, 'ero.handoff_cancelled', e.reopen_actor, e.cancelled_at,
                   'The order was reopened before the hand-off: ICE ERO hand-off cancelled (H4, H5).',
                   jsonb_build_object('handoff_id', e.case_id, 'order_ref', 'completion:' || e.case_id),
                   %(ct_handoff)s::int, e.case_id
            FROM sc_ero e WHERE e.cancelled_at IS NOT NULL
            UNION ALL
            SELECT d.case_id, 'completion.appeal', d.judge_actor,
                   CASE WHEN d.appeal IN ('reserved', 'not_filed') THEN d.completed_at
                        ELSE least((d.appeal_filed_on + time '16:00') AT TIME ZONE d.tz, %(now)s::timestamptz) END,
                   CASE d.appeal WHEN 'reserved' THEN 'Appeal reserved: BIA deadline ' || to_char(d.appeal_due_on, 'YYYY-MM-DD')
                                 WHEN 'not_filed' THEN 'Appeal reserved: BIA deadline ' || to_char(d.appeal_due_on, 'YYYY-MM-DD')
                                 ELSE 'Appeal filed with the BIA on ' || to_char(d.appeal_filed_on, 'YYYY-MM-DD') END || '.',
                   jsonb_build_object('completion_id', d.case_id, 'appeal', CASE WHEN d.appeal = 'not_filed' THEN 'reserved'
                                      WHEN d.appeal = 'decided' THEN 'filed' ELSE d.appeal END),
                   %(ct_completion)s::int, d.case_id
            FROM sc_done d WHERE d.appeal <> 'none'
            UNION ALL
            SELECT d.case_id, 'completion.appeal', d.judge_actor,
                   least(CASE WHEN d.appeal = 'not_filed' THEN (d.appeal_due_on + 1 + time '09:00') AT TIME ZONE d.tz
                              ELSE (d.bia_decided_on + time '16:00') AT TIME ZONE d.tz END, %(now)s::timestamptz),
                   CASE WHEN d.appeal = 'not_filed' THEN 'No appeal filed by the BIA deadline: the order is final.'
                        ELSE 'Appeal dismissed by the BIA on ' || to_char(d.bia_decided_on, 'YYYY-MM-DD')
                             || ': the decision stands.' END,
                   jsonb_build_object('completion_id', d.case_id, 'appeal', d.appeal, 'outcome', d.appeal_outcome),
                   %(ct_completion)s::int, d.case_id
            FROM sc_done d WHERE d.appeal IN ('not_filed', 'decided')
        ) e
        ORDER BY occurred_at, case_id
        """,
    ),
]


def history_statements() -> list[tuple[str, str]]:
    """The history rows of what ``GENERATE`` wrote (the columns from the models, so a new column is in)."""
    return [
        (
            "court: history",
            ";\n".join(
                [
                    _history(
                        Completion,
                        "SELECT c.* FROM hearings_completion c JOIN sc_done d ON d.case_id = c.id",
                        date="t.created_at",
                        reason="t.reason",
                        kind="+",
                        user="t.recorded_by_id",
                    ),
                    _history(
                        Reopening,
                        "SELECT r.* FROM hearings_reopening r JOIN sc_done d ON d.case_id = r.id",
                        date="t.created_at",
                        reason="t.reason",
                        kind="+",
                        user="t.recorded_by_id",
                    ),
                    _history(
                        Representation,
                        "SELECT r.* FROM hearings_representation r JOIN sc_rep x ON x.case_id = r.id",
                        date="t.created_at",
                        reason="'Counsel of record entered: Form EOIR-28 on file (H3).'",
                        kind="+",
                        user="t.recorded_by_id",
                    ),
                    _history(
                        Hearing,
                        "SELECT h.*, d.judge_actor AS sc_actor, d.story_reason AS sc_reason FROM hearings_hearing h "
                        "JOIN sc_done d ON d.hearing_id = h.id WHERE h.status = 'held'",
                        date="t.updated_at",
                        reason="'Decision made at this hearing: ' || t.sc_reason",
                        kind="~",
                        user="t.sc_actor",
                    ),
                    # A hand-off as it was due (handed and cancelled fields empty), then recorded or cancelled.
                    _history(
                        EroHandoff,
                        "SELECT x.id, x.case_id, x.order_ref, x.ordered_on, x.final_on, x.order_words, x.location_id, "
                        "x.due_at, NULL::timestamptz AS handed_at, NULL::bigint AS handed_by_id, "
                        "NULL::bigint AS handed_location_id, '' AS received_by_name, NULL::timestamptz AS cancelled_at, "
                        "x.notes, x.created_at, x.created_at AS updated_at, e.judge_actor AS sc_actor "
                        "FROM cases_erohandoff x JOIN sc_ero e ON e.case_id = x.id",
                        date="t.due_at",
                        reason="'H4: final order of removal — ' || t.order_words",
                        kind="+",
                        user="t.sc_actor",
                    ),
                    _history(
                        EroHandoff,
                        "SELECT x.*, coalesce(e.handed_by, e.reopen_actor) AS sc_actor FROM cases_erohandoff x "
                        "JOIN sc_ero e ON e.case_id = x.id WHERE x.handed_at IS NOT NULL OR x.cancelled_at IS NOT NULL",
                        date="t.updated_at",
                        reason="CASE WHEN t.handed_at IS NOT NULL THEN 'Handed over to ICE ERO (H4): ' || t.received_by_name "
                        "ELSE 'The order was reopened before the hand-off (H5).' END",
                        kind="~",
                        user="t.sc_actor",
                    ),
                ]
            ),
        )
    ]


ID_TABLES = ("hearings_completion", "hearings_reopening", "hearings_representation", "cases_erohandoff")
ANALYZE_TABLES = (
    *ID_TABLES,
    "hearings_hearing",
    "cases_caseevent",
    "hearings_historicalcompletion",
    "hearings_historicalreopening",
    "hearings_historicalrepresentation",
    "hearings_historicalhearing",
    "cases_historicalerohandoff",
)
