from django.urls import path

from screenings import views

app_name = "screenings"

urlpatterns = [
    path("intake/", views.intake_list, name="intake-list"),
    path("intake/<int:pk>/", views.intake_draft, name="intake-draft"),
    path("families/<int:encounter_id>/screening/", views.family_screening, name="family-screening"),
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
]
