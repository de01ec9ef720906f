from django.urls import path

from community import api

urlpatterns = [
    path("resources/", api.ResourceList.as_view(), name="community-api-resources"),
    path("resources/export/", api.DirectoryExport.as_view(), name="community-api-export"),
    path("resources/import/", api.DirectoryImport.as_view(), name="community-api-import"),
    path("resources/<int:pk>/", api.ResourceDetail.as_view(), name="community-api-resource"),
    path("referrals/", api.ReferralListCreate.as_view(), name="community-api-referrals"),
    path("referrals/<int:pk>/decline/", api.ReferralDecline.as_view(),
         name="community-api-referral-decline"),
    path("follow-ups/", api.FollowUpList.as_view(), name="community-api-follow-ups"),
    path("follow-ups/<int:pk>/outcome/", api.FollowUpOutcome.as_view(),
         name="community-api-follow-up-outcome"),
    path("care-team/", api.CareTeam.as_view(), name="community-api-care-team"),
    path("report/", api.OutcomesReport.as_view(), name="community-api-report"),
]
