"""URLs of the registry API, included at ``/api/v1/`` by ``mpp.urls``.

Also the OpenAPI schema and its documentation pages. ``mpp.urls`` lists them after this module, so these
entries are the ones that answer: they admit any signed-in user (token or session) and nobody anonymous.
The schema carries no personal data, but it maps every field of the personal records and the role table of
a law-enforcement system, and integrators have tokens anyway. drf-spectacular's own default would serve it
to anyone (SERVE_PERMISSIONS = AllowAny); the choice is made here, explicitly.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from cases.api import ero, views

# SimpleRouter: no browsable root view (it would be one more endpoint to admit roles to); the docs page
# lists the endpoints.
router = SimpleRouter(use_regex_path=False)  # path converters: ids are <int:pk>
router.register("aliens", views.AlienViewSet, basename="aliens")
router.register("family-units", views.FamilyUnitViewSet, basename="family-units")
router.register("encounters", views.EncounterViewSet, basename="encounters")
router.register("cases", views.CaseViewSet, basename="cases")
router.register("custody-referrals", views.CustodyReferralViewSet, basename="custody-referrals")
router.register("ero-handoffs", ero.EroHandoffViewSet, basename="ero-handoffs")  # H4

signed_in = [IsAuthenticated]

urlpatterns = [
    *router.urls,
    # S4: a person's ICE custody determinations; F4's exception to a hold's family block.
    path(
        "cases/<int:case_id>/custody-determinations/",
        views.CaseCustodyDeterminationsView.as_view(),
        name="case-custody-determinations",
    ),
    path("holds/<int:hold_id>/exemptions/", views.HoldExemptionsView.as_view(), name="hold-exemptions"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=signed_in), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-v1:schema", permission_classes=signed_in),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api-v1:schema", permission_classes=signed_in),
        name="redoc",
    ),
]
