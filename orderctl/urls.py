from django.contrib import admin
from django.urls import include, path, re_path

from directives.api.views import NotFoundView
from directives.operations.health import healthz, readyz
from directives.operations.metrics import metrics

# A database outage answers 503, not 500, even when it surfaces outside a view (agencies/outage.py).
handler500 = "agencies.outage.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", readyz, name="readyz"),
    # Prometheus's conventional address; off unless METRICS_TOKEN is set, then for its bearer only.
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("directives.api.urls")),
    # Any other path under /api/ (another version, a typo) answers in the API's JSON, not an HTML page.
    re_path(r"^api/", NotFoundView.as_view(), name="api_not_found"),
    # The staff pages: sign-in, the user's agency, directives and orders.
    path("", include("agencies.urls")),
    path("", include("directives.urls")),
]
