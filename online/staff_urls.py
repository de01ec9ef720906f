from django.urls import path

from online import staff_views

urlpatterns = [
    path("<int:patient_id>/registration-letter/", staff_views.registration_letter,
         name="staff-patient-registration-letter"),
    path("<int:patient_id>/proxy-access/", staff_views.proxy_access,
         name="staff-patient-proxy-access"),
    path("<int:patient_id>/proxy-access/<int:grant_id>/revoke/",
         staff_views.proxy_access_revoke, name="staff-patient-proxy-access-revoke"),
]
