"""Who: agencies, their hierarchy, and the people who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from knox.models import AbstractAuthToken


class AgencyQuerySet(models.QuerySet["Agency"]):
    """The department rule, stated once: a department includes its components (DHS includes CISA).

    An editor of a department acts for its components, a filter by a department finds what its
    components lead, and the editors told about a component's deadline include the department's.
    """

    def with_components(self) -> AgencyQuerySet:
        """Return these agencies and their components."""
        ids = self.values("pk")
        return Agency.objects.filter(Q(pk__in=ids) | Q(parent__in=ids))

    def with_departments(self) -> AgencyQuerySet:
        """Return these agencies and the departments they are components of: whose editors act for them."""
        return Agency.objects.filter(Q(pk__in=self.values("pk")) | Q(pk__in=self.values("parent")))


class Agency(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Department"
        COMPONENT = "component", "Component of a department"
        COMMITTEE = "committee", "Committee"
        EOP_OFFICE = "eop_office", "Executive Office of the President"

    abbreviation = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="components"
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["abbreviation"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"


class Membership(models.Model):
    """A user's role at one agency."""

    class Role(models.TextChoices):
        # May change the status of directives the agency leads, or that a component of it leads.
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_user_agency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display().lower()} at {self.agency.abbreviation}"


class OversightReviewer(models.Model):
    """An oversight reviewer: reads every agency's directives and gets escalations; edits nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oversight_reviewer"
    )
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} (oversight reviewer)"


class APIToken(AbstractAuthToken):
    """A personal API token (django-rest-knox's token, with a name and a scope).

    Knox stores only a SHA-512 digest of the key (256 random bits, so no salt is needed) and its first
    characters, ``token_key``, a non-secret identifier; the key itself is shown once, when the token is
    created (``agencies.actions.create_api_token``). ``expiry`` None means it never expires, which only
    a read-only token may do.
    """

    NAME_MAX_LENGTH = 100
    name = models.CharField(
        max_length=NAME_MAX_LENGTH, help_text="What the token is for, e.g. 'nightly status export'."
    )
    read_only = models.BooleanField(default=False, help_text="The token may read but never change anything.")

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]
        constraints = [
            # A read-write token may change the record as its owner: it must expire (the actions layer
            # keeps it within API_TOKEN_MAX_DAYS_READ_WRITE; migration 0003 gave the old ones an expiry).
            models.CheckConstraint(
                condition=models.Q(read_only=True) | models.Q(expiry__isnull=False),
                name="api_token_read_write_expires",
            )
        ]

    def __str__(self) -> str:
        scope = "read-only" if self.read_only else "read-write"
        return f"{self.name} ({self.token_key}..., {scope}, {self.user})"


class SignOnLink(models.Model):
    """The account a person at an OpenID provider signs in as: (issuer, subject) to one user.

    The subject (``sub``) is what the provider promises never to give anyone else; an email address
    can change hands, so it only ever makes a link (``agencies.actions.link_sign_on``), never signs
    anyone in by itself. An unlinked link stays, ``unlinked`` set, so an account once linked is never
    linked again by email.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_on_links")
    issuer = models.CharField(max_length=255, help_text="The provider's issuer URL (the ID token's iss).")
    subject = models.CharField(max_length=255, help_text="The person's subject at that provider (sub).")
    created = models.DateTimeField()
    unlinked = models.DateTimeField(null=True, blank=True, help_text="When the link was removed.")

    class Meta:
        verbose_name = "single sign-on link"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=models.Q(unlinked__isnull=True),
                name="sign_on_link_issuer_subject_unique",
            )
        ]

    def __str__(self) -> str:
        state = f", unlinked {self.unlinked:%Y-%m-%d}" if self.unlinked else ""
        return f"{self.user} as {self.subject} at {self.issuer}{state}"
