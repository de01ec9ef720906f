from django.urls import path

from appointments import api

urlpatterns = [
    path("sites/", api.SiteList.as_view(), name="api-sites"),
    path("appointment-types/", api.AppointmentTypeList.as_view(), name="api-appointment-types"),
    path("staff/", api.StaffList.as_view(), name="api-staff"),
    path("slots/", api.SlotList.as_view(), name="api-slots"),
    path("appointments/", api.AppointmentListCreate.as_view(), name="api-appointments"),
    path("appointments/<int:pk>/", api.AppointmentDetail.as_view(), name="api-appointment"),
    path("appointments/<int:pk>/cancel/", api.AppointmentCancel.as_view(), name="api-cancel"),
    path(
        "appointments/<int:pk>/reschedule/",
        api.AppointmentReschedule.as_view(),
        name="api-reschedule",
    ),
    path("appointments/<int:pk>/note/", api.AppointmentNote.as_view(), name="api-note"),
    path("appointments/<int:pk>/arrive/", api.AppointmentArrive.as_view(), name="api-arrive"),
    path("appointments/<int:pk>/start/", api.AppointmentStart.as_view(), name="api-start"),
    path("appointments/<int:pk>/finish/", api.AppointmentFinish.as_view(), name="api-finish"),
    path("appointments/<int:pk>/dna/", api.AppointmentDna.as_view(), name="api-dna"),
]
