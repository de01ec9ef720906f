from django.urls import path

from community import views as pages

app_name = "community"

urlpatterns = [
    path("", pages.directory, name="directory"),
    path("resources/new/", pages.resource_edit, name="resource-new"),
    path("resources/<int:pk>/", pages.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", pages.resource_edit, name="resource-edit"),
    path("resources/<int:pk>/checked/", pages.resource_checked, name="resource-checked"),
    path("import/", pages.directory_import_page, name="import"),
    path("stale/", pages.stale_list, name="stale"),
    path("referrals/new/", pages.referral_new, name="referral-new"),
    path("referrals/<int:pk>/", pages.referral_detail, name="referral"),
    path("referrals/<int:pk>/declined/", pages.referral_declined, name="referral-declined"),
    path("caseload/", pages.caseload, name="caseload"),
    path("follow-ups/", pages.follow_ups, name="follow-ups"),
    path("follow-ups/<int:pk>/", pages.follow_up_outcome, name="follow-up"),
    path("report/", pages.report, name="report"),
]
