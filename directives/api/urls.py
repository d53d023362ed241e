"""The REST API, version 1, mounted at ``/api/v1/`` (``orderctl/urls.py``); URL names in namespace ``api``."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from agencies.api.views import AgencyViewSet

from .errors import DocsView, SchemaView
from .evidence import EvidenceViewSet
from .extensions import ExtensionRequestViewSet
from .integrations import OrderPoamView, WebhookViewSet
from .summary import SummaryView
from .views import DirectiveViewSet, EventViewSet, NotFoundView, OrderViewSet

app_name = "api"

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("directives", DirectiveViewSet, basename="directive")
router.register(r"directives/(?P<directive_id>[0-9]+)/events", EventViewSet, basename="directive-event")
router.register(
    r"directives/(?P<directive_id>[0-9]+)/evidence", EvidenceViewSet, basename="directive-evidence"
)
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("extension-requests", ExtensionRequestViewSet, basename="extension-request")

urlpatterns = [
    *router.urls,
    path("summary/", SummaryView.as_view(), name="summary"),
    path("orders/<int:number>/poam/", OrderPoamView.as_view(), name="order-poam"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (docs/?script), and our
    # template moves its inline style to a file: the page runs under the CSP without 'unsafe-inline'.
    # Swagger UI draws its icons as data: images, allowed here only (tests/browser/test_security_csp.py).
    path(
        "docs/",
        csp_update({"img-src": [SELF, "data:"]})(
            DocsView.as_view(url_name="api:schema", template_name="directives/swagger_ui.html")
        ),
        name="docs",
    ),
    # Anything else under /api/v1/ is a JSON 404 in the one error shape, not an HTML page.
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
