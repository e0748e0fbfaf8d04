from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from mpp.accounts.models import Location, User


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
    list_display = ("name", "code", "kind", "city", "state", "sector", "time_zone", "is_active")
    list_filter = ("kind", "state", "is_active")
    search_fields = ("name", "code", "city")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # cases refer to locations; retire one with is_active instead
