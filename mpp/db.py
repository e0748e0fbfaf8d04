"""Query helpers shared by the apps.

``in_order_of``: rows read by key (``WHERE id IN (…)``, which returns them in no set order) put back in the
order of the keys, as the lists that read a page's ids first and then its rows need.

``Literal``: a constant written into the SQL text rather than sent as a bound parameter, for the filters a
partial index is defined on (``WHERE status = 'pending'``); ``sql_list``, the same for a list of them in SQL
written by hand (``status IN ('scheduled', 'held')``).

Why: psycopg prepares a statement it has run five times on a connection (``DB_PREPARE_THRESHOLD``,
settings.base), and PostgreSQL then plans a prepared statement once for any parameters (a "generic plan")
when that looks no dearer than planning it each time. A generic plan cannot use a partial index whose
predicate is ``status = 'pending'`` when the query says ``status = $2``: nothing proves ``$2`` is
'pending'. Measured at 500k cases (2026-12-04): the supervisors' pending-review badge, on every page they
open, went from 0.1 ms to a sequential scan with LIMIT, 0.6 ms, and 10 ms on every fifth to sixth request,
when the synchronised scan of the table started where the last one stopped, past the pending rows. With
the constant in the text, the generic plan reads the partial index like the custom one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from django.db.models import CharField, Value

# Only what a choices value of this project looks like: nothing to quote or escape, no "%" for the driver.
_SAFE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _code(value: object) -> str:
    if not isinstance(value, str) or not _SAFE.fullmatch(value):
        raise ValueError(f"Literal takes a code like 'pending', not {value!r}")
    return str(value)


def sql_list(values: Iterable[str]) -> str:
    """Codes (as ``Literal`` takes them) as an SQL list, ``('scheduled', 'held')``; anything else refused."""
    return "(" + ", ".join(f"'{_code(v)}'" for v in values) + ")"


class Literal(Value):
    """A short lower-case identifier-like string (a status or kind code) in the SQL text as ``'value'``.
    Refuses anything else (ValueError), so it can never carry user input into the SQL."""

    def __init__(self, value: str) -> None:
        super().__init__(_code(value), output_field=CharField())

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        return f"'{self.value}'", ()


def in_order_of[K: Hashable, T](keys: Sequence[K], rows: Iterable[T], key: Callable[[T], K]) -> list[T]:
    """``rows`` in the order of ``keys`` (``key(row)`` names each row's); a key with no row is left out
    (the row went away between the two reads)."""
    found = {key(row): row for row in rows}
    return [found[k] for k in keys if k in found]
