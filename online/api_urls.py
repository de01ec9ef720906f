from django.urls import path

from online.api import account as api
from online.api import me as online_api

urlpatterns = [
    path("me/", api.Me.as_view(), name="api-me"),
    path("me/preferences/", api.MePreferences.as_view(), name="api-me-preferences"),
    path("me/appointments/", online_api.MeAppointments.as_view(), name="api-me-appointments"),
    path("me/appointments/<int:pk>/cancel/", online_api.MeAppointmentCancel.as_view(),
         name="api-me-appointment-cancel"),
    path("me/slots/", online_api.MeSlots.as_view(), name="api-me-slots"),
    path("me/record/", online_api.MeRecord.as_view(), name="api-me-record"),
    path("me/access-log/", online_api.MeAccessLog.as_view(), name="api-me-access-log"),
]
