"""Earnings for pages of other apps that show them in passing (the artist's home), so they
need not depend on earnings: {% latest_paid artist_id as earned %}, what the artist was
paid in the latest month with earnings; {% paid_in_last_year artist_id as paid %}, what
each product paid them in the last twelve months, and {% paid_by paid product_id %}, one
product's of those; {% paid_for_work product_id work_id use_type_id as paid %}, what one
use of one work paid (where a yes is given); {% flags_unseen artist_id as flags %}, use
without permission no one of the team has seen (the home's banner), and
{% flagged_for_work work_id as flagged %}, a work's (its history)."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.db.models import QuerySet
from django.utils import timezone

from portal.catalogue.models import Work
from portal.earnings.flags import Unseen, flagged_for_work, flags_unseen
from portal.earnings.summaries import (
    latest_paid,
    paid_in_last_year,
    paid_in_last_year_together,
    works_paid_in_last_year,
    works_paid_together,
)

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


@register.simple_tag(name="paid_for_each")
def paid_for_each_tag(
    product_id: int, work_ids: Iterable[int], side: str
) -> dict[int, list[dict[str, Any]]]:
    """What the product paid the viewing side (the artist, or the label when `side` is the
    rights holder's) for each of a page's works in the last twelve months: one query.
    Read a work's with {% paid_by paid work.pk as earned %}."""
    return works_paid_in_last_year(
        product_id=product_id,
        work_ids=list(work_ids or ()),
        today=timezone.localdate(),
        to_label=side == "rights_holder",
    )


@register.simple_tag(name="forgone")
def forgone_tag(
    product_id: int, use_type_id: int, works: QuerySet[Work], side: str
) -> list[dict[str, Any]]:
    """What these works' use paid the viewing side in the last twelve months, per
    currency: what a no to them all forgoes (one query)."""
    return works_paid_together(
        product_id=product_id,
        use_type_id=use_type_id,
        works=works,
        today=timezone.localdate(),
        to_label=side == "rights_holder",
    )


@register.simple_tag(name="forgone_by_stopping")
def forgone_by_stopping_tag(artist_id: int) -> list[dict[str, Any]]:
    """What every product paid the artist in the last twelve months: one query."""
    return paid_in_last_year_together(artist_id=artist_id, today=timezone.localdate())


@register.simple_tag(name="flags_unseen")
def flags_unseen_tag(artist_id: int) -> Unseen:
    """As `earnings.flags.flags_unseen`: one query."""
    return flags_unseen(artist_id=artist_id)


@register.simple_tag(name="flagged_for_work")
def flagged_for_work_tag(work_id: int) -> list[dict[str, Any]]:
    """As `earnings.flags.flagged_for_work`: one query."""
    return flagged_for_work(work_id=work_id)
