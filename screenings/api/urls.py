"""URLs of the intake and amenability API, included at ``/api/v1/`` by ``mpp.urls``.

``aliens/duplicates/`` sits beside the registry's ``aliens/<int:pk>/`` without colliding: the registry router
uses path converters, so ``duplicates`` is never read as an id (tests/screenings/test_api.py checks that the
path resolves here whatever the include order).
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from screenings.api import fear_views, views

router = SimpleRouter(use_regex_path=False)  # path converters: ids are <int:pk>
router.register("amenability-reviews", views.AmenabilityReviewViewSet, basename="amenability-reviews")
router.register("fear-claims", fear_views.FearClaimViewSet, basename="fear-claims")

urlpatterns = [
    path("intakes/", views.IntakeView.as_view(), name="intakes"),
    path("aliens/duplicates/", views.AlienDuplicatesView.as_view(), name="alien-duplicates"),
    path("cases/<int:case_id>/screening/", views.CaseScreeningView.as_view(), name="case-screening"),
    path("families/<int:encounter_id>/proposal/", views.FamilyProposalView.as_view(), name="family-proposal"),
    path(
        "families/<int:encounter_id>/submit-for-review/",
        views.FamilySubmitView.as_view(),
        name="family-submit-for-review",
    ),
    *router.urls,
]
