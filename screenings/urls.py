from django.urls import path

from screenings import fear_views, views

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
    # Fear claims (S1-S4, F4): a case's claims (the case page loads them in place), recording one, F4's
    # exception; the asylum office's queue and the claim page (interview, assessment, review).
    path("cases/<int:case_id>/fear/", fear_views.case_fear, name="case-fear"),
    path("cases/<int:case_id>/fear/record/", fear_views.fear_claim_record_page, name="fear-claim-record"),
    path(
        "cases/<int:case_id>/fear/separate/<int:hold_id>/",
        fear_views.fear_member_separate,
        name="fear-member-separate",
    ),
    path("fear/", fear_views.fear_queue, name="fear-queue"),
    path("fear/<int:claim_id>/", fear_views.fear_claim_page, name="fear-claim"),
    path(
        "fear/<int:claim_id>/interview/",
        fear_views.fear_interview_schedule_page,
        name="fear-interview-schedule",
    ),
    path(
        "fear/<int:claim_id>/assessment/",
        fear_views.fear_assessment_submit_page,
        name="fear-assessment-submit",
    ),
    path(
        "fear/<int:claim_id>/review/", fear_views.fear_assessment_review_page, name="fear-assessment-review"
    ),
]
