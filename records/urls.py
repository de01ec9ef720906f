from django.urls import path

from appointments.views import clinician
from records import views as pages

app_name = "clinical"

urlpatterns = [
    path("my-list/", clinician.my_list, name="my-list"),
    path("appointments/<int:pk>/call-in/", clinician.call_in, name="call-in"),
    path("appointments/<int:pk>/consultation/", clinician.consultation, name="consultation"),
    path("appointments/<int:pk>/entries/<str:entry_type>/", clinician.add_entry,
         name="add-entry"),
    path("appointments/<int:pk>/finish/", clinician.finish, name="finish"),
    path("patients/<int:pk>/", pages.patient_record, name="patient"),
    path("patients/<int:pk>/break-glass/", pages.break_glass, name="break-glass"),
    path("patients/<int:pk>/consultation/<int:entry_id>/amend/", pages.consultation_amend,
         name="consultation-amend"),
    path("patients/<int:pk>/<str:entry_type>/<int:entry_id>/history/", pages.entry_versions,
         name="entry-history"),
    path("patients/<int:pk>/<str:entry_type>/<int:entry_id>/entered-in-error/",
         pages.entry_entered_in_error, name="entered-in-error"),
]
