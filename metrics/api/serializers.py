"""The shapes of the metrics API: what each metric returns, and its query."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from metrics.selectors import PROGRAM_START, M2Counts, M2Report


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=f"YYYY-MM-DD: count what had happened by the end of this day (the asylum office's local day). "
        f"From {PROGRAM_START:%Y-%m-%d} to today; default today.",
    )


class M2CountsSerializer(serializers.Serializer):
    referred = serializers.IntegerField(help_text="People referred (each once).")
    positive = serializers.IntegerField(help_text="Of them: a positive assessment concurred by the date.")
    negative = serializers.IntegerField(help_text="Of them: a negative assessment concurred by the date.")
    pending = serializers.IntegerField(help_text="Of them: not decided by the date.")


class M2MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, in the asylum office's time zone.")
    counts = M2CountsSerializer()


class M2OfficeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The asylum office, e.g. lax-zla.")
    name = serializers.CharField()
    months = M2MonthSerializer(many=True, help_text="Months with referrals, oldest first.")
    total = M2CountsSerializer(help_text="Each person once, whatever the months.")


class M2ReportSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="`M2`.")
    as_of = serializers.DateField()
    offices = M2OfficeSerializer(many=True)
    total = M2CountsSerializer(help_text="The whole program: each person once, whatever the offices.")


def counts_body(counts: M2Counts) -> dict[str, int]:
    return {
        "referred": counts.referred,
        "positive": counts.positive,
        "negative": counts.negative,
        "pending": counts.pending,
    }


def m2_body(report: M2Report) -> dict[str, Any]:
    return {
        "metric": "M2",
        "as_of": report.as_of.isoformat(),
        "offices": [
            {
                "code": office.office.code,
                "name": office.office.name,
                "months": [
                    {"month": f"{row.month:%Y-%m}", "counts": counts_body(row.counts)}
                    for row in office.months
                ],
                "total": counts_body(office.total),
            }
            for office in report.offices
        ],
        "total": counts_body(report.total),
    }
