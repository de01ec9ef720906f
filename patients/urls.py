from django.urls import path

from patients import views as reception

urlpatterns = [
    path("patients/", reception.patient_search_page, name="reception-patient-search"),
    path("patients/<int:patient_id>/", reception.patient_page, name="reception-patient"),
    path("patients/new/", reception.patient_register_page, name="reception-patient-register"),
    path("patients/<int:patient_id>/edit/", reception.patient_edit_page,
         name="reception-patient-edit"),
    path("patients/validate/", reception.patient_validate_field,
         name="reception-patient-validate"),
]
