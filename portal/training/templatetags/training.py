"""{% models_of work as models %}: the AI models a work went into, as its history page
shows them (one query for the items, one for breaches); {% breaches_by_product artist_id
as breaches %}: the breaches of withdrawals per product, for the home's cards."""

from typing import Any

from django import template

from portal.catalogue.models import Work
from portal.training.selectors import breaches_by_product, models_of, obligations_of

register = template.Library()


@register.simple_tag(name="models_of")
def models_of_tag(work: Work) -> list[dict[str, Any]]:
    return models_of(work=work)


@register.simple_tag(name="obligations_of")
def obligations_of_tag(work: Work) -> list[dict[str, Any]]:
    """The work's withdrawals that a next model had to honour, and how: one query."""
    return obligations_of(work=work)


@register.simple_tag(name="breaches_by_product")
def breaches_by_product_tag(artist_id: int) -> dict[int, int]:
    """How many withdrawals of the artist's works each product's models breached: one
    query, for the home's cards. Read one with {% breaches_of breaches product.pk %}."""
    return breaches_by_product(artist_id=artist_id)


@register.simple_tag(name="breaches_of")
def breaches_of_tag(breaches: dict[int, int], product_id: int) -> int:
    return breaches.get(product_id, 0)
