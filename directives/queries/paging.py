"""Server-side pages of a list: which page and how long, read from the address and checked.

Every list page (All directives, my agency's, an order's, the orders) shows one page of its rows at a
time: the rows are sliced in the database (``LIMIT``/``OFFSET`` over an indexed, unique order), the
total comes from one ``COUNT``, and the address keeps the filters with the page, so a page costs the
same queries and about the same time for 10 directives or 100,000. A page number or size that is not
understood is refused with a 400 naming the parameter, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import QueryDict

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
# The largest page a request may ask for: a page's memory and time are bounded by it.
MAX_PAGE_SIZE = 200
# Page links either side of the current one in the USWDS pagination before an ellipsis.
NEIGHBOURS = 2


class BadPage(ValueError):
    """A page or page size the address asked for that cannot be given; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _whole(query: QueryDict, field: str, default: int, *, maximum: int | None = None) -> int:
    raw = query.get(field)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadPage(field, f"must be a whole number of 1 or more, not {raw!r}")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise BadPage(field, f"must be at most {maximum}, not {value}")
    return value


@dataclass(frozen=True)
class PageRequest:
    """The page (from 1) and its size that an address asks for, under its list's ``prefix``."""

    number: int
    size: int
    prefix: str = ""

    @classmethod
    def of(cls, query: QueryDict, *, prefix: str = "", default_size: int = DEFAULT_PAGE_SIZE) -> PageRequest:
        """Return the page ``query`` asks for; raise ``BadPage`` naming the parameter it cannot read."""
        number = _whole(query, f"{prefix}page", 1)
        size = _whole(query, f"{prefix}page_size", default_size, maximum=MAX_PAGE_SIZE)
        return cls(number=number, size=size, prefix=prefix)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Link:
    """One item of the USWDS pagination: a page number with its address, or an ellipsis (no number)."""

    number: int | None
    url: str
    current: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it is, the total, and the addresses of the others."""

    items: Sequence[T]
    request: PageRequest
    count: int
    query: QueryDict  # the address's parameters, kept on every link (the filters)

    @property
    def number(self) -> int:
        return self.request.number

    @property
    def size(self) -> int:
        return self.request.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def first_index(self) -> int:
        """Return the 1-based position of the page's first item (0 when the list is empty)."""
        return self.request.offset + 1 if self.count else 0

    @property
    def last_index(self) -> int:
        return self.request.offset + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        """Return the address (a query string) of page ``number``, with every other parameter kept."""
        query = self.query.copy()
        query[f"{self.request.prefix}page"] = str(number)
        return "?" + query.urlencode()

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1)

    @property
    def links(self) -> list[Link]:
        """Return the first and last pages, the current one and its neighbours, ellipses between."""
        shown = {1, self.pages, *range(self.number - NEIGHBOURS, self.number + NEIGHBOURS + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        links: list[Link] = []
        for index, n in enumerate(numbers):
            if index and n - numbers[index - 1] > 1:
                links.append(Link(None, ""))
            links.append(Link(n, self.url(n), current=n == self.number))
        return links


def paginate(
    queryset: QuerySet[Any, Any],
    query: QueryDict,
    *,
    shape: Callable[[list[Any]], Sequence[T]],
    prefix: str = "",
    default_size: int = DEFAULT_PAGE_SIZE,
) -> Page[T]:
    """Return the page of ``queryset`` (ordered, unique) that ``query`` asks for, its items ``shape``d.

    One ``COUNT`` and one slice of the queryset (``page_rows``, with its prefetches): the work is
    bounded by the page.
    Raise ``BadPage`` for a page number or size that is not a whole number in range, or a page past
    the last (page 1 of an empty list is an empty page).
    """
    request = PageRequest.of(query, prefix=prefix, default_size=default_size)
    count = queryset.count()
    if request.offset >= count and request.number > 1:
        pages = max(1, -(-count // request.size))
        raise BadPage(
            f"{prefix}page",
            f"there is no page {request.number}: {count} rows make {pages} page(s) of {request.size}",
        )
    items = shape(list(page_rows(queryset, request.offset, request.offset + request.size)))
    return Page(items=items, request=request, count=count, query=query)


def page_rows(queryset: QuerySet[Any, Any], start: int, stop: int) -> QuerySet[Any, Any]:
    """Return the rows ``start:stop`` of ``queryset`` (ordered, unique), found first by their ids alone.

    The ``OFFSET`` walks the ids in the list's order (on its index, ``directive_sequence_idx`` for
    directives), and only the page's rows are then read whole, with their joins and prefetches. An
    ``OFFSET`` over the joined, full-width rows sorted every one of them first: page 1,000 of 100,000
    directives took 1 s that way, 0.25 s this way (docs/benchmarks.md).
    """
    ids = queryset.prefetch_related(None).values("pk")[start:stop]
    return queryset.filter(pk__in=ids)
