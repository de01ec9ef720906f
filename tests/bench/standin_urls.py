from django.urls import include, path

from tests.bench import standin

urlpatterns = [
    path("api/v1/slots/", standin.slots),
    path("api/v1/appointments/", standin.appointments),
    path("", include("bench.urls")),
]
