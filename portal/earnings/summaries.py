"""What other apps' pages show of earnings in passing (the artist's home, through the
template tags of `earnings_summary`, and the pages where a yes is given): the latest
month paid, and what each product, or each work, paid in the last twelve months."""

from datetime import date
from typing import Any

from django.db.models import QuerySet, Subquery, Sum

from portal.catalogue.models import Work
from portal.earnings.models import Allocation, MonthlyEarning
from portal.earnings.selectors import PERMITTED, ZERO, add_months


def latest_paid(*, artist_id: int) -> list[dict[str, Any]]:
    """What the artist was paid in the last month with earnings, per currency, most
    first: [{"month", "currency", "paid"}], empty before any earnings (one query)."""
    last = MonthlyEarning.objects.filter(artist_id=artist_id).order_by("-month").values("month")[:1]
    return list(
        MonthlyEarning.objects.filter(artist_id=artist_id, month=Subquery(last))
        .values("month", "currency")
        .annotate(paid=Sum("artist_amount", filter=PERMITTED, default=ZERO))
        .order_by("-paid", "currency")
    )


def paid_in_last_year(*, artist_id: int, today: date) -> dict[int, list[dict[str, Any]]]:
    """What each product paid the artist for permitted use in the twelve months to this
    one, per currency, most first: {product id: [{"currency", "paid"}]}; a product that
    paid nothing is left out (one query)."""
    since = add_months(today.replace(day=1), -11)
    rows = (
        MonthlyEarning.objects.filter(artist_id=artist_id, month__gte=since)
        .values("product_id", "currency")
        .annotate(paid=Sum("artist_amount", filter=PERMITTED, default=ZERO))
        .order_by("product_id", "-paid", "currency")
    )
    paid: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if row["paid"]:
            paid.setdefault(row.pop("product_id"), []).append(row)
    return paid


def works_paid_in_last_year(
    *,
    product_id: int,
    work_ids: list[int],
    today: date,
    use_type_id: int | None = None,
    to_label: bool = False,
) -> dict[int, list[dict[str, Any]]]:
    """What the product paid the artist (or, `to_label`, the label) for each of these
    works' permitted use (of one use type, if given) in the twelve months to this one, per
    currency, most first: {work id: [{"currency", "paid"}]}; works that paid nothing are
    left out (one query)."""
    since = add_months(today.replace(day=1), -11)
    rows = Allocation.objects.filter(product_id=product_id, work_id__in=work_ids, month__gte=since)
    if use_type_id is not None:
        rows = rows.filter(use_type_id=use_type_id)
    amount = "label_amount" if to_label else "artist_amount"
    paid: dict[int, list[dict[str, Any]]] = {}
    for row in (
        rows.values("work_id", "currency")
        .annotate(paid=Sum(amount, filter=PERMITTED, default=ZERO))
        .order_by("work_id", "-paid", "currency")
    ):
        if row["paid"]:
            paid.setdefault(row.pop("work_id"), []).append(row)
    return paid


def works_paid_together(
    *, product_id: int, use_type_id: int, works: QuerySet[Work], today: date, to_label: bool
) -> list[dict[str, Any]]:
    """What the product paid the artists (or, `to_label`, the label) for permitted use of
    these works for one use in the twelve months to this one, per currency, most first:
    what a no to them all would forgo (one query)."""
    since = add_months(today.replace(day=1), -11)
    amount = "label_amount" if to_label else "artist_amount"
    rows = (
        Allocation.objects.filter(
            product_id=product_id, use_type_id=use_type_id, month__gte=since, work__in=works
        )
        .values("currency")
        .annotate(paid=Sum(amount, filter=PERMITTED, default=ZERO))
        .order_by("-paid", "currency")
    )
    return [row for row in rows if row["paid"]]


def paid_in_last_year_together(*, artist_id: int, today: date) -> list[dict[str, Any]]:
    """What every product paid the artist for permitted use in the twelve months to this
    one, per currency, most first: what stopping everything would forgo (one query)."""
    since = add_months(today.replace(day=1), -11)
    rows = (
        MonthlyEarning.objects.filter(artist_id=artist_id, month__gte=since)
        .values("currency")
        .annotate(paid=Sum("artist_amount", filter=PERMITTED, default=ZERO))
        .order_by("-paid", "currency")
    )
    return [row for row in rows if row["paid"]]
