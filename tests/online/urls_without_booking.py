"""The real URLconf without the booking and record pages, to check the home page shows only
cards for pages that exist."""

from django.urls import include, path

from online import urls as patient_urls

HIDDEN = {"patient-book", "patient-book-slot", "patient-appointments",
          "patient-appointment-cancel", "patient-record", "patient-record-access-log"}

urlpatterns = [
    path("patient/", include([p for p in patient_urls.patient_patterns
                              if getattr(p, "name", None) not in HIDDEN])),
]
