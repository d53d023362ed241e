"""What a loaded order does to an earlier one: revoke it (or some of its directives), or amend one."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

from directives import deadlines

from .directives import Directive, ref_covers, validate_rule
from .orders import Order


class OrderChange(models.Model):
    """What a loaded order does to an earlier one: revoke it (or some of its directives), or amend one.

    Kept as the order file says it ([[revokes]], [[amends]]), whether or not the earlier order is loaded
    yet: ``actions.load_order`` applies each one when both orders are loaded, whichever came first, and
    again to what a later load of the earlier order adds. What it did is in the affected directives'
    histories; this row is where it came from (the pages show it as provenance).
    """

    class Kind(models.TextChoices):
        REVOKE = "revoke", "Revokes"
        AMEND = "amend", "Amends"

    by_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="changes_made")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    order_number = models.PositiveIntegerField(
        help_text="The earlier order's number; it may not be loaded yet."
    )
    ref = models.CharField(
        max_length=30, blank=True, help_text="The directive (with what is under it); empty: the whole order."
    )
    deadline = models.JSONField(
        null=True, blank=True, validators=[validate_rule], help_text="An amendment's new rule."
    )
    leads = models.JSONField(default=list, blank=True, help_text="An amendment's new leads, owner first.")
    consulted = models.JSONField(default=list, blank=True, help_text="An amendment's new consulted agencies.")
    note = models.TextField(blank=True)
    source = models.TextField(blank=True)
    review = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Place in the order file.")

    class Meta:
        ordering = ["by_order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["by_order", "kind", "order_number", "ref"], name="order_change_unique"
            ),
        ]
        # Loading an order looks up what later orders do to it.
        indexes = [models.Index(fields=["order_number"], name="order_change_target_idx")]

    def __str__(self) -> str:
        target = f"EO {self.order_number}" + (f" sec. {self.ref}" if self.ref else "")
        return f"EO {self.by_order.number} {self.get_kind_display().lower()} {target}"

    @property
    def rule(self) -> deadlines.Rule | None:
        return deadlines.rule_from_json(self.deadline) if self.deadline is not None else None

    def covers(self, directive: Directive, ancestors: Sequence[str] = ()) -> bool:
        """Return whether this change names ``directive`` of its order (``ancestors``: its parents' refs)."""
        if self.kind == self.Kind.AMEND:
            return self.ref == directive.ref
        if not self.ref:
            return True
        return any(ref_covers(self.ref, ref) for ref in (directive.ref, *ancestors))
