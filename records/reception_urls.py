from django.urls import path

from records.views import reception

urlpatterns = [
    path("patients/", reception.patient_search_page, name="reception-patient-search"),
    path("patients/<int:patient_id>/", reception.patient_page, name="reception-patient"),
]
