from django.contrib import admin
from django.urls import include, path

from directives.health import healthz, readyz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("directives.api.urls")),
    # The staff pages: sign-in, the user's agency, directives and orders.
    path("", include("agencies.urls")),
    path("", include("directives.urls")),
]
