"""Earnings for pages of other apps that show them in passing (the artist's home), so they
need not depend on earnings: {% latest_paid artist_id as earned %}, what the artist was
paid in the latest month with earnings; {% paid_in_last_year artist_id as paid %}, what
each product paid them in the last twelve months, and {% paid_by paid product_id %}, one
product's of those; {% paid_for_work product_id work_id use_type_id as paid %}, what one
use of one work paid (where a yes is given)."""

from typing import Any

from django import template
from django.utils import timezone

from portal.earnings.summaries import latest_paid, paid_in_last_year, works_paid_in_last_year

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


@register.simple_tag(name="paid_for_work")
def paid_for_work_tag(product_id: int, work_id: int, use_type_id: int) -> list[dict[str, Any]]:
    """What the product paid for one use of one work in the last twelve months, per
    currency (`earnings.summaries.works_paid_in_last_year`): one query."""
    return works_paid_in_last_year(
        product_id=product_id,
        work_ids=[work_id],
        use_type_id=use_type_id,
        today=timezone.localdate(),
    ).get(work_id, [])
