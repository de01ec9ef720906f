from django.urls import path

from signin import api

urlpatterns = [
    path("auth/token/", api.TokenCreate.as_view(), name="api-token"),
    path("auth/sign-out/", api.SignOut.as_view(), name="api-sign-out"),
    path("me/sessions/", api.MeSessions.as_view(), name="api-me-sessions"),
    path("me/sessions/<int:pk>/", api.MeSessionEnd.as_view(), name="api-me-session"),
    path("me/token/", api.MeToken.as_view(), name="api-me-token"),
]
