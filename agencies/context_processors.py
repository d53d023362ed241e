"""What every page needs to know about the site: the federal banner and the system-use notice."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, dict[str, object]]:
    """Return ``site_settings``: whether to show the official banner, and the system-use notice (or "")."""
    return {
        "site_settings": {
            "official_banner": settings.OFFICIAL_GOV_BANNER,
            "system_use_notice": settings.SYSTEM_USE_NOTICE if settings.SHOW_SYSTEM_USE_NOTICE else "",
        }
    }
