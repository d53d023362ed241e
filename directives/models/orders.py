"""Orders: the presidential documents whose directives are tracked."""

from __future__ import annotations

from django.db import models

from directives import deadlines

from .choices import OrderKind


class Order(models.Model):
    kind = models.CharField(
        max_length=40,
        choices=OrderKind.choices,
        default=OrderKind.EXECUTIVE_ORDER,
        help_text="The kind of presidential document, as its text says.",
    )
    number = models.PositiveIntegerField(
        unique=True,
        help_text="Its own number, e.g. 14409 (an EO), 10896 (a proclamation), 10 (NSM-10).",
    )
    title = models.CharField(max_length=300)
    signed_on = models.DateField()
    federal_register_citation = models.CharField(max_length=50, blank=True)
    federal_register_document = models.CharField(max_length=30, blank=True)
    published_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(
        blank=True, help_text="Limitations and provisions worth showing, e.g. Sec. 3(c)."
    )
    deadline_policy = models.CharField(
        max_length=20,
        choices=[(p.value, p.value.replace("_", " ")) for p in deadlines.Policy],
        default=deadlines.Policy.LITERAL.value,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-signed_on", "number"]
        # The "order manager" permission: granted to a user or a group in the admin (superusers have it).
        permissions = [("manage_orders", "Can import and load executive orders (the import page)")]

    def __str__(self) -> str:
        return f"{OrderKind(self.kind).label} {self.number}"
