"""URLs of the hearings API, included at ``/api/v1/`` by ``mpp.urls`` (namespace ``api-v1``).

``cases/<case_id>/addresses/`` and ``families/<encounter_id>/nta/`` sit beside the registry's and the
screening API's paths without colliding: every router here and there uses path converters, so an action
name is never read as an id.
"""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from hearings.api import views

router = SimpleRouter(use_regex_path=False)  # path converters: ids are <int:pk>
router.register("hearing-locations", views.HearingLocationViewSet, basename="hearing-locations")
router.register("hearing-slots", views.HearingSlotViewSet, basename="hearing-slots")
router.register("hearings", views.HearingViewSet, basename="hearings")
router.register("ntas", views.NtaViewSet, basename="ntas")
router.register("tear-sheets", views.TearSheetViewSet, basename="tear-sheets")
router.register("print-queue", views.PrintQueueViewSet, basename="print-queue")
router.register("print-batches", views.PrintBatchViewSet, basename="print-batches")

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/<int:encounter_id>/nta/", views.FamilyNtaView.as_view(), name="family-nta"),
    path("cases/<int:case_id>/addresses/", views.CaseAddressesView.as_view(), name="case-addresses"),
    *router.urls,
]
