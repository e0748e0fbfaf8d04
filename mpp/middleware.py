"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 caches) on every response to a
    signed-in user and on every API response: they may carry personal data, which must not stay in a
    browser's or a proxy's cache. API requests authenticate inside the view (tokens), so they are matched by
    path, whoever asks.

    A response that states its own Cache-Control keeps it; static files never get here (WhiteNoise answers
    them earlier in the chain) and keep their long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if request.path.startswith(API_PREFIX) or request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
