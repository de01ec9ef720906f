"""The application's URLs plus the bare views that exist only when the bench serves the app."""

from django.urls import include, path

from tools.bench import views

urlpatterns = [
    path("bench/ceiling/<int:slot_id>/", views.ceiling, name="bench-ceiling"),
    path("bench/ceiling-api/<int:slot_id>/", views.CeilingApi.as_view(), name="bench-ceiling-api"),
    path("bench/health/", views.health, name="bench-health"),
    path("", include("config.urls")),
]
