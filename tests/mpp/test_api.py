"""The API plumbing every app shares (mpp/api.py): domain errors mapped to HTTP in one place, the error body,
role sentences in the operation descriptions, keyset pagination in the view's order, and the serializer
pieces that keep writes in the services and times aware of their offset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from cases.exceptions import CaseNotFound
from cases.models import Language
from mpp.api import (
    ApiErrorSerializer,
    AwareDateTimeField,
    BirthDateField,
    CodeRelatedField,
    ServiceWriteSerializer,
    ViewOrderedCursorPagination,
    admitted,
    described,
    error_responses,
    exception_handler,
)
from mpp.exceptions import (
    ConcurrentEdit,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)
from tests.factories import CaseFactory

API = "/api/v1"


class _Raises(APIView):
    """Raises whatever the test hands it, so the response is the project's exception handler at work."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    error: Exception = RuntimeError("no error given")

    def get(self, request: Request) -> Response:
        raise self.error


def _raised(error: Exception) -> Response:
    view = _Raises.as_view(error=error)
    return view(APIRequestFactory().get("/probe/"))


# --- exception_handler -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            IllegalTransition("A case in screening cannot move to enrolled.", rule="A3"),
            409,
            {
                "code": "illegal_transition",
                "detail": "A case in screening cannot move to enrolled.",
                "rule": "A3",
            },
        ),
        (
            PolicyRefusal("Fear claim pending.", code="fear_claim_pending", rule="S1"),
            409,
            {"code": "fear_claim_pending", "detail": "Fear claim pending.", "rule": "S1"},
        ),
        (
            ConcurrentEdit("Already decided by Ann Lee.", code="already_decided"),
            409,
            {"code": "already_decided", "detail": "Already decided by Ann Lee."},
        ),
        (
            NotPermitted("Deciding is for: CBP supervisor."),
            403,
            {"code": "not_permitted", "detail": "Deciding is for: CBP supervisor."},
        ),
        (
            DomainError("Something is off."),
            400,
            {
                "code": "invalid",
                "detail": "Something is off.",
                "errors": [{"field": None, "code": "invalid", "detail": "Something is off."}],
            },
        ),
    ],
    ids=["illegal_transition", "policy_refusal", "concurrent_edit", "not_permitted", "domain_error"],
)
def test_a_domain_error_becomes_its_http_status_with_code_detail_and_rule(error, status, body):
    response = _raised(error)

    assert response.status_code == status
    assert response.data == body


def test_a_refusal_about_one_field_names_it_once_with_its_rule():
    error = InvalidInput(
        "The officer is not fluent: choose an interpretation.", rule="N3", field="interpretation_mode"
    )

    response = _raised(error)

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "detail": "The officer is not fluent: choose an interpretation.",
        "rule": "N3",
        "field": "interpretation_mode",
        "errors": [
            {
                "field": "interpretation_mode",
                "code": "invalid",
                "detail": "The officer is not fluent: choose an interpretation.",
            }
        ],
    }


def test_a_serializer_error_is_flattened_to_the_first_with_its_dotted_path_and_all_kept_in_errors():
    error = serializers.ValidationError(
        {
            "reason": [ErrorDetail("This field may not be blank.", code="blank")],
            "members": {
                1: {
                    "date_of_birth": [
                        ErrorDetail("Date of birth cannot be in the future.", code="date_in_future")
                    ]
                },
                3: {"non_field_errors": [ErrorDetail("Link or type the person.", code="invalid")]},
            },
            "overrides": [
                {},
                {"kind": [ErrorDetail('"confirm" is not a valid choice.', code="invalid_choice")]},
            ],
            "non_field_errors": [
                ErrorDetail("Give an A-number, or a name and a birth date.", code="required")
            ],
        }
    )

    response = _raised(error)

    assert response.status_code == 400
    assert response.data == {
        "code": "blank",
        "detail": "This field may not be blank.",
        "field": "reason",
        "errors": [
            {"field": "reason", "code": "blank", "detail": "This field may not be blank."},
            {
                "field": "members.1.date_of_birth",
                "code": "date_in_future",
                "detail": "Date of birth cannot be in the future.",
            },
            {"field": "members.3", "code": "invalid", "detail": "Link or type the person."},
            {
                "field": "overrides.1.kind",
                "code": "invalid_choice",
                "detail": '"confirm" is not a valid choice.',
            },
            {"field": None, "code": "required", "detail": "Give an A-number, or a name and a birth date."},
        ],
    }


def test_an_error_about_the_request_as_a_whole_names_no_field():
    response = _raised(serializers.ValidationError("Give an A-number, or a name and a birth date."))

    assert response.data == {
        "code": "invalid",
        "detail": "Give an A-number, or a name and a birth date.",
        "errors": [
            {"field": None, "code": "invalid", "detail": "Give an A-number, or a name and a birth date."}
        ],
    }


def test_a_django_validation_error_about_fields_becomes_400_naming_the_first_field():
    error = DjangoValidationError(
        {
            "date_of_birth": [DjangoValidationError("Cannot be in the future.", code="date_in_future")],
            "sex": [
                DjangoValidationError(
                    "Choose %(choices)s.", code="invalid_choice", params={"choices": "F, M or U"}
                )
            ],
        }
    )

    response = _raised(error)

    assert response.status_code == 400
    assert response.data == {
        "code": "date_in_future",
        "detail": "Cannot be in the future.",
        "field": "date_of_birth",
        "errors": [
            {"field": "date_of_birth", "code": "date_in_future", "detail": "Cannot be in the future."},
            {"field": "sex", "code": "invalid_choice", "detail": "Choose F, M or U."},
        ],
    }


def test_a_django_validation_error_without_fields_becomes_400_naming_no_field():
    response = _raised(DjangoValidationError(["Users are never deleted.", "Deactivate the account instead."]))

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "detail": "Users are never deleted.",
        "errors": [
            {"field": None, "code": "invalid", "detail": "Users are never deleted."},
            {"field": None, "code": "invalid", "detail": "Deactivate the account instead."},
        ],
    }


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (exceptions.NotAuthenticated(), 403, "not_authenticated"),  # session auth first: 403, not 401
        (exceptions.AuthenticationFailed("Invalid token."), 403, "not_authenticated"),
        (exceptions.PermissionDenied("Your role is not allowed to do this."), 403, "not_permitted"),
        (PermissionDenied("Nope."), 403, "not_permitted"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.NotAcceptable(), 406, "not_acceptable"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_drf_and_django_http_errors_get_a_code_and_their_message(error, status, code):
    response = _raised(error)

    assert response.status_code == status
    assert response.data == {"code": code, "detail": str(error.detail if hasattr(error, "detail") else error)}


def test_a_body_that_does_not_parse_is_a_400_like_any_other_with_its_errors():
    response = _raised(exceptions.ParseError("JSON parse error - Expecting value."))

    assert response.status_code == 400
    assert response.data == {
        "code": "malformed_request",
        "detail": "JSON parse error - Expecting value.",
        "errors": [
            {"field": None, "code": "malformed_request", "detail": "JSON parse error - Expecting value."}
        ],
    }


def test_a_code_the_raiser_gave_is_kept_e_g_why_a_token_was_refused():
    response = _raised(
        exceptions.AuthenticationFailed("This token expired on 2026-11-03.", code="token_expired")
    )

    assert response.status_code == 403
    assert response.data == {"code": "token_expired", "detail": "This token expired on 2026-11-03."}


def test_a_throttled_request_gets_the_code_and_the_retry_after_header():
    response = _raised(exceptions.Throttled(wait=42))

    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert "42 seconds" in response.data["detail"]
    assert response.headers["Retry-After"] == "42"


@pytest.mark.parametrize(
    "error",
    [
        NotFound("No such case within your scope."),
        NotFound(),
        Http404("No Case matches the given query."),
        CaseNotFound("No hold 7 that you can see."),
    ],
    ids=["drf_with_message", "drf", "django_http404", "domain_case_not_found"],
)
def test_every_not_found_says_the_same_and_reveals_nothing(error):
    response = _raised(error)

    assert response.status_code == 404
    assert response.data == {"code": "not_found", "detail": "No such record within your scope."}


def test_any_other_exception_is_not_handled_so_it_surfaces_as_a_server_error():
    assert exception_handler(KeyError("status"), {}) is None
    with pytest.raises(ZeroDivisionError):
        _raised(ZeroDivisionError("division by zero"))


# --- the error body and the operation descriptions -------------------------------------------------------


def test_the_error_body_always_has_code_and_detail_and_may_have_field_rule_and_errors():
    fields = ApiErrorSerializer().fields

    assert {name: field.required for name, field in fields.items()} == {
        "code": True,
        "detail": True,
        "field": False,
        "rule": False,
        "errors": False,
    }
    assert not ApiErrorSerializer(data={"detail": "No such record within your scope."}).is_valid()
    assert ApiErrorSerializer(
        data={"code": "not_found", "detail": "No such record within your scope."}
    ).is_valid()


def test_admitted_ends_a_description_with_exactly_the_given_roles_sorted():
    sentence = admitted({"court_staff", "cbp_supervisor", "asylum_officer"})

    assert sentence == (
        "\n\n**Roles admitted:** `asylum_officer`, `cbp_supervisor`, `court_staff`. Everyone else gets 403."
    )


def test_error_responses_picks_the_documented_responses_in_the_order_asked():
    picked = error_responses(404, 403)

    assert list(picked) == [404, 403]
    assert picked[403].description == (
        "`not_authenticated`: no valid credentials; `not_permitted`: your role or duty location is not admitted."
    )
    assert picked[404].description == "`not_found`: No such record within your scope."
    with pytest.raises(KeyError):
        error_responses(418)  # an undocumented status is a mistake in the view, not silently dropped


class _Described(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @described(
        "Read the probe.",
        ["ice_officer", "cbp_officer", "court_staff"],
        responses={200: OpenApiTypes.OBJECT, **error_responses(403, 404)},
    )
    def get(self, request: Request) -> Response:
        return Response({})


def test_described_puts_the_roles_sentence_and_the_error_responses_into_the_schema():
    generator = SchemaGenerator(patterns=[path("probe/", _Described.as_view())])

    schema = generator.get_schema(request=None, public=True)

    operation = schema["paths"]["/probe/"]["get"]
    assert operation["description"] == (
        "Read the probe.\n\n**Roles admitted:** `cbp_officer`, `court_staff`, `ice_officer`. Everyone else gets 403."
    )
    assert set(operation["responses"]) == {"200", "403", "404"}
    assert operation["responses"]["403"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
        "description": "`not_authenticated`: no valid credentials; `not_permitted`: your role or duty location "
        "is not admitted.",
    }
    error = schema["components"]["schemas"]["ApiError"]
    assert error["required"] == ["code", "detail"]
    assert set(error["properties"]) == {"code", "detail", "field", "rule", "errors"}
    assert error["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ApiFieldError"}
    assert set(schema["components"]["schemas"]["ApiFieldError"]["required"]) == {"field", "code", "detail"}


# --- ViewOrderedCursorPagination ---------------------------------------------------------------------


class _LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["id", "code", "name"]


class _Languages(ListAPIView):
    """The test's own languages, paged in the order the view declares."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    filter_backends: list[Any] = []
    pagination_class = ViewOrderedCursorPagination
    serializer_class = _LanguageSerializer
    ordering: tuple[str, ...] = ("name", "id")

    def get_queryset(self) -> Any:
        return Language.objects.filter(code__startswith="t-")


class _LanguagesByCodeDescending(_Languages):
    ordering = ("-code",)


def _languages(*names: str) -> list[Language]:
    return [Language.objects.create(code=f"t-{i:03d}", name=name) for i, name in enumerate(names)]


def _page(view: type[_Languages], url: str = "/languages/", **params: Any) -> dict[str, Any]:
    response = view.as_view()(APIRequestFactory().get(url, params))
    assert response.status_code == 200, response.data
    return response.data


@pytest.mark.django_db
def test_pages_follow_the_ordering_the_view_declares():
    _languages("Wolof", "Basque", "Maori")

    by_name = [row["name"] for row in _page(_Languages)["results"]]
    by_code_descending = [row["code"] for row in _page(_LanguagesByCodeDescending)["results"]]

    assert by_name == ["Basque", "Maori", "Wolof"]
    assert by_code_descending == ["t-002", "t-001", "t-000"]


@pytest.mark.django_db
def test_rows_with_an_equal_first_field_are_each_seen_once_across_pages():
    same = _languages(*["Nahuatl"] * 5)

    seen, page = [], _page(_Languages, page_size=2)
    seen += [row["id"] for row in page["results"]]
    while page["next"]:
        page = _page(_Languages, url=page["next"])
        seen += [row["id"] for row in page["results"]]

    assert seen == [language.pk for language in same]


@pytest.mark.django_db
def test_a_row_added_before_the_cursor_does_not_shift_the_next_page():
    _languages("Basque", "Catalan", "Maori", "Wolof")
    first = _page(_Languages, page_size=2)
    Language.objects.create(code="t-new", name="Aymara")  # sorts before everything already read

    second = _page(_Languages, url=first["next"])

    assert [row["name"] for row in first["results"]] == ["Basque", "Catalan"]
    assert [row["name"] for row in second["results"]] == ["Maori", "Wolof"]


@pytest.mark.django_db
def test_page_size_is_capped_at_two_hundred():
    Language.objects.bulk_create(Language(code=f"t-{i:03d}", name=f"Language {i:03d}") for i in range(205))

    asked_too_many = _page(_Languages, page_size=500)
    asked_three = _page(_Languages, page_size=3)

    assert len(asked_too_many["results"]) == 200
    assert asked_too_many["next"] is not None
    assert len(asked_three["results"]) == 3


@pytest.mark.django_db
def test_the_case_list_pages_newest_first_and_a_case_opened_meanwhile_is_not_repeated(court_clerk):
    oldest, older, newer, newest = (CaseFactory() for _ in range(4))
    client = APIClient()
    client.force_login(court_clerk)

    first = client.get(f"{API}/cases/", {"page_size": 2}).json()
    CaseFactory()  # opened between the two requests: newer than everything on the first page
    second = client.get(first["next"]).json()
    everything = client.get(f"{API}/cases/", {"page_size": 500}).json()

    assert [row["id"] for row in first["results"]] == [newest.pk, newer.pk]
    assert [row["id"] for row in second["results"]] == [older.pk, oldest.pk]
    assert second["next"] is None
    assert len(everything["results"]) == 5


# --- serializer pieces ---------------------------------------------------------------------------------


class _LanguageWrite(ServiceWriteSerializer):
    class Meta:
        model = Language
        fields = ["code", "name"]


@pytest.mark.django_db
def test_a_service_write_serializer_validates_but_refuses_to_create():
    serializer = _LanguageWrite(data={"code": "t-nah", "name": "Nahuatl"})
    assert serializer.is_valid(), serializer.errors

    with pytest.raises(TypeError, match=r"Writes go through the services, not serializer\.save\(\)\."):
        serializer.save()

    assert not Language.objects.filter(code="t-nah").exists()


@pytest.mark.django_db
def test_a_service_write_serializer_refuses_to_update():
    spanish = Language.objects.get(code="es")
    serializer = _LanguageWrite(spanish, data={"code": "es", "name": "Castellano"}, partial=True)
    assert serializer.is_valid(), serializer.errors

    with pytest.raises(TypeError, match=r"Writes go through the services, not serializer\.save\(\)\."):
        serializer.save()

    spanish.refresh_from_db()
    assert spanish.name == "Spanish"


NAIVE_REFUSED = "Give the time with its UTC offset, e.g. 2026-11-03T14:05:00-08:00 or 2026-11-03T22:05:00Z."


@pytest.mark.parametrize(
    "naive", ["2026-11-03T14:05:00", dt.datetime(2026, 11, 3, 14, 5)], ids=["text", "datetime"]
)
def test_an_aware_datetime_field_refuses_a_time_without_its_offset(naive):
    with pytest.raises(serializers.ValidationError) as refused:
        AwareDateTimeField().run_validation(naive)

    assert refused.value.detail == [NAIVE_REFUSED]


@pytest.mark.parametrize(
    "stated", ["2026-11-03T22:05:00Z", "2026-11-03T14:05:00-08:00", "2026-11-03T23:05:00+01:00"]
)
def test_an_aware_datetime_field_accepts_z_or_an_offset_as_the_same_instant(stated):
    value = AwareDateTimeField().run_validation(stated)

    assert value == dt.datetime(2026, 11, 3, 22, 5, tzinfo=dt.UTC)
    assert value.utcoffset() is not None


@pytest.mark.parametrize(
    ("stated", "code"),
    [
        ("2026-11-03T22:05:00+16:00", "utc_offset"),  # psycopg refuses offsets beyond ±15:59
        ("2026-11-03T22:05:00-16:00", "utc_offset"),
        ("1899-12-31T23:59:59Z", "date_too_early"),
        ("0001-01-01T00:00:00Z", "date_too_early"),
        ("0001-01-01T00:00:00+01:00", "overflow"),  # before year 1 in UTC
    ],
)
def test_an_aware_datetime_field_refuses_a_time_that_cannot_be_true(stated, code):
    with pytest.raises(serializers.ValidationError) as refused:
        AwareDateTimeField().run_validation(stated)

    assert refused.value.detail[0].code == code


def test_an_aware_datetime_field_accepts_the_widest_offsets_postgresql_stores():
    east = AwareDateTimeField().run_validation("2026-11-03T22:05:00+15:59")
    west = AwareDateTimeField().run_validation("2026-11-03T22:05:00-15:59")

    assert (east, west) == (
        dt.datetime(2026, 11, 3, 6, 6, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 4, 14, 4, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("born", "code"),
    [("1899-12-31", "date_too_early"), ("0001-01-01", "date_too_early"), ("tomorrow", "date_in_future")],
)
def test_a_birth_date_field_refuses_a_date_that_cannot_be_true(born, code):
    if born == "tomorrow":
        born = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    with pytest.raises(serializers.ValidationError) as refused:
        BirthDateField().run_validation(born)

    assert refused.value.detail[0].code == code


def test_a_birth_date_field_accepts_1900_and_today():
    today = timezone.localdate()

    assert BirthDateField().run_validation("1900-01-01") == dt.date(1900, 1, 1)
    assert BirthDateField().run_validation(today.isoformat()) == today


class _LanguageByCode(serializers.Serializer):
    language = CodeRelatedField(queryset=Language.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["\x00", "es\x00", "\x00es"])
def test_a_code_with_a_nul_is_refused_before_the_database_sees_it(code, django_assert_num_queries):
    serializer = _LanguageByCode(data={"language": code})

    with django_assert_num_queries(0):
        assert not serializer.is_valid()

    assert serializer.errors["language"][0].code == "null_characters_not_allowed"


@pytest.mark.django_db
def test_a_code_field_finds_the_row_by_its_code():
    serializer = _LanguageByCode(data={"language": "es"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["language"] == Language.objects.get(code="es")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    ["garbage", "cD1Xb2xm", "cD0A"],  # not base64 of a cursor; p=Wolf (a name, fine) is valid; p=NUL
    ids=["not_a_cursor", "a_position", "nul"],
)
def test_a_cursor_is_checked_before_the_database_sees_it(cursor):
    _languages("Basque", "Wolof")

    response = _Languages.as_view()(APIRequestFactory().get("/languages/", {"cursor": cursor}))

    if cursor == "cD1Xb2xm":  # ordering by name: any text is a position
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert (response.data["field"], response.data["code"]) == ("cursor", "invalid_cursor")
