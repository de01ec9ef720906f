"""The real URLconf plus a stand-in booking page, to check the home page picks it up."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as real

urlpatterns = [
    path("patient/book/", lambda request: HttpResponse("book"), name="patient-book"),
    *real,
]
