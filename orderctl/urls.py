from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("directives.api.urls")),
    # The staff pages: sign-in, the user's agency, directives and orders.
    path("", include("agencies.urls")),
    path("", include("directives.urls")),
]
