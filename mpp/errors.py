"""The project's 404 page: JSON in the API's one error shape for paths under /api/ (a URL that routes
nowhere, e.g. /api/v1/cases/null/), the USWDS page everywhere else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found as html_page_not_found

from mpp.api import NOT_FOUND_DETAIL


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": NOT_FOUND_DETAIL}, status=404)
    return html_page_not_found(request, exception)
