from django.urls import path

from appointments.views import reception

urlpatterns = [
    path("book/", reception.day_book, name="reception-book"),
    path("slots/<int:slot_id>/book/", reception.slot_book, name="reception-slot-book"),
    path("next-available/", reception.next_available, name="reception-next-available"),
    path("appointments/<int:pk>/", reception.appointment_detail, name="reception-appointment"),
    path("appointments/<int:pk>/move/<int:slot_id>/", reception.appointment_move,
         name="reception-appointment-move"),
]
