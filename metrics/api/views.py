"""The metrics API (``/api/v1/metrics/…``), the same selectors as the pages. Aggregates only (no person is
named: no access-log row). Roles admitted: ``METRIC_ROLES`` (analysts, administrators, USCIS)."""

from __future__ import annotations

import datetime as dt

from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.api.serializers import (
    AsOfQuerySerializer,
    M1ReportSerializer,
    M2ReportSerializer,
    M3ReportSerializer,
    m1_body,
    m2_body,
    m3_body,
)
from metrics.selectors import (
    METRIC_ROLES,
    as_of_checked,
    m1_relief_granted,
    m2_uscis_referrals,
    m3_cases_completed,
)
from mpp.api import described, error_responses


def _as_of(request: Request) -> dt.date:
    query = AsOfQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return as_of_checked(query.validated_data.get("as_of"))


class M1View(GenericAPIView):
    """M1: relief granted, as of a date."""

    allowed_roles = {"get": METRIC_ROLES}
    serializer_class = M1ReportSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "M1: the number of INA 240 proceedings of MPP aliens that ended in a grant of relief — asylum, "
        "statutory withholding of removal or withholding under the Convention Against Torture only (CAT "
        "deferral, voluntary departure and the other outcomes do not count) — as of `as_of`: the proceeding's "
        "outcome at the end of that day (its completion decided by then and not reopened by then, H5) is such "
        "a grant. A grant reopened by a motion to reopen or a remand stops counting from the day it was "
        "reopened; completed again with relief, it counts once. By the immigration court of the case's NTA and "
        "by month of the decision; each proceeding once. Refusals: 400 naming `as_of` (not a date, in the "
        "future, before MPP began).",
        METRIC_ROLES,
        parameters=[AsOfQuerySerializer],
        responses={200: M1ReportSerializer, **error_responses(400, 403)},
        operation_id="metrics_m1_retrieve",
    )
    def get(self, request: Request) -> Response:
        return Response(m1_body(m1_relief_granted(as_of=_as_of(request))))


class M3View(GenericAPIView):
    """M3: cases completed by immigration judges since MPP's inception, as of a date."""

    allowed_roles = {"get": METRIC_ROLES}
    serializer_class = M3ReportSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "M3: cases completed by immigration judges since MPP's inception, as of `as_of`. `enrolled` (Total "
        "enrolled) counts only the cases whose NTA was filed with the court by that day; `completed` (Cases "
        "completed) counts initial completions only (H5: not a completion after a motion to reopen or a "
        "remand), decided by that day, with the initial decision's group: `relief` (relief or protection "
        "granted, CAT deferral included), `removal` (a removal order, `in_absentia` of them in absentia), "
        "`other`. By the immigration court of the case's NTA. Refusals: 400 naming `as_of` (not a date, in "
        "the future, before MPP began).",
        METRIC_ROLES,
        parameters=[AsOfQuerySerializer],
        responses={200: M3ReportSerializer, **error_responses(400, 403)},
        operation_id="metrics_m3_retrieve",
    )
    def get(self, request: Request) -> Response:
        return Response(m3_body(m3_cases_completed(as_of=_as_of(request))))


class M2View(GenericAPIView):
    """M2: USCIS referrals with outcomes, as of a date."""

    allowed_roles = {"get": METRIC_ROLES}
    serializer_class = M2ReportSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @described(
        "M2: the number of MPP aliens referred to USCIS for a non-refoulement assessment interview (a fear "
        "claim, S1), by asylum office and month of referral, with outcomes as of `as_of`: `positive` or "
        "`negative` when the assessment was concurred (S3) by the end of that day, `pending` otherwise. Days "
        "and months are the asylum office's. Each person counts once per month, per office total and in the "
        "program total, however many claims they made (positive if any was decided positive, else pending "
        "if one is undecided), so a total can be less than the sum of its months. Refusals: 400 naming "
        "`as_of` (not a date, in the future, before MPP began).",
        METRIC_ROLES,
        parameters=[AsOfQuerySerializer],
        responses={200: M2ReportSerializer, **error_responses(400, 403)},
        operation_id="metrics_m2_retrieve",
    )
    def get(self, request: Request) -> Response:
        return Response(m2_body(m2_uscis_referrals(as_of=_as_of(request))))
