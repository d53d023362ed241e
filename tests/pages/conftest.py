"""Fixtures the page tests share across their modules: an order manager, and the Order as reported."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from directives import actions
from directives.models import Status

AUG_5 = dt.datetime(2026, 8, 5, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def manager(db):
    """An order manager: the permission, granted through a group as an administrator would."""
    group = Group.objects.create(name="Order managers")
    group.permissions.add(Permission.objects.get(codename="manage_orders"))
    user = get_user_model().objects.create_user("manager", "manager@example.com", "pw")
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reported(directive, cisa_editor, treasury_editor):
    """The Order on 2026-08-05 with two completions: 2(c)(i) on time, 3(b) three days late."""
    with time_machine.travel(AUG_5, tick=False):
        actions.change_status(
            directive("2(c)(i)"), Status.COMPLETED, actor=cisa_editor, completed_on=dt.date(2026, 6, 10)
        )
        actions.change_status(
            directive("3(b)"), Status.COMPLETED, actor=treasury_editor, completed_on=dt.date(2026, 8, 4)
        )
        actions.change_status(directive("2(d)"), Status.BLOCKED, actor=treasury_editor)
