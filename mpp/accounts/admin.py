from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from mpp.accounts.auth import signed_in_user
from mpp.accounts.models import ApiToken, Location, User
from mpp.accounts.services import api_token_revoke


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    # django-stubs leaves fieldsets at ModelAdmin's "... | None"; Django's UserAdmin always defines it.
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Duty locations", {"fields": ("duty_locations",)}))  # type: ignore[misc]
    filter_horizontal = ("groups", "user_permissions", "duty_locations")
    list_display = ("username", "first_name", "last_name", "is_active")
    list_filter = ("is_active", "groups")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # users are deactivated, never deleted


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "city",
        "state",
        "sector",
        "time_zone",
        "asylum_office",
        "is_active",
    )
    list_filter = ("kind", "state", "is_active")
    list_select_related = ("asylum_office",)
    search_fields = ("name", "code", "city")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # cases refer to locations; retire one with is_active instead


class ApiTokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in ApiToken.State.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        if self.value() == ApiToken.State.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == ApiToken.State.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == ApiToken.State.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "key_prefix",
        "state",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    list_filter = (ApiTokenStateFilter,)
    list_select_related = ("user", "revoked_by")
    search_fields = ("name", "user__username", "key_prefix")
    fields = readonly_fields = (
        "name",
        "user",
        "key_prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by `manage.py api_token_create`, the one place the secret is shown (once)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead: the row records who could reach the API, and until when

    @admin.display(description="state")
    def state(self, obj: ApiToken) -> str:
        return str(obj.state_at(timezone.now()).label)

    @admin.action(description="Revoke the selected API tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = signed_in_user(request)
        ids = list(queryset.filter(revoked_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        for token_id in ids:
            api_token_revoke(token_id=token_id, actor=actor)
        self.message_user(request, f"{len(ids)} API token(s) revoked.", messages.SUCCESS)
