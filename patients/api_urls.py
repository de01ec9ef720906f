from django.urls import path

from patients import api

urlpatterns = [
    path("me/", api.Me.as_view(), name="api-me"),
    path("me/preferences/", api.MePreferences.as_view(), name="api-me-preferences"),
]
