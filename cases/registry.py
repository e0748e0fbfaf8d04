"""The extension points of the case core: moves (edges), kinds of hold, and types of case event.

Each app registers what it owns in its ``AppConfig.ready()``, so ``cases`` names no workflow: the
screenings app registers the amenability review's and the fear assessment's moves and the fear-claim hold,
the hearings app the NTA's, the hearing day's, the judge's decisions', the reopenings' and the ERO
hand-off's moves (``hearings.workflow``). Pages, the API and ``cases.services.case_move`` all ask this registry the same
question (``cases.selectors.move_refusal``).

Edges are keyed by ``(from, to)``. Each is owned by exactly one workflow: only that workflow's services
make it (``cases.services.case_move(workflow=<owner>)``), and only for the roles it names. There is no
generic status change (step 8 removed the "Change status" form and the ``transition/`` endpoint): every
move of the transition table must be registered by the app whose workflow makes it, and the start-up
check ``cases.E001`` (``cases.checks``) fails when one is not. Registering an edge twice raises at
start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from cases.models import TRANSITIONS, CaseStatus

STATUS_CHANGED = "status.changed"


@dataclass(frozen=True)
class Edge:
    """One legal move and who makes it."""

    source: str
    target: str
    roles: frozenset[str]
    owner: str  # the workflow that makes it (e.g. "hearings.hearing_day")
    where: str  # plain words: where the move is made, for the workflow_owned refusal
    event: str = STATUS_CHANGED  # the case event type the move records


_EDGES: dict[tuple[str, str], Edge] = {}


def edge_register(
    *, source: str, target: str, roles: Iterable[str], owner: str, where: str, event: str = ""
) -> Edge:
    """Register who makes ``source`` → ``target``. Raises ImproperlyConfigured for a move the transition
    table does not allow, a move already registered, no owner, no roles or no words for where it is made."""
    key = (str(source), str(target))
    if key[1] not in TRANSITIONS.get(key[0], frozenset()):
        raise ImproperlyConfigured(f"{key[0]} → {key[1]} is not in the transition table.")
    registered = _EDGES.get(key)
    if registered is not None:
        raise ImproperlyConfigured(f"{key[0]} → {key[1]} is already made by {registered.owner}.")
    if not owner:
        raise ImproperlyConfigured(f"{key[0]} → {key[1]} names no workflow that makes it.")
    if not where:
        raise ImproperlyConfigured(f"{key[0]} → {key[1]} does not say where it is made.")
    roles = frozenset(roles)
    if not roles:
        raise ImproperlyConfigured(f"{key[0]} → {key[1]} names no role that may ask for it.")
    entry = Edge(key[0], key[1], roles, owner, where, event or STATUS_CHANGED)
    _EDGES[key] = entry
    return entry


def edge_for(source: str, target: str) -> Edge | None:
    return _EDGES.get((str(source), str(target)))


def edges() -> list[Edge]:
    return sorted(_EDGES.values(), key=lambda e: (e.source, e.target))


# --- holds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldKind:
    """What a kind of hold blocks, under which rule, and who opens and releases it.

    ``blocks_own``: target statuses refused for the held case; ``blocks_family``: target statuses refused
    for every *other* member of the family unit. The explanations are format strings with ``{name}``
    (the held person), ``{since}`` (opened, in the opening location's time zone) and ``{where}``.
    """

    code: str
    label: str
    rule: str
    owner: str
    open_roles: frozenset[str]
    release_roles: frozenset[str]
    blocks_own: frozenset[str] = frozenset()
    own_code: str = ""
    own_explanation: str = ""
    blocks_family: frozenset[str] = frozenset()
    family_rule: str = ""
    family_code: str = ""
    family_explanation: str = ""
    outcomes: tuple[tuple[str, str], ...] = ()  # (value, label) a release must name one of; () for none
    sensitivities: tuple[str, ...] = ()  # what the opening and release reasons may reveal
    released_by_where: str = ""  # plain words: where the release is recorded
    # The workflow that opens and releases holds of this kind ("" : the case page's generic hold forms).
    # ``cases.services.hold_open``/``hold_release`` refuse the kind anywhere else (``workflow_owned``).
    workflow: str = ""
    opened_by_where: str = ""  # plain words: where a hold of this kind is opened
    # F4's exception: who may record an independent basis to separate one member from the family block.
    exempt_roles: frozenset[str] = frozenset()


_HOLD_KINDS: dict[str, HoldKind] = {}


def hold_kind_register(kind: HoldKind) -> HoldKind:
    if kind.code in _HOLD_KINDS and _HOLD_KINDS[kind.code] != kind:
        raise ImproperlyConfigured(
            f"Hold kind {kind.code} is already registered by {_HOLD_KINDS[kind.code].owner}."
        )
    for target in kind.blocks_own | kind.blocks_family:
        if target not in CaseStatus.values:
            raise ImproperlyConfigured(f"Hold kind {kind.code} blocks an unknown status {target}.")
    _HOLD_KINDS[kind.code] = kind
    return kind


def hold_kind(code: str) -> HoldKind | None:
    return _HOLD_KINDS.get(code)


def hold_kinds() -> list[HoldKind]:
    return sorted(_HOLD_KINDS.values(), key=lambda k: k.code)


# --- case event types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    code: str
    label: str  # what the timeline says happened, e.g. "Screening facts updated"
    owner: str = "cases"


_EVENT_TYPES: dict[str, EventType] = {}


def event_type_register(code: str, label: str, *, owner: str) -> EventType:
    existing = _EVENT_TYPES.get(code)
    if existing is not None and existing.owner != owner:
        raise ImproperlyConfigured(f"Case event type {code} is already registered by {existing.owner}.")
    entry = EventType(code, label, owner)
    _EVENT_TYPES[code] = entry
    return entry


def event_type_label(code: str) -> str:
    entry = _EVENT_TYPES.get(code)
    return entry.label if entry else code


def register_core_event_types() -> None:
    for code, label in (
        ("case.opened", "Case opened"),
        (STATUS_CHANGED, "Status changed"),
        ("hold.opened", "Hold opened"),
        ("hold.released", "Hold released"),
        ("hold.member_separated", "Independent basis to separate a member recorded (F4)"),
        ("custody.referred", "Referred to ICE for a custody determination (S4)"),
        ("custody.determined", "ICE custody determination recorded"),
        ("custody.revisited", "ICE custody determination revisited"),
        ("custody.withdrawn", "Referral to ICE withdrawn: no custody determination due (F6/H4)"),
        ("alien.a_number_assigned", "A-number assigned"),
    ):
        event_type_register(code, label, owner="cases")
