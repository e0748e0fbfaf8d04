from django.urls import path

from screenings import views

app_name = "screenings"

urlpatterns = [
    # Intake: drafts, the encounter, the family member by member, then "Create cases".
    path("intake/", views.intake_list, name="intake-list"),
    path("intake/duplicates/", views.intake_duplicates, name="intake-duplicates"),
    path("intake/<int:pk>/", views.intake_draft, name="intake-draft"),
    path("intake/<int:pk>/encounter/", views.intake_encounter_save, name="intake-encounter"),
    path("intake/<int:pk>/members/", views.intake_member_save, name="intake-member-save"),
    path(
        "intake/<int:pk>/members/<int:index>/remove/", views.intake_member_remove, name="intake-member-remove"
    ),
    path(
        "intake/<int:pk>/members/<int:index>/candidates/<int:candidate_id>/",
        views.intake_duplicate_resolve,
        name="intake-duplicate-resolve",
    ),
    path("intake/<int:pk>/submit/", views.intake_submit, name="intake-submit"),
    path("intake/<int:pk>/abandon/", views.intake_abandon, name="intake-abandon"),
    # The family's screening and its submission for review (A3).
    path("families/<int:encounter_id>/screening/", views.family_screening, name="family-screening"),
    path("families/<int:encounter_id>/screening/<int:case_id>/", views.screening_save, name="screening-save"),
    path("families/<int:encounter_id>/submit/", views.family_submit, name="family-submit"),
    # The supervisor's review.
    path("reviews/", views.review_queue, name="review-queue"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review-decide"),
    path("reviews/<int:pk>/return/", views.review_return, name="review-return"),
]
