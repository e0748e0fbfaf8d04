"""API plumbing shared by every app: the exception handler that maps domain errors to HTTP, the error
body, role-aware operation descriptions, keyset pagination and serializer base pieces."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mpp.exceptions import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = exc.as_dict()
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ApiErrorSerializer(serializers.Serializer):
    """The body of a refused request. Domain refusals carry a stable ``code`` and, where a policy rule
    decided, its ``rule`` id (RULES.md); a refusal about one field also repeats the message under that
    field's name."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField()
    rule = serializers.CharField(required=False)
    field = serializers.CharField(required=False)


ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Invalid input: each offending field name maps to a list of messages; a refusal by a "
        "domain check also carries `code`, `detail`, `field` and, where a rule decided, `rule`.",
    ),
    # Session authentication comes first, so a request without valid credentials is a 403 as well (not 401).
    403: OpenApiResponse(ApiErrorSerializer, description="Not authenticated, or your role is not admitted."),
    404: OpenApiResponse(ApiErrorSerializer, description="No such record within your scope."),
}


def admitted(roles: Iterable[str]) -> str:
    """The sentence every operation description ends with, built from the very set that is enforced."""
    names = ", ".join(f"`{role}`" for role in sorted(roles))
    return f"\n\n**Roles admitted:** {names}. Everyone else gets 403."


def described(text: str, roles: Iterable[str], **kwargs: Any) -> Any:
    return extend_schema(description=text + admitted(roles), **kwargs)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERROR_RESPONSES[code] for code in codes}


class ViewOrderedCursorPagination(CursorPagination):
    """Keyset pagination (no COUNT(*) per page, stable while rows are added) in the order the view declares
    as ``ordering``. The first field positions the cursor; the view ends its ordering with the unique id so
    rows with equal timestamps never swap between pages."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return tuple(view.ordering)


class ServiceWriteSerializer(serializers.ModelSerializer):
    """A model serializer that validates and renders but refuses to save: writes go through services."""

    def create(self, validated_data: dict[str, Any]) -> Model:
        raise TypeError("Writes go through the services, not serializer.save().")

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Model:
        raise TypeError("Writes go through the services, not serializer.save().")


class AwareDateTimeField(serializers.DateTimeField):
    """A timestamp that must state its UTC offset (``Z`` or ``±hh:mm``): a naive time is refused rather than
    silently read as UTC, because the ports are in four time zones."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-11-03T14:05:00-08:00 or 2026-11-03T22:05:00Z.",
    }

    def enforce_timezone(self, value: Any) -> Any:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)
