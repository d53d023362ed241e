"""Kept for migration 0013 only, which names ``directives.outreach.all_kinds`` as a default: migrations
do not change. The outreach tables live in ``directives/models/outreach.py``."""

from directives.models.outreach import all_kinds

__all__ = ["all_kinds"]
