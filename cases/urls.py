from django.urls import path

from cases import custody_views, views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("cases/<int:pk>/", views.case_detail_page, name="detail"),
    path("cases/<int:pk>/holds/", views.hold_open_page, name="hold-open"),
    path("cases/<int:pk>/a-number/", views.alien_a_number_page, name="a-number"),
    path("cases/<int:pk>/holds/<int:hold_id>/release/", views.hold_release_page, name="hold-release"),
    # ICE custody (S4, F6): the queue, and a person's custody page (determinations and history).
    path("cases/custody/", custody_views.custody_queue_page, name="custody-queue"),
    path("cases/<int:pk>/custody/", custody_views.custody_case_page, name="custody"),
    # H4: ICE records the hand-off to ERO from the queue's "Final orders" tab.
    path(
        "cases/ero-handoffs/<int:pk>/record/",
        custody_views.ero_handoff_record_page,
        name="ero-handoff-record",
    ),
]
