"""Officers' and court staff's pages (``hearings.views``); the print staff's are in ``urls_print``."""

from django.urls import URLPattern, path

from hearings import court_views, views

urlpatterns: list[URLPattern] = [
    path("families/<int:encounter_id>/nta/", views.family_nta, name="family-nta"),
    path("slots/", views.slots, name="slots"),
    path("filing/", views.filing_queue, name="filing-queue"),
    path("docket/", court_views.docket, name="docket"),
    path("hearings/<int:hearing_id>/held/", court_views.hearing_held, name="hearing-held"),
    path(
        "hearings/<int:hearing_id>/failure-to-appear/",
        court_views.hearing_failure_to_appear,
        name="hearing-fta",
    ),
    path("hearings/<int:hearing_id>/decision/", court_views.hearing_decision, name="hearing-decision"),
    path("cases/<int:case_id>/counsel/", court_views.counsel_record, name="counsel-record"),
    path(
        "cases/<int:case_id>/counsel/<int:representation_id>/end/",
        court_views.counsel_end,
        name="counsel-end",
    ),
    path("cases/<int:case_id>/decisions/<int:completion_id>/appeal/", court_views.appeal, name="appeal"),
    path("cases/<int:case_id>/reopen/", court_views.reopen, name="reopen"),
    path("cases/<int:case_id>/schedule/", court_views.schedule, name="schedule"),
    path("hearings/<int:hearing_id>/move/", views.hearing_move, name="hearing-move"),
    path("cases/<int:case_id>/", views.case_hearings, name="case-hearings"),
    path("cases/<int:case_id>/address/", views.address_change, name="address-change"),
]
