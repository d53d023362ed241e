"""The Django admin's pages for the directives app: orders and directives, the integrations, the outbox.

Django's admin autodiscovery imports ``directives.admin``; importing the modules here registers them.
"""

from directives.admin import integrations, orders, outbox

__all__ = ["integrations", "orders", "outbox"]
