"""Query-string filters of the registry API (django-filter).

They narrow the querysets the selectors already scoped to the requesting user; they never widen them.
An invalid value (an A-number N2 refuses, an unknown status, a NUL character, a UTC offset PostgreSQL cannot
store) is a 400 naming the parameter, before the database sees it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.db.models import QuerySet, Value
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases.models import Alien, Case, CaseStatus, Encounter
from cases.rules import normalize_a_number
from cases.selectors import SearchName
from mpp.api import UTC_OFFSET_REFUSED, utc_offset_in_range
from mpp.exceptions import InvalidInput


class ANumberFormField(forms.CharField):
    """N2: any spelling ``normalize_a_number`` accepts, cleaned to ``A`` + nine digits."""

    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return normalize_a_number(value)
        except InvalidInput as exc:
            # The message quotes what was typed: pass it as a parameter, never as the format string
            # (django-filter %-formats every message, and a "%" typed would break it).
            raise forms.ValidationError(
                "%(why)s", code="a_number_invalid", params={"why": exc.message}
            ) from exc


class AwareIsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    """ISO 8601; a time without offset is read as UTC. An offset PostgreSQL cannot store is bad input."""

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)
        if parsed is not None and not utc_offset_in_range(parsed):
            raise forms.ValidationError(UTC_OFFSET_REFUSED, code="utc_offset")
        return parsed


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareIsoDateTimeFormField


class ANumberFilter(django_filters.CharFilter):
    field_class = ANumberFormField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """The id of a related row (a whole number)."""

    # types-django-filter pins NumberFilter.field_class to DecimalField; django-filter takes any form field.
    field_class = forms.IntegerField  # type: ignore[assignment]


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    location = django_filters.CharFilter(
        field_name="location__code", help_text="Location code, e.g. sys-poe."
    )
    a_number = ANumberFilter(
        field_name="alien__a_number", help_text="N2: the person's A-number, in any accepted spelling."
    )
    encounter = IdFilter(field_name="encounter_id", help_text="Encounter id.")

    class Meta:
        model = Case
        fields = ["status", "location", "a_number", "encounter"]


class AlienFilter(django_filters.FilterSet):
    a_number = ANumberFilter(field_name="a_number", help_text="N2: any accepted spelling; exact match.")
    family_name = django_filters.CharFilter(
        method="filter_family_name",
        max_length=150,
        help_text="Part of the family name; accents and case ignored (Tellez finds TÉLLEZ).",
    )
    country_of_citizenship = django_filters.CharFilter(
        method="filter_country", help_text="ISO 3166-1 alpha-2 code, either case, e.g. HN."
    )

    class Meta:
        model = Alien
        fields = ["a_number", "family_name", "country_of_citizenship"]

    def filter_family_name(self, queryset: QuerySet[Alien], name: str, value: str) -> QuerySet[Alien]:
        # The very expression the trigram index alien_family_name_search_trgm is built on (migration 0008),
        # so LIKE '%…%' is served by it; a plain icontains (UPPER(family_name) LIKE …) is a full scan.
        typed = value.replace("\x00", "").strip()
        if not typed:
            return queryset
        return queryset.alias(_family=SearchName("family_name")).filter(
            _family__contains=SearchName(Value(typed))
        )

    def filter_country(self, queryset: QuerySet[Alien], name: str, value: str) -> QuerySet[Alien]:
        return queryset.filter(country_of_citizenship=value.strip().upper())


class EncounterFilter(django_filters.FilterSet):
    location = django_filters.CharFilter(
        field_name="location__code", help_text="Location code, e.g. sys-poe."
    )
    component = django_filters.ChoiceFilter(choices=Encounter.Component.choices)
    occurred_after = AwareIsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        help_text="At or after this time (ISO 8601; a time without offset is read as UTC).",
    )
    occurred_before = AwareIsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        help_text="Strictly before this time, so that consecutive ranges do not overlap.",
    )

    class Meta:
        model = Encounter
        fields = ["location", "component", "occurred_after", "occurred_before"]
