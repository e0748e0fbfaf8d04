"""Root URLs. Domain apps are included by dotted string so ``mpp`` imports no domain code."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mpp import health
from mpp.outbox import views as outbox_views

admin.site.site_header = "MPP case management — administration"

api_v1 = [
    path("", include("cases.api.urls")),
    path("", include("screenings.api.urls")),
    path("", include("hearings.api.urls")),
    path("", include("metrics.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", health.healthz, name="healthz"),
    path("notifications/", outbox_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read", outbox_views.notification_read, name="notification-read"),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("screenings/", include("screenings.urls")),
    path("hearings/", include("hearings.urls")),
    path("metrics/", include("metrics.urls")),
    path("", include("cases.urls")),
]

handler404 = "mpp.errors.page_not_found"
