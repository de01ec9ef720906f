from django.urls import path

from patients import api

urlpatterns = [
    path("patients/", api.PatientSearchView.as_view(), name="patient-search"),
    path("patients/<int:patient_id>/", api.PatientDetailView.as_view(), name="patient-detail"),
]
