from django.urls import path

from terminology import views

app_name = "terminology"

urlpatterns = [
    path("options/", views.term_options, name="options"),
]
