from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The appointment book and the patient API first: every request walks the list in order
# until a pattern matches, and these answer the 8am rush.
api_v1: list = [
    path("", include("appointments.api_urls")),
    path("", include("signin.api_urls")),
    path("", include("online.api_urls")),
    path("", include("patients.api_urls")),
    path("", include("records.api_urls")),
    path("", include("audit.api_urls")),
]
api_v1 += [path("community/", include("community.api_urls"))]
api_v1 += [path("terminology/", include("terminology.api_urls"))]

# The API docs page (no patient data) loads Swagger UI from its CDN; only it may.
_SWAGGER_CDN = "https://cdn.jsdelivr.net"
_SWAGGER_CSP = csp_update({"script-src": [_SWAGGER_CDN], "style-src": [_SWAGGER_CDN],
                           "img-src": [_SWAGGER_CDN]})

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include("staff.urls")),
    path("", include("signin.urls")),
    path("", include("online.urls")),
    path("admin/", admin.site.urls),
    path("community/", include("community.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", _SWAGGER_CSP(SpectacularSwaggerSplitView.as_view(url_name="schema")),
         name="api-docs"),
]

# Reception pages: the day book and booking (appointments), patient search and registration.
urlpatterns += [
    path("reception/", include("appointments.urls")),
    path("reception/", include("patients.urls")),
]
# Clinician and practice manager pages.
urlpatterns += [
    path("clinical/", include("records.urls")),
    path("manager/", include("audit.urls")),
    path("terminology/", include("terminology.urls")),
]

# Errors outside the views (no route, body too large, a lost database in a middleware):
# JSON under /api/, a plain page elsewhere (common/handlers.py).
handler400 = "common.handlers.bad_request"
handler403 = "common.handlers.permission_denied"
handler404 = "common.handlers.page_not_found"
handler500 = "common.handlers.server_error"
