"""Who may act, reconciled against the access log: a role or flag written in SQL has no entry, and is named.

Every membership, reviewer grant and staff, superuser or active flag is changed through
``agencies/roles.py`` or a user's save (``agencies/audit.py``), which append the change to the access
log in the same transaction. Replaying the log gives the state the tables must hold; ``verify_history``
(``directives.history.proof``) reports every row that differs: a membership or a reviewer inserted or
changed directly in the database, or an ``UPDATE auth_user SET is_superuser = true``: every right
the tables give that the log never gave (``differences``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from ledger.models import AccessEvent

from .models import Agency, Membership, OversightReviewer

FLAGS = ("is_staff", "is_superuser", "is_active")
Kind = AccessEvent.Kind


@dataclass
class Replayed:
    """What the access log says: each user's flags, memberships by (user, agency), the reviewers."""

    flags: dict[int, dict[str, bool]] = field(default_factory=dict)
    roles: dict[tuple[int, int], str] = field(default_factory=dict)
    reviewers: set[int] = field(default_factory=set)

    def apply(self, kind: str, subject: int | None, agency: int | None, detail: Mapping[str, Any]) -> None:
        """Replay one entry of the log."""
        if subject is None:
            return
        if kind == Kind.USER_CREATED:
            self.flags[subject] = {flag: bool(detail.get(flag)) for flag in FLAGS}
        elif kind == Kind.USER_FLAGS_CHANGED:
            self.flags.setdefault(subject, {}).update({k: bool(v) for k, v in detail.items() if k in FLAGS})
        elif kind == Kind.USER_DELETED:  # its rows went with it (on delete cascade), unlogged
            self.flags.pop(subject, None)
            self.reviewers.discard(subject)
            self.roles = {key: role for key, role in self.roles.items() if key[0] != subject}
        elif kind in (Kind.MEMBERSHIP_GRANTED, Kind.MEMBERSHIP_CHANGED) and agency is not None:
            self.roles[(subject, agency)] = str(detail.get("role"))
        elif kind == Kind.MEMBERSHIP_REVOKED and agency is not None:
            self.roles.pop((subject, agency), None)
        elif kind == Kind.REVIEWER_GRANTED:
            self.reviewers.add(subject)
        elif kind == Kind.REVIEWER_REVOKED:
            self.reviewers.discard(subject)


def replay() -> Replayed:
    """Return the state the access log gives, replayed in seq order."""
    state = Replayed()
    kinds = [
        Kind.USER_CREATED, Kind.USER_FLAGS_CHANGED, Kind.USER_DELETED, Kind.MEMBERSHIP_GRANTED,
        Kind.MEMBERSHIP_CHANGED, Kind.MEMBERSHIP_REVOKED, Kind.REVIEWER_GRANTED, Kind.REVIEWER_REVOKED,
    ]  # fmt: skip
    rows = (
        AccessEvent.objects.filter(kind__in=kinds)
        .order_by("seq")
        .values_list("kind", "subject_id", "agency_id", "detail")
    )
    for kind, subject, agency, detail in rows.iterator(chunk_size=2000):
        try:
            parsed = json.loads(detail)
        except json.JSONDecodeError:
            parsed = {}
        state.apply(kind, subject, agency, parsed if isinstance(parsed, dict) else {})
    return state


def _named(users: Mapping[int, str], user_id: int) -> str:
    return f"user {users.get(user_id, '(deleted)')!s} (id {user_id})"


def differences() -> list[str]:
    """Return each right the tables give that the access log does not: a user it never created, a flag
    it never set, a membership, role or reviewer grant it never granted.

    Less than the log gives is not a difference: a restore brings back the history and the log but
    makes its people inactive, without their roles (``operations/backup``), and a row deleted in SQL
    takes a right away, which the log's own chain and checkpoints are there to show.
    """
    state = replay()
    users = dict(get_user_model().objects.values_list("pk", "username"))
    agencies = dict(Agency.objects.values_list("pk", "abbreviation"))
    problems: list[str] = []
    for pk, *values in get_user_model().objects.order_by("pk").values_list("pk", *FLAGS):
        who = _named(users, pk)
        logged = state.flags.get(pk)
        if logged is None:
            if any(values):  # an inactive account without flags (a restored one, say) may do nothing
                problems.append(
                    f"{who}: not created through the application: the access log has no user_created"
                )
            continue
        for flag, value in zip(FLAGS, values, strict=True):
            if value and not logged.get(flag, False):
                problems.append(
                    f"{who}: {flag} is {value} but the access log says {logged.get(flag, False)}: "
                    "changed without its entry"
                )
    memberships = {
        (user, agency): role
        for user, agency, role in Membership.objects.values_list("user_id", "agency_id", "role")
    }
    problems += _compare_roles(memberships, state.roles, users, agencies)
    reviewers = set(OversightReviewer.objects.values_list("user_id", flat=True))
    for user in sorted(reviewers - state.reviewers):
        problems.append(f"{_named(users, user)}: an oversight reviewer the access log never granted")
    return problems


def _compare_roles(
    stored: Mapping[tuple[int, int], str],
    logged: Mapping[tuple[int, int], str],
    users: Mapping[int, str],
    agencies: Mapping[int, str],
) -> Iterable[str]:
    for key in sorted(set(stored) | set(logged)):
        user, agency = key
        if user not in users or agency not in agencies:
            continue  # a deleted agency's memberships went with it
        where = f"{_named(users, user)} at {agencies[agency]}"
        have, said = stored.get(key), logged.get(key)
        if have == said:
            continue
        if said is None:
            yield f"{where}: a membership ({have}) the access log never granted"
        elif have is not None:
            yield f"{where}: the role is {have} but the access log says {said}"
