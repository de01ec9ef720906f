from django.urls import path

from audit import views as pages

app_name = "manager"

urlpatterns = [
    path("", pages.manager_home, name="home"),
    path("audit/", pages.audit_log, name="audit"),
    path("audit/export.csv", pages.audit_export, name="audit-export"),
    path("break-glass/", pages.break_glass_list, name="break-glass"),
    path("break-glass/<int:event_id>/review/", pages.break_glass_mark_reviewed,
         name="break-glass-review"),
]
