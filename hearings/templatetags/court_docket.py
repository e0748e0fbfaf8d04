"""The rows of the court's docket, built in Python (as the print and custody queues are): 50 rows through
template variables, ``{% with %}`` and ``{% url %}`` cost most of a list page against its 15 ms budget.
Every value is escaped
by ``format_row`` (mpp.html); one ``reverse`` per kind of link a page."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from hearings.court_selectors import DocketRow
from hearings.models import Completion, Hearing, HearingAttendance, HearingLocation, NoticeToAppear
from hearings.templatetags.hearings_pages import zone_words
from mpp.html import format_row, url_of

register = template.Library()

_ROW = (
    '<tr data-testid="docket-row" data-status="{}" data-hearing="{}"{}>'
    '<td class="mpp-nowrap">{}</td>'
    '<th scope="row"><a class="usa-link" href="{}">{}</a></th>'
    '<td class="mpp-a-number">{}</td>'
    "<td>{}</td>"
    '<td data-testid="interpreter">{}</td>'
    '<td data-testid="counsel">{}</td>'
    '<td data-testid="attendance">{}</td>'
    "<td>{}</td>"
    '<td class="mpp-nowrap">{}</td>'
    "</tr>"
)
_POST = (
    '<form method="post" action="{}" class="display-inline-block margin-right-1">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<input type="hidden" name="reason" value="{}">'
    '<input type="hidden" name="next" value="{}">'
    '<button type="submit" class="usa-button usa-button--small usa-button--outline margin-0" data-testid="{}">{}'
    '<span class="usa-sr-only"> — {}</span></button></form>'
)
_LINK = '<a class="usa-link margin-right-1" href="{}" data-testid="{}">{}<span class="usa-sr-only"> — {}</span></a>'
_MUTED = '<span class="usa-tag mpp-tag mpp-tag--muted">{}</span>'
# O1: a hearing closed for the person's sensitive matters is marked so; the reason is not shown on the docket.
_CLOSED = SafeString(
    ' <span class="usa-tag mpp-tag" data-testid="closed-to-public">Closed to the public</span>'
)
_SUPERSEDED_ROW = SafeString(' class="mpp-superseded"')


def _attendance_words(row: DocketRow) -> str:
    if not row.has_attendance:
        return "—"
    if row.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR:
        return "Failed to appear"
    steps = []
    if row.checked_in_at:
        steps.append("checked in")
    if row.transported_at:
        steps.append("transported")
    if row.appearance == HearingAttendance.Appearance.ATTENDED:
        steps.append("attended")
    if row.returned_at:
        steps.append("returned to Mexico")
    return ", ".join(steps).capitalize() or "—"


def _interpreter_words(row: DocketRow) -> str:
    if row.interpretation is None:  # no NTA
        return "—"
    if row.interpretation == NoticeToAppear.Interpretation.NONE:
        return "None needed"
    mode = "in person" if row.interpretation == NoticeToAppear.Interpretation.IN_PERSON else "telephonic"
    return f"{row.interpreter_language or ''} ({mode})"


@register.simple_tag
def court_docket_rows(
    rows: Iterable[DocketRow],
    place: HearingLocation,
    places: dict[int, HearingLocation],
    may_act: bool,
    csrf_token: str,
    back: str,
) -> SafeString:
    """The ``<tr>`` of each hearing (``hearings.court_selectors.docket_rows``)."""
    case_url = url_of("hearings:case-hearings")
    held_url = url_of("hearings:hearing-held")
    fta_url = url_of("hearings:hearing-fta")
    move_url = url_of("hearings:hearing-move")
    decision_url = url_of("hearings:hearing-decision")
    close_url = url_of("hearings:hearing-close")
    docket_url = reverse("hearings:docket")
    today = timezone.localdate(timezone.now(), place.zone)
    out = []
    for hearing in rows:
        name = hearing.name
        status: object
        if hearing.status == Hearing.Status.SCHEDULED:
            status = hearing.kind_label
        elif hearing.status == Hearing.Status.HELD:
            label = Completion.Decision(hearing.decision).label if hearing.decision else ""
            status = format_row(_MUTED + " {}", "Held", label)
        else:
            moved = "Moved (rescheduled)" if hearing.status == Hearing.Status.RESCHEDULED else "Continued"
            if hearing.replaced_by_starts_at is not None and hearing.replaced_by_location_id is not None:
                new_place = places.get(hearing.replaced_by_location_id, place)
                day = timezone.localdate(hearing.replaced_by_starts_at, new_place.zone).isoformat()
                link = f"{docket_url}?{urlencode({'place': hearing.replaced_by_location_id, 'day': day})}"
                status = format_row(
                    _MUTED + ' to <a class="usa-link" href="{}">{}</a>',
                    moved,
                    link,
                    zone_words(hearing.replaced_by_starts_at, new_place.time_zone),
                )
            else:
                status = format_row(_MUTED, moved)
        actions: list[str] = []
        come = timezone.localdate(hearing.starts_at, place.zone) <= today
        if may_act and hearing.status == Hearing.Status.SCHEDULED:
            appearance = hearing.appearance or ""
            if come and not appearance:
                actions.append(
                    format_row(
                        _POST,
                        held_url(hearing.pk),
                        csrf_token,
                        "Hearing held (recorded from the docket)",
                        back,
                        "held",
                        "Held",
                        name,
                    )
                )
                if not hearing.checked_in_at:
                    actions.append(
                        format_row(
                            _POST,
                            fta_url(hearing.pk),
                            csrf_token,
                            "Failure to appear (recorded from the docket)",
                            back,
                            "fta",
                            "Failure to appear",
                            name,
                        )
                    )
            actions.append(
                format_row(_LINK, f"{move_url(hearing.pk)}?mode=continued", "continue", "Continue", name)
            )
            if come:
                actions.append(format_row(_LINK, decision_url(hearing.pk), "decide", "Record decision", name))
        if may_act:
            # O1: court staff close a hearing to the public, or open it again, on the hearing's close page.
            words = "Open to the public" if hearing.closed_to_public else "Close to the public"
            actions.append(format_row(_LINK, close_url(hearing.pk), "close", words, name))
        if hearing.closed_to_public:
            status = format_row("{}{}", status, _CLOSED)
        out.append(
            format_row(
                _ROW,
                hearing.status,
                hearing.pk,
                "" if hearing.status in (Hearing.Status.SCHEDULED, Hearing.Status.HELD) else _SUPERSEDED_ROW,
                zone_words(hearing.starts_at, place.time_zone),
                case_url(hearing.case_id),
                name,
                hearing.a_number or "—",
                hearing.language or "—",
                _interpreter_words(hearing),
                hearing.counsel_name or "None of record",
                _attendance_words(hearing),
                status,
                SafeString("".join(actions)),  # each part came from format_row
            )
        )
    return SafeString("\n".join(out))  # each part came from format_row
