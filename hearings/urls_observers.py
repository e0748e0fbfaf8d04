"""The observers' and press log at the immigration hearing facilities, and closing a hearing to the public
(``hearings.observer_views``, O1, O2)."""

from django.urls import URLPattern, path

from hearings import observer_views

urlpatterns: list[URLPattern] = [
    path("observers/", observer_views.observers_page, name="observers"),
    path("observers/record/", observer_views.observer_record, name="observer-record"),
    path("observers/<int:pk>/decide/", observer_views.observer_decide, name="observer-decide"),
    path("hearings/<int:pk>/close/", observer_views.hearing_close_page, name="hearing-close"),
]
