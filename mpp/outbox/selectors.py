from collections.abc import Iterable

from django.db.models import Q, QuerySet

from mpp.accounts.models import User
from mpp.outbox.models import Delivery, DeliveryStatus, Notification
from mpp.pagination import SortOption


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first; read a page at a time (``NOTIFICATION_SORTS``) by the index
    on (user, created_at DESC, id DESC)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


# The notifications page: newest first, the only order offered.
NOTIFICATION_SORTS = (
    SortOption(
        key="newest",
        label="Newest first",
        ordering=("-created_at", "-id"),
        earlier="Newer",
        later="Older",
        start="Newest",
    ),
)


# The header's badge counts up to this many, then says "99+": a bounded count on every page (step 5).
NOTIFICATION_BADGE_CAP = 99


def notifications_unread_count(*, user: User, cap: int | None = None) -> int:
    """The header's badge, on every page: counted in the partial index of the unread notifications. With
    ``cap``, counting stops after ``cap`` + 1 (the badge then says "99+"): bounded whatever the backlog."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return unread.count() if cap is None else unread.order_by()[: cap + 1].count()


def notification_recipients(
    *, user_ids: Iterable[int] = (), roles: Iterable[str] = (), location_id: int | None = None
) -> QuerySet[User]:
    """Active users among ``user_ids``, and active holders of any of ``roles`` posted at ``location_id``
    (at any location when it is None). The location narrows the role holders only."""
    who = Q(pk__in=list(user_ids))
    roles = list(roles)
    if roles:
        by_role = Q(groups__name__in=roles)
        if location_id is not None:
            by_role &= Q(duty_locations__pk=location_id)
        who |= by_role
    return User.objects.filter(who, is_active=True).distinct().order_by("pk")


def deliveries_dead() -> QuerySet[Delivery]:
    """The dead-letter list: deliveries that used up their attempts, newest first."""
    return Delivery.objects.filter(status=DeliveryStatus.DEAD).select_related("event").order_by("-id")
