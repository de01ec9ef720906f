from django.urls import path

from audit import api

urlpatterns = [
    path("audit/", api.AuditListView.as_view(), name="audit-list"),
    path("audit/export.csv", api.AuditExportView.as_view(), name="audit-export"),
    path("audit/<int:event_id>/review/", api.BreakGlassReviewView.as_view(), name="audit-review"),
]
