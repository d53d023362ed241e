"""Short order files written for the tests of every deadline rule, revocations and amendments.

Order 90001 ("A") is signed Friday 2026-01-30; its agency ABC is defined here. Order 90002 ("B"),
signed Tuesday 2026-02-10, revokes and amends parts of A. Each test loads them at a fixed instant
(``load``), so none depends on the day it runs.
"""

from __future__ import annotations

import datetime as dt

import time_machine

from agencies.models import Agency
from directives import actions, deadlines
from directives.models import Directive
from directives.orderfile import parse_order_file

SIGNED_A = dt.date(2026, 1, 30)
# Noon Eastern on A's signing day and on B's.
AT_A = dt.datetime(2026, 1, 30, 12, tzinfo=deadlines.EASTERN)
AT_B = dt.datetime(2026, 2, 10, 12, tzinfo=deadlines.EASTERN)

AGENCIES = """
[[agencies]]
abbreviation = "ABC"
name = "Agency for Better Code"
kind = "department"

[[agencies]]
abbreviation = "XYZ"
name = "Office of Examples"
kind = "department"
"""

ORDER_A = (
    """
[order]
number = 90001
title = "Order A"
signed_on = 2026-01-30
"""
    + AGENCIES
    + """
[[directives]]
ref = "1"
title = "Months after the order"
leads = ["ABC"]
deadline = { kind = "months_after_order", months = 1 }

[[directives]]
ref = "2"
title = "Waits for Sec. 1"
leads = ["ABC"]
consulted = ["XYZ"]
deadline = { kind = "after_directive", directive = "1", days = 10, trigger = "published" }

[[directives]]
ref = "3"
title = "A fixed date"
leads = ["XYZ"]
deadline = { kind = "on_date", date = 2026-03-31 }

[[directives]]
ref = "4"
title = "Every month"
leads = ["ABC"]
[directives.deadline]
kind = "recurring"
first = { kind = "days_after_order", days = 1 }
every_months = 1
until = 2026-04-30

[[directives]]
ref = "5"
title = "A section with parts"
leads = ["ABC"]
deadline = { kind = "years_after_order", years = 1 }

[[directives]]
ref = "5(a)"
parent = "5"
title = "First part"
leads = ["ABC"]
deadline = { kind = "years_after_order", years = 1 }

[[directives]]
ref = "5(b)"
parent = "5"
title = "Second part"
leads = ["ABC"]
deadline = { kind = "years_after_order", years = 1 }

[[directives]]
ref = "6"
title = "Ongoing"
leads = ["XYZ"]
deadline = { kind = "none" }

[[directives]]
ref = "7"
title = "Before a release"
leads = ["ABC"]
deadline = { kind = "days_from_event", days = -30, event = "the planned release" }
"""
)

ORDER_B = (
    """
[order]
number = 90002
title = "Order B"
signed_on = 2026-02-10
"""
    + AGENCIES
    + """
[[revokes]]
order = 90001
directives = ["5(a)", "6"]

[[amends]]
order = 90001
directive = "3"
deadline = { kind = "on_date", date = 2026-04-15 }
leads = ["ABC"]
note = "Gives ABC a fortnight more."

[[directives]]
ref = "1"
title = "Waits for Sec. 1 of Order A"
leads = ["XYZ"]
deadline = { kind = "after_directive", directive = "1", order = 90001, months = 1 }
"""
)


def load(text: str, at: dt.datetime = AT_A) -> actions.LoadReport:
    """Load the order file ``text`` at the instant ``at``; return the load's report."""
    known = frozenset(Agency.objects.values_list("abbreviation", flat=True))
    with time_machine.travel(at, tick=False):
        _, report = actions.load_order(parse_order_file(text, known_agencies=known))
    return report


def get(ref: str, number: int = 90001) -> Directive:
    return Directive.objects.with_agencies().get(order__number=number, ref=ref)
