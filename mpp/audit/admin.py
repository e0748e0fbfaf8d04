"""Access logging for the Django admin: reads of personal-data records there are logged like everywhere else."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from mpp.accounts.auth import signed_in_user
from mpp.audit.models import AccessLog
from mpp.audit.services import access_log_record


class AccessLoggedAdmin(admin.ModelAdmin):
    """Mixin for the admin of a personal-data model, put first among the bases:
    ``class AlienAdmin(AccessLoggedAdmin, SimpleHistoryAdmin)``.

    Logs, in one access-log row per request (channel ``admin``), the pages that show records: a change
    page (also what view-only staff read), its history page, a past version (simple-history) and the
    list page (the rows of the page shown). Only pages actually rendered (200) are logged, so a missing
    record or a refused permission writes nothing.
    """

    # The kind of record as pages and the API name it ("family_unit"); by default from the model's name.
    access_log_type: str = ""

    def access_log_kind(self) -> str:
        return self.access_log_type or re.sub(r"(?<!^)(?=[A-Z])", "_", self.model.__name__).lower()

    def log_read(self, request: HttpRequest, response: HttpResponse, object_ids: list[Any]) -> None:
        if response.status_code != 200:
            return
        access_log_record(
            user=signed_in_user(request),
            request=request,
            channel=AccessLog.Channel.ADMIN,
            object_type=self.access_log_kind(),
            object_ids=object_ids,
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self.log_read(request, response, [unquote(object_id)])
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        self.log_read(request, response, [unquote(object_id)])
        return response

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A past version of the record (simple-history's admin; only routed when the admin has it)."""
        response = super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        self.log_read(request, response, [unquote(object_id)])
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            # Evaluates the page's queryset once; the template then iterates the same, cached rows.
            self.log_read(request, response, [row.pk for row in changelist.result_list])
        return response
