"""Access logging for the REST API's lists: the rows of the page returned, named in one access-log row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from mpp.accounts.auth import signed_in_user
from mpp.api import JsonRows
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record


class AccessLoggedListMixin(mixins.ListModelMixin):
    """``list`` that records which rows it returned; ``log_access`` for the view's other reads.

    The view names the kind of record in ``access_log_type`` (None: not personal data, nothing logged).
    One access-log row per request, naming the rows of the page actually returned (not the whole
    queryset); an empty page writes none. The rows are read once, as without logging: one INSERT more.
    """

    access_log_type: str | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        if isinstance(page, JsonRows):  # rendered by the view from the page's ids (mpp.api)
            self.log_access_ids([row["id"] for row in page])
            return self.get_paginated_response(page)  # type: ignore[attr-defined]
        rows = list(queryset if page is None else page)
        self.complete_page(rows)
        data = self.get_serializer(rows, many=True).data  # type: ignore[attr-defined]
        self.log_access(*rows)
        if page is None:
            return Response(data)
        return self.get_paginated_response(data)  # type: ignore[attr-defined]

    def complete_page(self, rows: Sequence[Any]) -> None:
        """Add to the rows of one page what is cheaper to read for those rows than inside the list's query
        (one query for the page, not a subquery planned over the whole table). Nothing by default."""

    def log_access(self, *records: Any) -> None:
        """Personal data: record who read which records through the API (mpp.audit access log)."""
        self.log_access_ids([record.pk for record in records])

    def log_access_ids(self, ids: Sequence[Any]) -> None:
        if self.access_log_type:
            request: Request = self.request  # type: ignore[attr-defined]
            access_log_record(
                user=signed_in_user(request),
                request=request,
                channel=AccessLog.Channel.API,
                object_type=self.access_log_type,
                object_ids=list(ids),
            )
