"""Earnings for pages of other apps that show them in passing (the artist's home), so they
need not depend on earnings: {% latest_paid artist_id as earned %}, what the artist was
paid in the latest month with earnings; {% paid_in_last_year artist_id as paid %}, what
each product paid them in the last twelve months, and {% paid_by paid product_id %}, one
product's of those."""

from typing import Any

from django import template
from django.utils import timezone

from portal.earnings.summaries import latest_paid, paid_in_last_year

register = template.Library()


@register.simple_tag(name="latest_paid")
def latest_paid_tag(artist_id: int) -> list[dict[str, Any]]:
    """As `earnings.summaries.latest_paid`: one query."""
    return latest_paid(artist_id=artist_id)


@register.simple_tag(name="paid_in_last_year")
def paid_in_last_year_tag(artist_id: int) -> dict[int, list[dict[str, Any]]]:
    """As `earnings.summaries.paid_in_last_year`, to today: one query."""
    return paid_in_last_year(artist_id=artist_id, today=timezone.localdate())


@register.simple_tag(name="paid_by")
def paid_by_tag(paid: dict[int, list[dict[str, Any]]], product_id: int) -> list[dict[str, Any]]:
    """One product's part of `paid_in_last_year`: [{"currency", "paid"}], empty if none."""
    return paid.get(product_id, [])
