"""URLs of the metrics API, included at ``/api/v1/`` by ``mpp.urls``."""

from django.urls import path

from metrics.api import views

urlpatterns = [
    path("metrics/m1/", views.M1View.as_view(), name="metrics-m1"),
    path("metrics/m2/", views.M2View.as_view(), name="metrics-m2"),
    path("metrics/m3/", views.M3View.as_view(), name="metrics-m3"),
]
