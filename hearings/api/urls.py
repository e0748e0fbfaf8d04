"""URLs of the hearings API, included at ``/api/v1/`` by ``mpp.urls`` (namespace ``api-v1``).

``cases/<case_id>/addresses/`` and ``families/<encounter_id>/nta/`` sit beside the registry's and the
screening API's paths without colliding: every router here and there uses path converters, so an action
name is never read as an id.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from hearings.api import court, observers, port, views

router = SimpleRouter(use_regex_path=False)  # path converters: ids are <int:pk>
router.register("hearing-locations", views.HearingLocationViewSet, basename="hearing-locations")
router.register("hearing-slots", views.HearingSlotViewSet, basename="hearing-slots")
router.register("hearings", views.HearingViewSet, basename="hearings")
router.register("ntas", views.NtaViewSet, basename="ntas")
router.register("tear-sheets", views.TearSheetViewSet, basename="tear-sheets")
router.register("print-queue", views.PrintQueueViewSet, basename="print-queue")
router.register("print-batches", views.PrintBatchViewSet, basename="print-batches")
router.register("observer-requests", observers.ObserverRequestViewSet, basename="observer-requests")  # O1/O2

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/<int:encounter_id>/nta/", views.FamilyNtaView.as_view(), name="family-nta"),
    path("cases/<int:case_id>/addresses/", views.CaseAddressesView.as_view(), name="case-addresses"),
    # H1: the hearing day at the port (hearings.api.port).
    path("arrivals/", port.ArrivalsView.as_view(), name="arrivals"),
    path("arrivals/scan/", port.ScanView.as_view(), name="arrivals-scan"),
    path("hearing-day/check-in/", port.CheckInView.as_view(), name="hearing-day-check-in"),
    path("hearing-day/transported/", port.TransportedView.as_view(), name="hearing-day-transported"),
    path(
        "hearing-day/failed-to-appear/",
        port.FailedToAppearView.as_view(),
        name="hearing-day-failed-to-appear",
    ),
    path("hearing-day/appearance/", port.AppearanceView.as_view(), name="hearing-day-appearance"),
    path("hearing-day/overnight-in/", port.OvernightInView.as_view(), name="hearing-day-overnight-in"),
    path("hearing-day/overnight-out/", port.OvernightOutView.as_view(), name="hearing-day-overnight-out"),
    path("hearing-day/return-to-mexico/", port.ReturnView.as_view(), name="hearing-day-return-to-mexico"),
    # In court, H2–H5 (hearings.api.court): before the router, so "hearings/held/" is not a hearing's id.
    path("docket/", court.DocketView.as_view(), name="court-docket"),
    path("hearings/held/", court.HearingHeldView.as_view(), name="hearings-held"),
    path("hearings/failure-to-appear/", court.HearingFailureToAppearView.as_view(), name="hearings-fta"),
    path(
        "cases/<int:case_id>/hearings/schedule/",
        court.CaseHearingScheduleView.as_view(),
        name="case-schedule",
    ),
    path(
        "cases/<int:case_id>/representations/",
        court.CaseRepresentationsView.as_view(),
        name="case-representations",
    ),
    path("representations/<int:pk>/end/", court.RepresentationEndView.as_view(), name="representation-end"),
    path("cases/<int:case_id>/completions/", court.CaseCompletionsView.as_view(), name="case-completions"),
    path("completions/<int:pk>/appeal/", court.CompletionAppealView.as_view(), name="completion-appeal"),
    path("cases/<int:case_id>/reopenings/", court.CaseReopeningsView.as_view(), name="case-reopenings"),
    # O1: a hearing closed to the public, or open again (hearings.api.observers).
    path(
        "hearings/<int:hearing_id>/close-to-public/",
        observers.HearingCloseView.as_view(),
        name="hearing-close-to-public",
    ),
    path(
        "hearings/<int:hearing_id>/open-to-public/",
        observers.HearingOpenView.as_view(),
        name="hearing-open-to-public",
    ),
    *router.urls,
]
