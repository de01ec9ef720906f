from django.urls import path

from terminology import api

urlpatterns = [
    path("concepts/", api.ConceptSearchView.as_view(), name="terminology-concepts"),
]
