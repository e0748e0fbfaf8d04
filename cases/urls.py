from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("cases/<int:pk>/", views.case_detail_page, name="detail"),
    path("cases/<int:pk>/transition/", views.case_transition_page, name="transition"),
]
