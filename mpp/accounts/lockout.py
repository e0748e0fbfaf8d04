"""How django-axes sees a sign-in attempt (settings AXES_CLIENT_IP_CALLABLE, AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip_address(request: HttpRequest) -> str | None:
    """The address the attempt came from, as the address lockout counts it.

    Without a proxy (TRUSTED_PROXY_COUNT = 0) that is the peer of the connection. Behind N proxies, each of
    which appends the address it saw to X-Forwarded-For, it is the N-th entry from the right: the one the
    outermost of our proxies wrote. Entries further left come from the client and are not trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # did not come through all of our proxies
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in page again, with the lockout explained, and 429 Too Many Requests.

    It does not say whether the username or the address is locked, nor whether the account exists.
    """
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "cooloff_minutes": minutes,
        "next": request.POST.get("next", "") if request.method == "POST" else request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
