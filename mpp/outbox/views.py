from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mpp.accounts.auth import signed_in_user
from mpp.outbox.selectors import NOTIFICATION_SORTS, notifications_for
from mpp.outbox.services import notification_mark_read
from mpp.pagination import keyset_page


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, 50 a page, newest first (keyset: no COUNT of the table, no OFFSET)."""
    page = keyset_page(
        notifications_for(user=signed_in_user(request)), sorts=NOTIFICATION_SORTS, params=request.GET
    )
    return render(request, "outbox/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=signed_in_user(request), notification_id=pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications"
    return redirect(target)
