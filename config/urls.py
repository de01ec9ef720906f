from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1: list = []
api_v1 += [path("community/", include("community.api_urls"))]

urlpatterns = [
    path("", include("staff.urls")),
    path("admin/", admin.site.urls),
    path("community/", include("community.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
]
