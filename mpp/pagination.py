"""Keyset pagination for the HTML lists: a page of rows after (or before) the last row seen, never OFFSET
and never a COUNT(*) of the table.

A list declares the sorts it offers (``SortOption``: the ``?sort=`` value, its label and the model fields it
orders by, ending with a unique one so that rows with equal keys never swap between pages). ``keyset_page``
reads ``?sort=`` and ``?cursor=`` from the query string and fetches ``size + 1`` rows in that order from the
position the cursor names: the extra row only says whether there is a page after this one.

The cursor is signed (``django.core.signing``, salted with the model and the sort), so it cannot be forged
or moved to another list or sort; one that was tampered with, is malformed or belongs elsewhere gives the
first page (``KeysetPage.cursor_refused`` says so), never an error. The fields a sort orders by must be
NOT NULL columns of the model: the keyset comparison does not order NULLs. For the list to be fast, an
index must match the list's filter *and* the sort's order: then a page is an index range of ``size + 1``
entries however long the list.
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, Literal
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models import Field, Model, Q, QuerySet

PAGE_SIZE = 50
CURSOR_PARAM = "cursor"
SORT_PARAM = "sort"
# A cursor this package gives out is well under 300 characters; anything much longer is not one.
_MAX_CURSOR_LENGTH = 1000

Direction = Literal["after", "before"]


@dataclass(frozen=True)
class SortOption:
    """One order a list can be read in: ``key`` is the ``?sort=`` value, ``label`` what the sort control
    shows, ``ordering`` the model fields (``-`` for descending), the last of them unique (the id).

    ``earlier`` and ``later`` name the links to the page before and after, in the words of this order
    ("Newer" / "Older" for a list newest first); ``start`` the link back to the first page."""

    key: str
    label: str
    ordering: tuple[str, ...]
    earlier: str = "Previous page"
    later: str = "Next page"
    start: str = "First page"

    def __post_init__(self) -> None:
        if not self.ordering:
            raise ImproperlyConfigured(f"Sort {self.key!r} orders by no field.")


@dataclass(frozen=True)
class KeysetPage[T: Model]:
    """One page of a list, and the links around it (query strings, each starting with ``?``)."""

    rows: list[T]
    sort: SortOption
    sorts: tuple[SortOption, ...]
    next_cursor: str | None  # the rows after this page, or None when this page ends the list
    previous_cursor: str | None  # the rows before this page, or None when this page starts the list
    is_first: bool  # no cursor was followed: the page starts the list
    cursor_refused: bool  # a cursor was given but was not one of this list's: the first page is shown
    cursor_param: str = CURSOR_PARAM
    sort_param: str = SORT_PARAM
    kept: tuple[tuple[str, str], ...] = ()  # the page's other query parameters, carried by every link

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous or not self.is_first

    @property
    def offers_sorts(self) -> bool:
        return len(self.sorts) > 1

    def _query(self, cursor: str | None) -> str:
        params = list(self.kept)
        if self.sort != self.sorts[0]:
            params.append((self.sort_param, self.sort.key))
        if cursor is not None:
            params.append((self.cursor_param, cursor))
        return "?" + urlencode(params)

    @property
    def next_query(self) -> str:
        return self._query(self.next_cursor) if self.next_cursor else ""

    @property
    def previous_query(self) -> str:
        return self._query(self.previous_cursor) if self.previous_cursor else ""

    @property
    def first_query(self) -> str:
        return self._query(None)


def keyset_page[T: Model](
    queryset: QuerySet[T],
    *,
    sorts: Sequence[SortOption],
    params: Mapping[str, Any],
    size: int = PAGE_SIZE,
    cursor_param: str = CURSOR_PARAM,
    sort_param: str = SORT_PARAM,
) -> KeysetPage[T]:
    """The page of ``queryset`` that ``params`` (the request's query string) asks for: in the sort named by
    ``params[sort_param]`` (the first of ``sorts`` when it names none of them), from the position of
    ``params[cursor_param]`` (the first page without one, or with one that is not this list's).

    One query of ``size + 1`` rows. Going back to a page before the first full one (rows were removed
    meanwhile) reads the first page instead: a second query, only then.
    """
    if not sorts:
        raise ImproperlyConfigured("A keyset page needs at least one sort.")
    if size < 1:
        raise ImproperlyConfigured("A keyset page holds at least one row.")
    model = queryset.model
    sort = next((s for s in sorts if s.key == _param(params, sort_param)), sorts[0])
    columns = _columns(model, sort.ordering)
    kept = tuple(
        (name, value)
        for name in params
        if name not in (cursor_param, sort_param)
        for value in _param_values(params, name)
    )
    raw_cursor = _param(params, cursor_param)
    position = _decode(raw_cursor, model=model, sort=sort, columns=columns) if raw_cursor else None
    refused = bool(raw_cursor) and position is None

    def page(rows: list[T], *, next_row: T | None, previous_row: T | None, first: bool) -> KeysetPage[T]:
        return KeysetPage(
            rows=rows,
            sort=sort,
            sorts=tuple(sorts),
            next_cursor=_encode(next_row, "after", model=model, sort=sort, columns=columns)
            if next_row is not None
            else None,
            previous_cursor=_encode(previous_row, "before", model=model, sort=sort, columns=columns)
            if previous_row is not None
            else None,
            is_first=first,
            cursor_refused=refused,
            cursor_param=cursor_param,
            sort_param=sort_param,
            kept=kept,
        )

    ordered = queryset.order_by(*sort.ordering)
    if position is not None and position[0] == "before":
        before = queryset.order_by(*_reversed(sort.ordering)).filter(
            _beyond(columns, position[1], forward=False)
        )
        found = list(before[: size + 1])
        if len(found) >= size:  # a full page before the position; more before it if there is an extra row
            rows = found[:size][::-1]
            more_before = len(found) > size
            return page(
                rows,
                next_row=rows[-1],
                previous_row=rows[0] if more_before else None,
                first=not more_before,  # exactly a page before the position: the first page
            )
        # Fewer than a page before the position (rows went away): that is the start of the list.
        position = None
    if position is None:
        found = list(ordered[: size + 1])
        rows = found[:size]
        return page(rows, next_row=rows[-1] if len(found) > size else None, previous_row=None, first=True)
    found = list(ordered.filter(_beyond(columns, position[1], forward=True))[: size + 1])
    rows = found[:size]
    return page(
        rows,
        next_row=rows[-1] if len(found) > size else None,
        # A page reached by going on has rows before it (those the reader came from).
        previous_row=rows[0] if rows else None,
        first=False,
    )


# --- the ordering and the position ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str  # the attribute, as the ordering names it (``pk`` resolved to the primary key's name)
    field: Field[Any, Any]
    descending: bool


def _columns(model: type[Model], ordering: Sequence[str]) -> list[_Column]:
    """The sort's fields, checked: concrete columns of the model, the last unique."""
    columns = []
    for term in ordering:
        descending = term.startswith("-")
        name = term.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist as exc:
            raise ImproperlyConfigured(f"{model.__name__} has no field {name!r} to sort by.") from exc
        if not isinstance(field, Field) or not field.concrete or field.is_relation or field.null:
            raise ImproperlyConfigured(
                f"{model.__name__}.{name} cannot position a keyset page: it must be a NOT NULL column."
            )
        columns.append(_Column(name=field.attname, field=field, descending=descending))
    if not (columns[-1].field.unique or columns[-1].field.primary_key):
        raise ImproperlyConfigured(
            f"The sort by {', '.join(ordering)} must end with a unique field (the id), or rows with equal "
            "values could be shown twice or never."
        )
    return columns


def _reversed(ordering: Sequence[str]) -> list[str]:
    return [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]


def _beyond(columns: Sequence[_Column], values: Sequence[Any], *, forward: bool) -> Q:
    """The rows after the position (``forward``) or before it, in the order of ``columns``:
    ``(a > x) OR (a = x AND b > y) OR …``, ANDed with ``a >= x`` so the index on the first field bounds
    the scan (PostgreSQL cannot turn the OR alone into an index range)."""
    terms = []
    for index, (column, value) in enumerate(zip(columns, values, strict=True)):
        lookup = "gt" if column.descending != forward else "lt"
        equal_before = {c.name: v for c, v in zip(columns[:index], values[:index], strict=True)}
        terms.append(Q(**equal_before, **{f"{column.name}__{lookup}": value}))
    first = columns[0]
    bound = "gte" if first.descending != forward else "lte"
    return Q(**{f"{first.name}__{bound}": values[0]}) & reduce(operator.or_, terms)


# --- the cursor -------------------------------------------------------------------------------------------


def _salt(model: type[Model], sort: SortOption) -> str:
    return f"mpp.pagination:{model._meta.label_lower}:{sort.key}:{','.join(sort.ordering)}"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _encode(
    row: Model, direction: Direction, *, model: type[Model], sort: SortOption, columns: Sequence[_Column]
) -> str:
    values = [_json_value(getattr(row, column.name)) for column in columns]
    return signing.dumps([direction, values], salt=_salt(model, sort))


def _decode(
    cursor: str, *, model: type[Model], sort: SortOption, columns: Sequence[_Column]
) -> tuple[Direction, list[Any]] | None:
    """The direction and position a cursor names, or None for anything this list did not give out."""
    if len(cursor) > _MAX_CURSOR_LENGTH or "\x00" in cursor:
        return None
    try:
        payload = signing.loads(cursor, salt=_salt(model, sort))
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and payload[0] in ("after", "before")):
        return None
    direction, raw = payload
    if not (isinstance(raw, list) and len(raw) == len(columns)):
        return None
    try:
        values = [column.field.to_python(value) for column, value in zip(columns, raw, strict=True)]
    except (ValidationError, TypeError, ValueError):
        return None
    if any(value is None for value in values):
        return None
    return direction, values


def _param(params: Mapping[str, Any], name: str) -> str:
    values = _param_values(params, name)
    return values[-1] if values else ""


def _param_values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)  # a QueryDict holds several values per name
    values = getlist(name) if getlist is not None else [params.get(name)]
    return [str(v) for v in values if v is not None]
