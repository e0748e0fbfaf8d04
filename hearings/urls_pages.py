"""Officers' and court staff's pages (``hearings.views``); the print staff's are in ``urls_print``."""

from django.urls import URLPattern, path

from hearings import views

urlpatterns: list[URLPattern] = [
    path("families/<int:encounter_id>/nta/", views.family_nta, name="family-nta"),
    path("slots/", views.slots, name="slots"),
    path("filing/", views.filing_queue, name="filing-queue"),
    path("docket/", views.docket, name="docket"),
    path("hearings/<int:hearing_id>/move/", views.hearing_move, name="hearing-move"),
    path("cases/<int:case_id>/", views.case_hearings, name="case-hearings"),
    path("cases/<int:case_id>/address/", views.address_change, name="address-change"),
]
