"""The pending fear claim stops being a case status and becomes a hold (cases.Hold, kind ``fear_claim``,
owned by this app): each case now in ``fear_claim_pending`` goes back to the status it had before the
claim, read from its history, and gets an open hold with who recorded the claim, when and why. A case
whose claim came at the supervisor's decision (awaiting review → fear claim) goes to what that decision
recorded for the member (amenable), since the decision was made; the hold now blocks its enrolment and
return (S1/S4, F4). Each change writes a history row and a case event, as a service would.

Also: the edits of screening facts, which the old timeline could not show, become case events.
Runs before cases 0006, which then refuses the old status.
"""

from django.db import migrations
from django.utils import timezone

WHY = "Step 3 migration: the pending fear claim became a hold on the case; the status is where the case stood"
MEDICAL = (
    "fit_to_travel",
    "pregnancy_disclosed",
    "prior_illness_disclosed",
    "other_condition",
    "medical_referral",
    "medical_referral_outcome",
    "notes",
)
FACTS = (
    "expedited_removal",
    "returning_lpr",
    "parole",
    "criminal_history",
    "gom_usg_interest",
    "fear_of_return_expressed",
    "mexican_member_choice",
    *MEDICAL[:-1],
    "officer_fluent",
    "interpretation_mode",
    "interpretation_language_id",
    "notes",
)


def _copy_history(model, instance, **extra):
    """A history row for ``instance`` as simple-history would write it (state models have no .history)."""
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return model.objects.create(**values, **extra)


def fear_status_to_hold(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    Hold = apps.get_model("cases", "Hold")
    HistoricalHold = apps.get_model("cases", "HistoricalHold")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    MemberDecision = apps.get_model("screenings", "MemberDecision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    hold_type, _ = ContentType.objects.get_or_create(app_label="cases", model="hold")
    now = timezone.now()
    for case in Case.objects.filter(status="fear_claim_pending").order_by("pk"):
        rows = list(HistoricalCase.objects.filter(id=case.pk).order_by("history_date", "history_id"))
        entered, prior = None, "screening"
        for before, row in zip([None, *rows], rows):
            if row.status == "fear_claim_pending" and (before is None or before.status != "fear_claim_pending"):
                entered, prior = row, (before.status if before is not None else "screening")
        if prior == "awaiting_review":
            decision = MemberDecision.objects.filter(case_id=case.pk).first()
            if decision is not None:
                prior = "amenable" if decision.amenable else "not_amenable"
        opened_by = (entered.history_user_id if entered else None) or case.created_by_id
        opened_at = entered.history_date if entered else case.status_changed_at
        reason = (entered.history_change_reason if entered else "") or "Fear claim pending (S1)"
        hold = Hold.objects.create(
            case_id=case.pk,
            kind="fear_claim",
            rule="S1",
            reason=reason,
            location_id=case.location_id,
            opened_by_id=opened_by,
            opened_at=opened_at,
        )
        _copy_history(
            HistoricalHold,
            hold,
            history_date=now,
            history_type="+",
            history_user_id=opened_by,
            history_change_reason=f"{WHY}: migrated from the fear_claim_pending status",
        )
        case.status = prior
        case.status_changed_at = now
        case.save(update_fields=["status", "status_changed_at", "updated_at"])
        _copy_history(
            HistoricalCase,
            case,
            history_date=now,
            history_type="~",
            history_user_id=None,
            history_change_reason=f"{WHY} ({prior}).",
        )
        CaseEvent.objects.create(
            case_id=case.pk,
            type="hold.opened",
            actor_id=opened_by,
            occurred_at=opened_at,
            reason=reason,
            data={"hold_id": hold.pk, "kind": "fear_claim", "rule": "S1", "migrated": True},
            sensitivities=["fear"],
            subject_type=hold_type,
            subject_id=hold.pk,
        )
        CaseEvent.objects.create(
            case_id=case.pk,
            type="status.changed",
            actor_id=None,
            occurred_at=now,
            reason=f"{WHY} ({prior}).",
            data={"from": "fear_claim_pending", "to": prior, "migrated": True},
        )


def facts_history_to_events(apps, schema_editor):
    HistoricalScreeningFacts = apps.get_model("screenings", "HistoricalScreeningFacts")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    facts_type, _ = ContentType.objects.get_or_create(app_label="screenings", model="screeningfacts")
    previous = {}
    batch = []
    for row in HistoricalScreeningFacts.objects.order_by("id", "history_date", "history_id").iterator(2000):
        before = previous.get(row.id)
        changed = [
            name.removesuffix("_id")
            for name in FACTS
            if (before is None and getattr(row, name) not in (None, "", False, "not_assessed"))
            or (before is not None and getattr(before, name) != getattr(row, name))
        ]
        previous[row.id] = row
        if before is not None and not changed:
            continue
        sensitivities = set()
        if any(name in MEDICAL for name in changed):
            sensitivities.add("medical")
        if "fear_of_return_expressed" in changed:
            sensitivities.add("fear")
        batch.append(
            CaseEvent(
                case_id=row.case_id,
                type="screening.facts_saved",
                actor_id=row.history_user_id,
                occurred_at=row.history_date,
                reason=row.history_change_reason or "Screening facts recorded",
                data={"fields": changed, "migrated_from_history": True},
                sensitivities=sorted(sensitivities),
                subject_type=facts_type,
                subject_id=row.id,
            )
        )
    CaseEvent.objects.bulk_create(batch, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("screenings", "0002_review_can_be_returned"),
        ("cases", "0005_history_to_case_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    run_before = [("cases", "0006_status_without_fear_claim")]

    operations = [
        migrations.RunPython(fear_status_to_hold, migrations.RunPython.noop),
        migrations.RunPython(facts_history_to_events, migrations.RunPython.noop),
    ]
