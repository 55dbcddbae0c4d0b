"""Reads for the credits page and the monthly statements.

Statements are summed from the allocations themselves, grouped per usage report in the
database, so every figure on a statement reconciles to the reports it came from; the
list of months reads the monthly summaries. Every read is scoped by the caller
(artist_id=... or label_id=...) and costs a fixed number of queries whatever the
catalogue's size.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Trim
from django.db.models.lookups import Exact

from portal.catalogue.models import Work
from portal.catalogue.selectors import works_search
from portal.earnings.models import Allocation, Compliance, MonthlyEarning
from portal.licensing.models import LicenceShare

PERMITTED = Q(compliance=Compliance.PERMITTED)
ZERO = Decimal(0)


def month_from(value: str) -> date:
    """The first day of a "YYYY-MM" month (the URL converter has checked the format)."""
    year, month = value.split("-")
    return date(int(year), int(month), 1)


# --- statements ----------------------------------------------------------------------------

# Flagged lines' money is held, not paid. A line no licence covered has no split at all,
# so it adds to the gross and the line count but to no party's amount.
_MONEY = {
    "artist_paid": Sum("artist_amount", filter=PERMITTED, default=ZERO),
    "artist_held": Sum("artist_amount", filter=~PERMITTED, default=ZERO),
    "label_paid": Sum("label_amount", filter=PERMITTED, default=ZERO),
    "shares_held": Sum(F("artist_amount") + F("label_amount"), filter=~PERMITTED, default=ZERO),
}
_SUMS = {
    "line_count": Count("pk"),
    "unit_count": Sum("units"),
    "gross_total": Sum("gross"),
    **_MONEY,
    "flagged_lines": Count("pk", filter=~PERMITTED),
    "unlicensed_lines": Count("pk", filter=Q(licence__isnull=True)),
}


def statement_months(*, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """Each month and currency with earnings in scope, newest first, from the monthly
    summary: what was paid to the artists and the label, and what was held for flagged
    use (artist_held: the artists' shares; shares_held: the artists' and the label's)."""
    return list(
        MonthlyEarning.objects.filter(**scope)
        .values("month", "currency")
        .annotate(**_MONEY)
        .order_by("-month", "currency")
    )


_PER_REPORT = {
    "reference": F("report__reference"),
    "product_name": F("product__name"),
    "period_start": F("report__period_start"),
    "period_end": F("report__period_end"),
}


@dataclass(frozen=True)
class Section:
    """A statement's table for one currency: its rows and their totals."""

    currency: str
    total: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)


def statement_sections(
    *, scope: dict[str, Any], month: date, per_artist: bool = False
) -> list[Section]:
    """The month's statement in scope: one row per usage report (and per artist when
    `per_artist`), one section per currency, the largest first; two grouped queries.

    A section's total is summed by the database from the same allocations as its rows,
    so the artist's paid total is exactly the artist_amount of the month's permitted
    allocations.
    """
    found = Allocation.objects.filter(**scope, month=month)
    keys, named = ["currency", "report_id"], dict(_PER_REPORT)
    order = ["currency", "period_start", "product_name", "reference", "report_id"]
    if per_artist:
        keys.append("artist_id")
        named["artist_name"] = F("artist__name")
        order += ["artist_name", "artist_id"]
    rows = found.values(*keys, **named).annotate(**_SUMS).order_by(*order)
    totals = found.values("currency").annotate(**_SUMS).order_by("-gross_total", "currency")
    sections = {total["currency"]: Section(total["currency"], total) for total in totals}
    for row in rows:
        sections[row["currency"]].rows.append(row)
    return list(sections.values())


CSV_COLUMNS = [
    "report",
    "product",
    "period_start",
    "period_end",
    "isrc",
    "title",
    "use",
    "units",
    "currency",
    "gross",
    "artist_share",
    "label_share",
    "platform_share",
    "artist_amount",
    "label_amount",
    "platform_amount",
    "status",
]
LABEL_CSV_COLUMNS = [*CSV_COLUMNS[:4], "artist", *CSV_COLUMNS[4:]]


# Decimals are written with their field's decimal places, never as the database returns
# them: PostgreSQL keeps a numeric's scale (70.00), SQLite drops it from computed values
# (70), and a statement must read the same wherever it was made.
def _places(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, DecimalField)
    return field.decimal_places


_DECIMAL_PLACES = {
    **{
        name: _places(Allocation, name)
        for name in ("gross", "artist_amount", "label_amount", "platform_amount")
    },
    **{
        f"applied_{party}_share": _places(LicenceShare, f"{party}_share")
        for party in ("artist", "label", "platform")
    },
}


def _share(party: str) -> Coalesce:
    """The percentage the licence gives `party` for the line's use: the licence's own
    shares unless it sets them apart for that use; empty when no licence covered it."""
    return Coalesce(f"use_shares__{party}_share", f"licence__{party}_share")


def statement_lines(
    *, scope: dict[str, Any], month: date, with_artist: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Every allocation line of the month in scope, in CSV_COLUMNS order (with the artist
    after the period when `with_artist`), read in chunks so memory stays flat. Amounts
    and shares come as text with their field's decimal places ("70.00").

    Shares are the licence's current terms, as the allocation applied them unless staff
    edited the licence since (report_recompute finds such lines).
    """
    columns = [
        "report__reference",
        "product__slug",
        "report__period_start",
        "report__period_end",
        *(["artist__name"] if with_artist else []),
        "work__isrc",
        "work__title",
        "use_type__slug",
        "units",
        "currency",
        "gross",
        "applied_artist_share",
        "applied_label_share",
        "applied_platform_share",
        "artist_amount",
        "label_amount",
        "platform_amount",
        "compliance",
    ]
    rows = (
        Allocation.objects.filter(**scope, month=month)
        .annotate(
            use_shares=FilteredRelation(
                "licence__shares", condition=Q(licence__shares__use_type=F("use_type"))
            ),
            applied_artist_share=_share("artist"),
            applied_label_share=_share("label"),
            applied_platform_share=_share("platform"),
        )
        .order_by("report__period_start", "product__slug", "report__reference", "line_id")
        .values_list(*columns)
        .iterator(chunk_size=2000)
    )
    places = [_DECIMAL_PLACES.get(column) for column in columns]
    for row in rows:
        yield tuple(
            value if n is None or value is None else f"{value:.{n}f}"
            for value, n in zip(row, places, strict=True)
        )


# --- credits -------------------------------------------------------------------------------

# Products send the credit as they showed it; surrounding spaces are not a different credit.
_SHOWN = Trim("line__credit")
_UNCREDITED: "Exact[str]" = Exact(_SHOWN, Value(""))


@dataclass
class ProductCredits:
    """How one product credited the artist: each distinct credit line with the outputs
    (units) and works that carried it, and how much carried none."""

    product_id: int
    name: str
    unit_count: int
    work_count: int
    uncredited_units: int
    uncredited_works: int
    lines: list[dict[str, Any]] = field(default_factory=list)


def credits_by_product(*, artist_id: int, artist_name: str) -> list[ProductCredits]:
    """Per product, the credit lines reported for the artist's works (two grouped
    queries). An empty credit is a line of its own: output that showed no credit."""
    found = Allocation.objects.filter(artist_id=artist_id)
    totals = (
        found.values("product_id", name=F("product__name"))
        .annotate(
            unit_count=Sum("units"),
            work_count=Count("work_id", distinct=True),
            uncredited_units=Sum("units", filter=Q(_UNCREDITED), default=0),
            uncredited_works=Count("work_id", distinct=True, filter=Q(_UNCREDITED)),
        )
        .order_by("name", "product_id")
    )
    products = {row["product_id"]: ProductCredits(**row) for row in totals}
    lines = (
        found.values("product_id", credit=_SHOWN)
        .annotate(unit_count=Sum("units"), work_count=Count("work_id", distinct=True))
        .order_by("product_id", "-unit_count", "credit")
    )
    for line in lines:
        line["names_artist"] = artist_name.casefold() in line["credit"].casefold()
        products[line["product_id"]].lines.append(line)
    return list(products.values())


def works_for_credits(*, artist_id: int, q: str = "") -> QuerySet[Work]:
    """The artist's works with their contributors, found by title or ISRC, reported
    ones first so that what products did with them is on the first pages."""
    works = works_search(Work.objects.filter(primary_artist_id=artist_id), q)
    reported = Allocation.objects.filter(artist_id=artist_id, work_id=OuterRef("pk"))
    return (
        works.annotate(reported=Exists(reported))
        .order_by("-reported", "title", "pk")
        .prefetch_related("credits")
    )


def credits_of_works(
    *, artist_id: int, works: Iterable[Work]
) -> list[tuple[Work, Sequence[dict[str, Any]]]]:
    """Each work with the credit lines products reported for it (one grouped query)."""
    works = list(works)
    reported: dict[int, list[dict[str, Any]]] = defaultdict(list)
    lines = (
        Allocation.objects.filter(artist_id=artist_id, work_id__in=[w.pk for w in works])
        .values("work_id", product_name=F("product__name"), credit=_SHOWN)
        .annotate(unit_count=Sum("units"))
        .order_by("work_id", "product_name", "-unit_count", "credit")
    )
    for line in lines:
        reported[line["work_id"]].append(line)
    return [(work, reported.get(work.pk, [])) for work in works]
