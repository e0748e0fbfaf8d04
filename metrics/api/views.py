"""The metrics API (``/api/v1/metrics/…``), the same selectors as the pages. Aggregates only (no person is
named: no access-log row). Roles admitted: ``METRIC_ROLES`` (analysts, administrators, USCIS)."""

from __future__ import annotations

from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.api.serializers import AsOfQuerySerializer, M2ReportSerializer, m2_body
from metrics.selectors import METRIC_ROLES, as_of_checked, m2_uscis_referrals
from mpp.api import described, error_responses


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
        query = AsOfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = as_of_checked(query.validated_data.get("as_of"))
        return Response(m2_body(m2_uscis_referrals(as_of=as_of)))
