from django.urls import path

from records import api as views

_entry = "patients/<int:patient_id>/entries/<str:entry_type>/<int:entry_id>/"

urlpatterns = [
    path(
        "patients/<int:patient_id>/record/",
        views.PatientRecordView.as_view(),
        name="patient-record",
    ),
    path(
        "patients/<int:patient_id>/consultations/",
        views.ConsultationsView.as_view(),
        name="patient-consultations",
    ),
    path(
        "patients/<int:patient_id>/problems/",
        views.ProblemsView.as_view(),
        name="patient-problems",
    ),
    path(
        "patients/<int:patient_id>/medications/",
        views.MedicationsView.as_view(),
        name="patient-medications",
    ),
    path(
        "patients/<int:patient_id>/allergies/",
        views.AllergiesView.as_view(),
        name="patient-allergies",
    ),
    path(
        "patients/<int:patient_id>/observations/",
        views.ObservationsView.as_view(),
        name="patient-observations",
    ),
    path(_entry, views.EntryHistoryView.as_view(), name="entry-history"),
    path(_entry + "amend/", views.EntryAmendView.as_view(), name="entry-amend"),
    path(
        _entry + "entered-in-error/",
        views.EntryEnteredInErrorView.as_view(),
        name="entry-entered-in-error",
    ),
    path(
        "patients/<int:patient_id>/break-glass/",
        views.BreakGlassView.as_view(),
        name="patient-break-glass",
    ),
]
