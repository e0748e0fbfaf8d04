"""URLs of the metrics API, included at ``/api/v1/`` by ``mpp.urls``."""

from django.urls import path

from metrics.api import views

urlpatterns = [
    path("metrics/m2/", views.M2View.as_view(), name="metrics-m2"),
]
