"""API plumbing shared by every app: the exception handler that maps domain errors to HTTP, the error
body, role-aware operation descriptions, keyset pagination and serializer base pieces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mpp.accounts.models import display_name, display_name_values
from mpp.db import in_order_of
from mpp.exceptions import DomainError

# --- the error body ---------------------------------------------------------------------------------

NOT_FOUND_DETAIL = "No such record within your scope."

# DRF's HTTP errors and the code each has in the error body. A 404 never says what was looked for, so that
# the API does not tell records outside the caller's scope from records that do not exist.
_HTTP_ERROR_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "not_permitted",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal of the API in one shape (``ApiErrorSerializer``): ``code`` and ``detail`` always;
    ``field`` when one field is at fault, as a dotted path (``members.0.date_of_birth``); ``rule`` when a
    policy rule refused it; on a 400, ``errors`` with every problem found. Anything else is not handled,
    so it surfaces as a server error."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DomainError):
        return Response(_domain_error_body(exc), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    response = drf_exception_handler(exc, context)  # headers (Retry-After, WWW-Authenticate), rollback
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # the only kind DRF's handler answers
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_error_body(exc.detail)
    elif response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"code": "not_found", "detail": NOT_FOUND_DETAIL}
    else:
        response.data = {"code": _http_error_code(exc), "detail": str(exc.detail)}
        if response.status_code == status.HTTP_400_BAD_REQUEST:  # a body that does not parse
            response.data["errors"] = [{"field": None, **response.data}]
    return response


def _http_error_code(exc: exceptions.APIException) -> str:
    """The code the raiser gave (e.g. ``token_expired`` on an AuthenticationFailed), else the one of its
    kind in ``_HTTP_ERROR_CODES``."""
    given = getattr(exc.detail, "code", None)
    if given and given != exc.default_code:
        return str(given)
    kind = next((_HTTP_ERROR_CODES[k] for k in type(exc).__mro__ if k in _HTTP_ERROR_CODES), None)
    return kind or str(exc.default_code)


def _domain_error_body(exc: DomainError) -> dict[str, Any]:
    if exc.http_status == status.HTTP_404_NOT_FOUND:
        return {"code": "not_found", "detail": NOT_FOUND_DETAIL}
    body = exc.as_dict()
    if exc.http_status == status.HTTP_400_BAD_REQUEST:
        body["errors"] = [{"field": exc.field, "code": exc.code, "detail": exc.message}]
    return body


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    """Django's errors as DRF's (messages with their codes), keyed by field when they have one."""

    def details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
        return [
            ErrorDetail(str(e.message % e.params if e.params else e.message), code=e.code or "invalid")
            for e in errors
        ]

    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): details(errors)
            for name, errors in exc.error_dict.items()
        }
    return details(exc.error_list)


def validation_errors(detail: Any, path: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Flatten DRF's nested error detail, in the order the fields were validated, into ``{field, code,
    detail}`` with the field as a dotted path; ``non_field_errors`` belong to the object that holds them
    (``field`` None at the top)."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            inner = path if key == api_settings.NON_FIELD_ERRORS_KEY else (*path, str(key))
            yield from validation_errors(value, inner)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            # A list of messages belongs to one field; a list of objects (many=True) is indexed.
            yield from validation_errors(item, path if isinstance(item, str) else (*path, str(index)))
    else:
        yield {
            "field": ".".join(path) or None,
            "code": getattr(detail, "code", None) or "invalid",
            "detail": str(detail),
        }


def _validation_error_body(detail: Any) -> dict[str, Any]:
    errors = list(validation_errors(detail))
    if not errors:  # DRF never raises an empty ValidationError; say something all the same
        errors = [{"field": None, "code": "invalid", "detail": "Invalid input."}]
    first = errors[0]
    body: dict[str, Any] = {"code": first["code"], "detail": first["detail"]}
    if first["field"]:
        body["field"] = first["field"]
    body["errors"] = errors
    return body


class ApiFieldErrorSerializer(serializers.Serializer):
    """One problem with the input."""

    field = serializers.CharField(
        allow_null=True,
        help_text="The field at fault as a dotted path, e.g. `reason` or `members.0.date_of_birth`; null when "
        "the request as a whole is at fault.",
    )
    code = serializers.CharField(help_text="A stable reason code, e.g. `required`, `a_number_exists`.")
    detail = serializers.CharField(help_text="The plain explanation.")


class ApiErrorSerializer(serializers.Serializer):
    """The body of every refused request — invalid input, a role or duty location not admitted, no such
    record, a conflict, a policy rule. ``code`` is stable (``not_authenticated``, ``not_permitted``,
    ``not_found``, ``method_not_allowed``, ``unsupported_media_type``, ``throttled``, a field's error code or
    a domain reason code such as ``illegal_transition``); ``detail`` explains it in plain words."""

    code = serializers.CharField(help_text="Stable reason code.")
    detail = serializers.CharField(help_text="Plain explanation.")
    field = serializers.CharField(
        required=False,
        help_text="When one field is at fault: its dotted path, e.g. `to_status` or `members.0.date_of_birth`.",
    )
    rule = serializers.CharField(
        required=False, help_text="When a policy rule refused it: its id in RULES.md."
    )
    # DRF's serializer metaclass moves declared fields into _declared_fields, so this does not replace
    # Serializer.errors at run time; the stubs read it as a class attribute that does.
    errors = ApiFieldErrorSerializer(  # type: ignore[assignment]
        many=True,
        required=False,
        help_text="On a 400: every problem found, the first being the one `code`, `detail` and `field` name.",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error response worded for one operation (e.g. which conflicts it has, 409), with the one error
    body."""
    return OpenApiResponse(ApiErrorSerializer, description=description)


ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: error_response(
        "Invalid input. `field` names the first field at fault (a dotted path such as "
        "`members.0.date_of_birth`), `errors` lists every problem found, and `rule` names the policy rule "
        "when one refused it."
    ),
    # Session authentication comes first, so a request without valid credentials is a 403 as well (not 401).
    403: error_response(
        "`not_authenticated`: no valid credentials; `not_permitted`: your role or duty location is not admitted."
    ),
    404: error_response(f"`not_found`: {NOT_FOUND_DETAIL}"),
    415: error_response(
        "`unsupported_media_type`: send the body as JSON (`Content-Type: application/json`)."
    ),
}


def admitted(roles: Iterable[str]) -> str:
    """The sentence every operation description ends with, built from the very set that is enforced."""
    names = ", ".join(f"`{role}`" for role in sorted(roles))
    return f"\n\n**Roles admitted:** {names}. Everyone else gets 403."


def described(text: str, roles: Iterable[str], **kwargs: Any) -> Any:
    return extend_schema(description=text + admitted(roles), **kwargs)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERROR_RESPONSES[code] for code in codes}


# DRF's renderings of a moment (ISO 8601, current zone) and of a day, for rows built from values (``JsonRows``).
_DATETIME = serializers.DateTimeField(read_only=True)
_DATE = serializers.DateField(read_only=True)


def moment(value: Any) -> str | None:
    """A moment as the serializers' ``DateTimeField`` renders it."""
    return _DATETIME.to_representation(value) if value is not None else None


def day_json(value: Any) -> str | None:
    """A day as the serializers' ``DateField`` renders it."""
    return _DATE.to_representation(value) if value is not None else None


def place_json(v: Mapping[str, Any], path: str) -> dict[str, Any]:
    """A location ``{code, name}`` as the place serializers render it, from a row of values with
    ``{path}__code`` and ``{path}__name``."""
    return {"code": v[f"{path}__code"], "name": v[f"{path}__name"]}


# The user columns at ``path`` that ``actor_json`` reads from a ``.values()`` row.
actor_values = display_name_values


def actor_json(v: Mapping[str, Any], path: str) -> dict[str, Any] | None:
    """Who did something, ``{id, name}`` as the actor serializers render a user (``User.display_name``), from
    a row of values with ``actor_values(path)``; None where there is nobody."""
    if v[f"{path}__id"] is None:
        return None
    return {
        "id": v[f"{path}__id"],
        "name": display_name(v[f"{path}__username"], v[f"{path}__first_name"], v[f"{path}__last_name"]),
    }


class JsonRows(list[dict[str, Any]]):
    """A page already rendered as the list serializer would render it (each row a dict with its ``id``): a
    narrow-page view's ``json_rows(ids)`` gives it, and ``mpp.audit.api.AccessLoggedListMixin.list`` returns
    it as it is. The view's tests compare it with the serializer's output."""


class ViewOrderedCursorPagination(CursorPagination):
    """Keyset pagination (no COUNT(*) per page, stable while rows are added) in the order the view declares
    as ``ordering``. The first field positions the cursor; the view ends its ordering with the unique id so
    rows with equal timestamps never swap between pages."""

    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "Not a cursor of this list: follow the `next` or `previous` link of a page."

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return tuple(view.ordering)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        """A cursor that is not one this list gave out is bad input (400 naming ``cursor``), not a missing
        record; its position is checked against the ordering field before the database sees it.

        A view with ``narrow_page = True`` reads its page in two queries: the page's ids in order from the
        list's table alone (no joins), then those rows with everything the view's queryset joins. A list whose
        query joins eight tables was planned anew on every request (~5 ms at 500k cases, 2026-12-04: the
        officer's tear sheet list); the ids query is cheap to plan and the second one reads 50 rows by key.
        A narrow view with a ``json_rows(ids)`` method reads and renders the rows itself (``JsonRows``)."""
        self.model = queryset.model
        source = queryset
        narrow = bool(getattr(view, "narrow_page", False)) and getattr(queryset, "_fields", None) is None
        if narrow:
            pk = queryset.model._meta.pk.name
            fields = dict.fromkeys([pk, *(f.lstrip("-") for f in self.get_ordering(request, queryset, view))])
            queryset = queryset.select_related(None).prefetch_related(None).only(*fields)
        try:
            page: list[Any] | None = super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:  # DRF's answer to a cursor it cannot decode
            raise exceptions.ValidationError(
                {self.cursor_query_param: [ErrorDetail(self.invalid_cursor_message, code="invalid_cursor")]}
            ) from exc
        if narrow and page:
            ids = [row.pk for row in page]
            json_rows = getattr(view, "json_rows", None)
            if json_rows is not None:
                # The view renders the page's rows itself from their ids (``JsonRows``); the page links keep
                # their positions from the narrow rows (``self.page``).
                return JsonRows(json_rows(ids))
            page = in_order_of(ids, source.filter(pk__in=ids), key=lambda row: row.pk)
            self.page = page
        return page

    def decode_cursor(self, request: Request) -> Any:
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                refuse_null_characters(cursor.position)
                field.to_python(cursor.position)
            except (DjangoValidationError, exceptions.ValidationError) as exc:
                raise exceptions.NotFound(self.invalid_cursor_message) from exc
        return cursor


class ServiceWriteSerializer(serializers.ModelSerializer):
    """A model serializer that validates and renders but refuses to save: writes go through services."""

    def create(self, validated_data: dict[str, Any]) -> Model:
        raise TypeError("Writes go through the services, not serializer.save().")

    def update(self, instance: Model, validated_data: dict[str, Any]) -> Model:
        raise TypeError("Writes go through the services, not serializer.save().")


# --- input PostgreSQL cannot take, and dates that cannot be true ---------------------------------------

NULL_CHARACTERS_REFUSED = "Null characters are not allowed."  # Django's and DRF's own wording
# PostgreSQL stores UTC offsets up to 15:59 either way; psycopg refuses anything beyond. (Real ones stay
# within -12:00 and +14:00.)
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)
UTC_OFFSET_REFUSED = "A UTC offset lies between -15:59 and +15:59 (e.g. -08:00 at San Ysidro in winter)."
# Nobody registered alive was born before 1900 (the database says so too: alien_dob_plausible), and no
# encounter of this programme happened before it.
EARLIEST_DATE = dt.date(1900, 1, 1)


def refuse_null_characters(value: Any) -> None:
    """PostgreSQL refuses NUL in text: a value with one is invalid input, never a database error. DRF's
    and Django's CharField check this already; lookups by a code (and cursors) must do it themselves."""
    if isinstance(value, str) and "\x00" in value:
        raise exceptions.ValidationError(NULL_CHARACTERS_REFUSED, code="null_characters_not_allowed")


def utc_offset_in_range(value: dt.datetime) -> bool:
    offset = value.utcoffset()
    return offset is None or abs(offset) <= MAX_UTC_OFFSET


class CodeRelatedField(serializers.SlugRelatedField):
    """A reference to a row by its ``code`` (a location, a language). A value with a NUL character is
    refused as invalid before the lookup, as CharField refuses it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        refuse_null_characters(data)
        return super().to_internal_value(data)


class BirthDateField(serializers.DateField):
    """A date of birth that can be true: not in the future, not before 1900."""

    default_error_messages = {
        "date_in_future": "Date of birth cannot be in the future.",
        "date_too_early": "Check the year of birth: not before 1900.",
    }

    def to_internal_value(self, value: Any) -> dt.date:
        born = super().to_internal_value(value)
        if born > timezone.localdate():
            self.fail("date_in_future")
        if born < EARLIEST_DATE:
            self.fail("date_too_early")
        return born


class AwareDateTimeField(serializers.DateTimeField):
    """A timestamp that must state its UTC offset (``Z`` or ``±hh:mm``): a naive time is refused rather than
    silently read as UTC, because the ports are in four time zones. The offset must be one PostgreSQL can
    store, and the time not before 1900 (the services refuse times in the future)."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-11-03T14:05:00-08:00 or 2026-11-03T22:05:00Z.",
        "utc_offset": UTC_OFFSET_REFUSED,
        "date_too_early": "Check the year: not before 1900.",
    }

    def enforce_timezone(self, value: Any) -> Any:
        if timezone.is_naive(value):
            self.fail("naive")
        if not utc_offset_in_range(value):
            self.fail("utc_offset")
        aware = super().enforce_timezone(value)
        if aware.date() < EARLIEST_DATE:
            self.fail("date_too_early")
        return aware
