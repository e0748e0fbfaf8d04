"""CBP's hearing day at the reporting port (``hearings.port_views``, H1)."""

from django.urls import URLPattern, path

from hearings import port_views

urlpatterns: list[URLPattern] = [
    path("port/arrivals/", port_views.arrivals, name="port-arrivals"),
    path("port/arrivals/steps/", port_views.arrivals_action, name="port-action"),
    path("port/manifest/", port_views.manifest, name="port-manifest"),
    path("port/cases/<int:case_id>/", port_views.port_case, name="port-case"),
]
