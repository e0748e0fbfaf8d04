from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Alien, Case, Encounter, FamilyMember, FamilyUnit, Language
from mpp.audit.admin import AccessLoggedAdmin


class ReadOnlyStatusAdmin(SimpleHistoryAdmin):
    """Statuses change only through services (they check the transition table and record why)."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "tear_sheet_available")
    search_fields = ("name", "code")


@admin.register(Alien)
class AlienAdmin(AccessLoggedAdmin, ReadOnlyStatusAdmin):
    list_display = ("a_number", "family_name", "given_names", "date_of_birth", "country_of_citizenship")
    search_fields = ("=a_number",)
    readonly_fields = ("a_number", "created_by")


@admin.register(Case)
class CaseAdmin(AccessLoggedAdmin, ReadOnlyStatusAdmin):
    list_display = ("id", "alien", "location", "status", "status_changed_at")
    list_filter = ("status", "location")
    readonly_fields = ("encounter", "alien", "location", "status", "status_changed_at", "created_by")
    search_fields = ("=alien__a_number",)


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    readonly_fields = ("alien", "relationship")
    can_delete = False


@admin.register(FamilyUnit)
class FamilyUnitAdmin(AccessLoggedAdmin, ReadOnlyStatusAdmin):
    inlines = [FamilyMemberInline]
    readonly_fields = ("created_by",)


@admin.register(Encounter)
class EncounterAdmin(AccessLoggedAdmin, ReadOnlyStatusAdmin):
    list_display = ("id", "occurred_at", "location", "component")
    list_filter = ("component", "location")
    readonly_fields = ("family_unit", "created_by")
