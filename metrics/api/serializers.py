"""The shapes of the metrics API: what each metric returns, and its query."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from metrics.selectors import PROGRAM_START, Court, M1Counts, M1Report, M2Counts, M2Report, M3Counts, M3Report


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


# --- M1 ---------------------------------------------------------------------------------------------------


class M1CountsSerializer(serializers.Serializer):
    asylum = serializers.IntegerField(help_text="Proceedings whose outcome is a grant of asylum.")
    withholding = serializers.IntegerField(help_text="… statutory withholding of removal (INA 241(b)(3)).")
    cat_withholding = serializers.IntegerField(help_text="… withholding of removal under CAT.")
    total = serializers.IntegerField(help_text="The three together: relief granted (M1).")


class CourtSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The immigration court of the case's NTA, e.g. sdg-ic; empty: none."
    )
    name = serializers.CharField()


class M1CourtSerializer(serializers.Serializer):
    court = CourtSerializer()
    counts = M1CountsSerializer()


class M1MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM: the month of the decision.")
    counts = M1CountsSerializer()


class M1ReportSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="`M1`.")
    as_of = serializers.DateField()
    courts = M1CourtSerializer(many=True, help_text="Courts with relief granted, by name.")
    months = M1MonthSerializer(many=True, help_text="Months with relief granted, oldest first.")
    total = M1CountsSerializer(help_text="The whole program.")


def m1_counts_body(counts: M1Counts) -> dict[str, int]:
    return {
        "asylum": counts.asylum,
        "withholding": counts.withholding,
        "cat_withholding": counts.cat_withholding,
        "total": counts.total,
    }


def court_body(court: Court) -> dict[str, str]:
    return {"code": court.code, "name": court.name}


def m1_body(report: M1Report) -> dict[str, Any]:
    return {
        "metric": "M1",
        "as_of": report.as_of.isoformat(),
        "courts": [
            {"court": court_body(row.court), "counts": m1_counts_body(row.counts)} for row in report.courts
        ],
        "months": [
            {"month": f"{row.month:%Y-%m}", "counts": m1_counts_body(row.counts)} for row in report.months
        ],
        "total": m1_counts_body(report.total),
    }


# --- M3 ---------------------------------------------------------------------------------------------------


class M3CountsSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField(help_text="Total enrolled: cases whose NTA was filed by the date.")
    completed = serializers.IntegerField(
        help_text="Cases completed: initial completions decided by the date."
    )
    relief = serializers.IntegerField(help_text="Of them: relief or protection granted (incl. CAT deferral).")
    removal = serializers.IntegerField(help_text="Of them: a removal order (incl. in absentia).")
    in_absentia = serializers.IntegerField(help_text="Of the removal orders: in absentia.")
    other = serializers.IntegerField(help_text="Of them: any other decision (termination, dismissal, …).")


class M3CourtSerializer(serializers.Serializer):
    court = CourtSerializer()
    counts = M3CountsSerializer()


class M3ReportSerializer(serializers.Serializer):
    metric = serializers.CharField(help_text="`M3`.")
    as_of = serializers.DateField()
    courts = M3CourtSerializer(many=True, help_text="Courts with cases enrolled or completed, by name.")
    total = M3CountsSerializer(help_text="The whole program.")


def m3_counts_body(counts: M3Counts) -> dict[str, int]:
    return {
        "enrolled": counts.enrolled,
        "completed": counts.completed,
        "relief": counts.relief,
        "removal": counts.removal,
        "in_absentia": counts.in_absentia,
        "other": counts.other,
    }


def m3_body(report: M3Report) -> dict[str, Any]:
    return {
        "metric": "M3",
        "as_of": report.as_of.isoformat(),
        "courts": [
            {"court": court_body(row.court), "counts": m3_counts_body(row.counts)} for row in report.courts
        ],
        "total": m3_counts_body(report.total),
    }
