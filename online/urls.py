from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from online.forms import PatientPasswordResetForm
from online.views import account as views
from online.views import booking as online_views
from online.views import staff as staff_views

# Patient pages show no staff menu and link the header to the patient home.
PATIENT_PAGE = {"nav_items": [], "service_home_url": reverse_lazy("patient-home")}

patient_patterns = [
    path("", views.home, name="patient-home"),
    path("register/", views.register, name="patient-register"),
    path("sign-in/", views.sign_in, name="patient-sign-in"),
    path("sign-in/code/", views.sign_in_code, name="patient-sign-in-code"),
    path("sign-out/", views.sign_out, name="patient-sign-out"),
    path("acting-for/", views.acting_for, name="patient-acting-for"),
    path("preferences/", views.preferences, name="patient-preferences"),
    path("security/", views.security, name="patient-security"),
    path(
        "password-reset/",
        views.PatientPasswordResetView.as_view(
            form_class=PatientPasswordResetForm,
            template_name="patients/password_reset_form.html",
            email_template_name="patients/email/password_reset.txt",
            subject_template_name="patients/email/password_reset_subject.txt",
            success_url=reverse_lazy("patient-password-reset-sent"),
            extra_context=PATIENT_PAGE,
        ),
        name="patient-password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="patients/password_reset_sent.html", extra_context=PATIENT_PAGE
        ),
        name="patient-password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="patients/password_reset_confirm.html",
            success_url=reverse_lazy("patient-password-reset-complete"),
            extra_context=PATIENT_PAGE,
        ),
        name="patient-password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="patients/password_reset_complete.html",
            extra_context=PATIENT_PAGE,
        ),
        name="patient-password-reset-complete",
    ),
    path("book/", online_views.book, name="patient-book"),
    path("book/<int:slot_id>/", online_views.book_slot, name="patient-book-slot"),
    path("appointments/", online_views.appointments, name="patient-appointments"),
    path("appointments/<int:appointment_id>/cancel/", online_views.cancel,
         name="patient-appointment-cancel"),
    path("record/", online_views.record, name="patient-record"),
    path("record/access-log/", online_views.record_access_log,
         name="patient-record-access-log"),
]

# Staff pages about a patient's online access (letters, proxies).
staff_patterns = [
    path("<int:patient_id>/registration-letter/", staff_views.registration_letter,
         name="staff-patient-registration-letter"),
    path("<int:patient_id>/proxy-access/", staff_views.proxy_access,
         name="staff-patient-proxy-access"),
    path("<int:patient_id>/proxy-access/<int:grant_id>/revoke/",
         staff_views.proxy_access_revoke, name="staff-patient-proxy-access-revoke"),
]

urlpatterns = [
    path("patient/", include(patient_patterns)),
    path("staff/patients/", include(staff_patterns)),
]
