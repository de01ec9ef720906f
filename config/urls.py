from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# The appointment book and the patient API first: every request walks the list in order
# until a pattern matches, and these answer the 8am rush.
api_v1: list = [
    path("", include("appointments.urls")),
    path("", include("online.api_urls")),
    path("", include("patients.api_urls")),
    path("", include("records.api.urls")),
    path("", include("audit.api")),
]
api_v1 += [path("community/", include("community.api_urls"))]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include("staff.urls")),
    path("patient/", include("online.urls")),
    path("staff/patients/", include("online.staff_urls")),
    path("admin/", admin.site.urls),
    path("community/", include("community.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# Reception pages: the day book and booking (appointments), patient search and registration.
urlpatterns += [
    path("reception/", include("appointments.reception_urls")),
    path("reception/", include("patients.urls")),
]
# Clinician and practice manager pages.
urlpatterns += [
    path("clinical/", include("records.page_urls")),
    path("manager/", include("audit.page_urls")),
]
