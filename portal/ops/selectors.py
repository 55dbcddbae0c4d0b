"""Reads behind readiness and the domain metrics: a handful of aggregate queries, none
growing with the catalogue except the decision count (one grouped COUNT)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count

from portal.consent.models import Answer, ChangeCounter, Decision, LedgerHead, Side
from portal.delivery.models import Delivery, Endpoint
from portal.delivery.selectors import with_backlog


def database_ping() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def decision_counts() -> dict[tuple[str, str], int]:
    """Current answers by (side, answer), every combination present."""
    counts = dict.fromkeys(((s, a) for s in Side.values for a in Answer.values), 0)
    for row in Decision.objects.order_by().values("side", "answer").annotate(n=Count("pk")):
        counts[row["side"], row["answer"]] = row["n"]
    return counts


def ledger_length() -> int:
    """Entries ever appended: the chain's head position, so no table scan."""
    return LedgerHead.objects.values_list("position", flat=True).first() or 0


def permission_changes_by_product() -> dict[str, int]:
    """Changes ever announced per product slug: the gapless sequence's last number."""
    return dict(ChangeCounter.objects.values_list("product__slug", "last"))


def open_deliveries_by_status() -> dict[str, int]:
    counts = dict.fromkeys(Delivery.OPEN, 0)
    rows = (
        Delivery.objects.filter(status__in=Delivery.OPEN)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts.update((row["status"], row["n"]) for row in rows)
    return {str(status): n for status, n in counts.items()}


def endpoints_by_status() -> dict[str, int]:
    counts = dict.fromkeys(Endpoint.Status.values, 0)
    rows = Endpoint.objects.order_by().values("status").annotate(n=Count("pk"))
    counts.update((row["status"], row["n"]) for row in rows)
    return counts


@dataclass(frozen=True)
class Backlog:
    product: str
    status: str
    # Changes the receiver has not acknowledged, and when the oldest of them happened.
    behind: int
    oldest_at: datetime | None


def delivery_backlogs() -> list[Backlog]:
    """Every webhook endpoint's backlog, in one query."""
    rows = with_backlog(Endpoint.objects.order_by("pk")).values_list(
        "product__slug", "status", "last_seq", "delivered_seq", "oldest_undelivered_at"
    )
    return [
        Backlog(product=slug, status=status, behind=max(0, last - delivered), oldest_at=oldest)
        for slug, status, last, delivered, oldest in rows
    ]
