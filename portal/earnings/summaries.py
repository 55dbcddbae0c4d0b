"""What other apps' pages show of earnings in passing (the artist's home, through the
template tags of `earnings_summary`): the latest month paid, and what each product paid
in the last twelve months."""

from datetime import date
from typing import Any

from django.db.models import Subquery, Sum

from portal.earnings.models import MonthlyEarning
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
