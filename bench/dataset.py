"""A synthetic data set for the benchmarks, seeded once into the configured database and then reused.

At full size: 2,000 orders of 50 directives each (100,000 directives, 10 sections of a parent and four
parts per order), 100 agencies (20 departments with three components each, 20 other offices), about
2.5 involvements per directive and 5 events per directive (500,000). Dates are drawn around the day of
seeding so that some directives are overdue, some due soon and some completed on time or late; every
overdue flag is left clear for the sweep benchmark to set.

The rows are marked by their order numbers, from ``ORDER_NUMBER_BASE`` up (no real executive order
comes near), so the data set lives beside real data and a second call finds it instead of seeding again.

Usage, from a script that has called ``django.setup()``::

    from bench.dataset import ensure_dataset
    dataset = ensure_dataset()          # seconds when already seeded, about a minute on PostgreSQL when not
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from directives import deadlines, history
from directives.actions.updates import _rolled_up  # parents roll up as the actions layer rolls them up
from directives.models import Directive, DirectiveEvent, Involvement, Order, Status

ORDER_NUMBER_BASE = 9_000_000
ORDERS = 2_000
SECTIONS_PER_ORDER = 10
PARTS_PER_SECTION = 4
DIRECTIVES_PER_ORDER = SECTIONS_PER_ORDER * (1 + PARTS_PER_SECTION)
EVENTS_PER_DIRECTIVE = 5
DEPARTMENTS = 20
COMPONENTS_PER_DEPARTMENT = 3
OTHER_AGENCIES = 20
AGENCY_PREFIX = "BENCH-"
BENCH_USERNAME = "bench-editor"
BATCH = 5_000
SEED = 14409
# Bumped when the shape of the data changes, so that an older data set is seeded again: 2, each
# directive's history replays to its state (verify_history checks it), in the signed, id-based form;
# 3, the deadline rule as JSON.
DATASET_VERSION = 3
TITLE = "Benchmark order {i}, data set v{version}"


@dataclass(frozen=True)
class Dataset:
    orders: int
    directives: int
    agencies: int
    events: int
    seeded: bool  # False when an earlier run's rows were reused
    seconds: float

    def describe(self) -> str:
        how = f"seeded in {self.seconds:.1f} s" if self.seeded else "already seeded, reused"
        return (
            f"{self.orders:,} orders, {self.directives:,} directives, {self.agencies:,} agencies, "
            f"{self.events:,} events ({how})"
        )


def bench_orders():
    return Order.objects.filter(number__gte=ORDER_NUMBER_BASE)


def ensure_dataset(*, orders: int = ORDERS, log: Callable[[str], object] = print) -> Dataset:
    """Return the benchmark data set of ``orders`` orders, seeding it first if it is not there.

    A data set of another size (from a smaller test run, say) is removed and seeded again.
    """
    started = time.perf_counter()
    existing_orders = bench_orders().count()
    existing_directives = Directive.objects.filter(order__number__gte=ORDER_NUMBER_BASE).count()
    current = bench_orders().filter(title__endswith=f", data set v{DATASET_VERSION}").count()
    seeded = (
        existing_orders != orders or existing_directives != orders * DIRECTIVES_PER_ORDER or current != orders
    )
    if seeded:
        if existing_orders:
            log(f"removing a benchmark data set of {existing_orders:,} orders")
            _remove()
        log(f"seeding {orders:,} orders, {orders * DIRECTIVES_PER_ORDER:,} directives ...")
        _seed(orders, now=timezone.now())
        _analyze()
    directives = Directive.objects.filter(order__number__gte=ORDER_NUMBER_BASE)
    return Dataset(
        orders=orders,
        directives=directives.count(),
        agencies=Agency.objects.filter(abbreviation__startswith=AGENCY_PREFIX).count(),
        events=DirectiveEvent.objects.filter(directive__in=directives).count(),
        seeded=seeded,
        seconds=time.perf_counter() - started,
    )


def _analyze() -> None:
    """Refresh PostgreSQL's statistics: the planner misjudges freshly loaded tables until autovacuum
    gets to them (a nested loop over 100,000 rows it thinks are 500), which would skew the timings."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Order, Directive, Involvement, DirectiveEvent, Agency):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _remove() -> None:
    with transaction.atomic():
        directives = Directive.objects.filter(order__number__gte=ORDER_NUMBER_BASE)
        # Whole synthetic orders go, chains and all; the append-only trigger is off for this
        # transaction only (ALTER TABLE is transactional, and locks the table until the commit).
        events = connection.ops.quote_name(DirectiveEvent._meta.db_table)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {events} DISABLE TRIGGER USER")
        DirectiveEvent.objects.filter(directive__in=directives).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # ALTER TABLE waits for no deferred foreign-key check: run the delete's now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {events} ENABLE TRIGGER USER")
        Involvement.objects.filter(directive__in=directives).delete()
        directives.filter(parent__isnull=False).delete()
        directives.delete()
        bench_orders().delete()


def _agencies() -> list[Agency]:
    """Return the 100 benchmark agencies, creating those that are missing."""
    wanted: list[tuple[str, str, str | None]] = []
    for d in range(1, DEPARTMENTS + 1):
        department = f"{AGENCY_PREFIX}D{d:02}"
        wanted.append((department, Agency.Kind.DEPARTMENT, None))
        wanted += [
            (f"{department}-C{c}", Agency.Kind.COMPONENT, department)
            for c in range(1, COMPONENTS_PER_DEPARTMENT + 1)
        ]
    wanted += [
        (f"{AGENCY_PREFIX}O{o:02}", Agency.Kind.EOP_OFFICE, None) for o in range(1, OTHER_AGENCIES + 1)
    ]
    have = {a.abbreviation: a for a in Agency.objects.filter(abbreviation__startswith=AGENCY_PREFIX)}
    for abbreviation, kind, parent in wanted:
        if abbreviation not in have:
            have[abbreviation] = Agency.objects.create(
                abbreviation=abbreviation,
                name=f"Benchmark agency {abbreviation.removeprefix(AGENCY_PREFIX)}",
                kind=kind,
                parent=have[parent] if parent else None,
            )
    return [have[abbreviation] for abbreviation, _, _ in wanted]


def _part_state(rng: random.Random, due_on: dt.date | None, signed_on: dt.date, today: dt.date):
    """Return a plausible (status, completed_on, forecast_on) for a part with this deadline."""
    roll = rng.random()
    if roll < 0.35 and today > signed_on:
        latest = min(today, (due_on or today) + dt.timedelta(days=20))
        completed_on = signed_on + dt.timedelta(days=rng.randint(1, max(1, (latest - signed_on).days)))
        return Status.COMPLETED, min(completed_on, today), None
    status = Status.IN_PROGRESS if roll < 0.75 else (Status.BLOCKED if roll < 0.8 else Status.NOT_STARTED)
    forecast_on = due_on + dt.timedelta(days=rng.randint(-10, 30)) if due_on and rng.random() < 0.3 else None
    return status, None, forecast_on


def _seed(order_count: int, *, now: dt.datetime) -> None:
    rng = random.Random(SEED)
    today = deadlines.local_date(now)
    with transaction.atomic():
        agencies = _agencies()
        leads = [a for a in agencies if a.kind != Agency.Kind.DEPARTMENT]
        editor, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
        orders = Order.objects.bulk_create(
            Order(
                number=ORDER_NUMBER_BASE + i,
                title=TITLE.format(i=i, version=DATASET_VERSION),
                signed_on=today - dt.timedelta(days=rng.randint(0, 730)),
            )
            for i in range(order_count)
        )
        # Sections first (the parents), then their parts, so the parts can point at saved parents.
        sections: list[Directive] = []
        plans: list[tuple[Order, int, int | None]] = []  # (order, section number, days) per section
        for order in orders:
            for s in range(1, SECTIONS_PER_ORDER + 1):
                days = rng.choice((30, 60, 90, 120, 180, 270, 365)) if rng.random() > 0.05 else None
                plans.append((order, s, days))
        parts: list[Directive] = []
        for order, s, days in plans:
            due_on = order.signed_on + dt.timedelta(days=days) if days else None
            for p in range(PARTS_PER_SECTION):
                status, completed_on, forecast_on = _part_state(rng, due_on, order.signed_on, today)
                parts.append(
                    _directive(
                        order, f"{s}({'abcd'[p]})", s * 10 + p + 1, days, due_on, status, completed_on, now
                    )
                )
                parts[-1].forecast_on = forecast_on
        for index, (order, s, days) in enumerate(plans):
            due_on = order.signed_on + dt.timedelta(days=days) if days else None
            status, completed_on = _rolled_up(
                parts[index * PARTS_PER_SECTION : (index + 1) * PARTS_PER_SECTION]
            )
            sections.append(_directive(order, str(s), s * 10, days, due_on, status, completed_on, now))
        Directive.objects.bulk_create(sections, batch_size=BATCH)
        for index, part in enumerate(parts):
            part.parent_id = sections[index // PARTS_PER_SECTION].id
        Directive.objects.bulk_create(parts, batch_size=BATCH)

        involvements: list[tuple] = []
        owner_of: dict[int, int] = {}  # directive id -> the agency its editor acts for
        for index, section in enumerate(sections):
            owners = list(
                dict.fromkeys([rng.choice(leads)] + ([rng.choice(leads)] if rng.random() < 0.1 else []))
            )
            consulted = [a for a in rng.sample(agencies, rng.randint(0, 2)) if a not in owners]
            for directive in (section, *parts[index * PARTS_PER_SECTION : (index + 1) * PARTS_PER_SECTION]):
                owner_of[directive.id] = owners[0].id
                involvements += [(directive.id, a.id, Involvement.Role.LEAD, i) for i, a in enumerate(owners)]
                involvements += [
                    (directive.id, a.id, Involvement.Role.CONSULTED, i) for i, a in enumerate(consulted)
                ]
        _insert(Involvement, ["directive_id", "agency_id", "role", "position"], involvements)
        del involvements
        # Events are chained per order, oldest first, through the one function that appends them.
        agency_by_id = {a.id: a for a in agencies}
        by_order: dict[int, list[history.NewEvent]] = {}
        for directive in (*sections, *parts):
            by_order.setdefault(directive.order_id, []).extend(
                _history(rng, directive, editor, agency_by_id[owner_of[directive.id]], now)
            )
        history.append([e for events in by_order.values() for e in sorted(events, key=lambda e: e.created)])


def _insert(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (values in ``columns`` order): with COPY on PostgreSQL, else with bulk_create.

    COPY skips building a model instance per row, which is most of bulk_create's time at 500,000 rows.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH
        )
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, BATCH * 20)):
            text = "".join("\t".join(map(_copy_value, row)) + "\n" for row in chunk)
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text))


def _copy_value(value) -> str:
    """Return ``value`` in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _directive(order, ref, position, days, due_on, status, completed_on, now) -> Directive:
    return Directive(
        order=order,
        ref=ref,
        position=position,
        title=f"Benchmark directive {ref} of order {order.number - ORDER_NUMBER_BASE}",
        summary="Synthetic directive for the benchmarks; the text is long enough to be realistic. " * 3,
        deadline_kind=Directive.DeadlineKind.DAYS_AFTER_ORDER if days else Directive.DeadlineKind.NONE,
        deadline={"kind": "days_after_order", "days": days} if days else {"kind": "none"},
        original_due_on=due_on,
        due_on=due_on,
        due_at=deadlines.end_of_day(due_on) if due_on else None,
        status=status,
        status_changed_at=None if status == Status.NOT_STARTED else now,
        completed_on=completed_on,
    )


def _history(rng: random.Random, directive: Directive, editor, agency: Agency, now: dt.datetime):
    """Yield ``EVENTS_PER_DIRECTIVE`` events, oldest first, that replay to the directive's state.

    The load; then, at random times, the status change to its status (from not started) and the
    forecast, if it has them; notes for the rest.
    """
    start = dt.datetime.combine(directive.order.signed_on, dt.time(14), tzinfo=dt.UTC)
    span = max(1, int((now - start).total_seconds()))
    yield history.NewEvent.of(
        directive,
        kind=DirectiveEvent.Kind.CREATED,
        new_status=Status.NOT_STARTED,
        note="Loaded for the benchmark.",
        new_due_on=directive.due_on,
        created=start,
    )
    times = sorted(rng.randint(0, span) for _ in range(EVENTS_PER_DIRECTIVE - 1))
    status: str = Status.NOT_STARTED
    for index, seconds in enumerate(times):
        created = start + dt.timedelta(seconds=seconds)
        if index == 0 and directive.status != Status.NOT_STARTED:
            yield history.NewEvent.of(
                directive,
                kind=DirectiveEvent.Kind.STATUS_CHANGED,
                old_status=status,
                new_status=directive.status,
                completed_on=directive.completed_on,
                note="Status set for the benchmark.",
                actor=editor,
                agency=agency,
                created=created,
            )
            status = directive.status
        elif index == 1 and directive.forecast_on is not None:
            yield history.NewEvent.of(
                directive,
                kind=DirectiveEvent.Kind.FORECAST_CHANGED,
                old_status=status,
                new_status=status,
                new_forecast_on=directive.forecast_on,
                actor=editor,
                agency=agency,
                created=created,
            )
        else:
            yield history.NewEvent.of(
                directive,
                kind=DirectiveEvent.Kind.NOTE,
                old_status=status,
                new_status=status,
                note=f"Progress note {rng.randint(1, 10_000)}: work continues as planned.",
                evidence_url="https://example.gov/evidence" if rng.random() < 0.2 else "",
                actor=editor,
                agency=agency,
                created=created,
            )
