"""The admin of the hearings app's reference data: hearing locations (with their reporting port and lead
time), the pro bono lists per court (N4) and the charges an NTA may bring — edited here, with history —
and the hearing slots, shown read-only: court staff publish them and officers book them through
``hearings.services``, under the slot's row lock, which an admin form would bypass."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from hearings.models import Charge, HearingLocation, HearingSlot, ProBonoProvider


class ReferenceDataAdmin(SimpleHistoryAdmin):
    """Reference data is retired (``is_active``), never deleted: NTAs, hearings and printed tear sheets
    point to it, and its history says what they said."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(HearingLocation)
class HearingLocationAdmin(ReferenceDataAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "court",
        "reporting_port",
        "time_zone",
        "report_lead",
        "is_active",
    )
    list_filter = ("kind", "is_active", "court")
    search_fields = ("name", "code")
    list_select_related = ("court", "reporting_port")
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "court", "facility", "address", "is_active")}),
        (
            "Reporting (H1): where and when people report for hearings here",
            {"fields": ("time_zone", "reporting_port", "report_lead")},
        ),
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: HearingLocation | None = None
    ) -> tuple[str, ...]:
        # The code is how migrations, the seed and the API name the location.
        return ("code",) if obj is not None else ()


@admin.register(ProBonoProvider)
class ProBonoProviderAdmin(ReferenceDataAdmin):
    list_display = ("name", "court", "phone", "languages", "position", "is_active")
    list_filter = ("court", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)
    list_select_related = ("court",)


@admin.register(Charge)
class ChargeAdmin(ReferenceDataAdmin):
    list_display = ("__str__", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "text")

    def get_readonly_fields(self, request: HttpRequest, obj: Charge | None = None) -> tuple[str, ...]:
        # Served NTAs cite the charge by its section: a new section is a new charge.
        return ("code",) if obj is not None else ()


@admin.register(HearingSlot)
class HearingSlotAdmin(SimpleHistoryAdmin):
    """Read-only: the docket time and how full it is, with its history (who published it, each booking)."""

    list_display = ("starts_at", "hearing_location", "capacity", "booked", "published_by")
    list_filter = ("hearing_location",)
    date_hierarchy = "starts_at"
    list_select_related = ("hearing_location", "published_by")
    readonly_fields = ("hearing_location", "starts_at", "capacity", "booked", "published_by", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
