"""{% latest_paid artist_id as earned %}: what the artist was paid in the latest month with
earnings, for pages of other apps that show it in passing (the artist's home), so they
need not depend on earnings."""

from typing import Any

from django import template

from portal.earnings.selectors import latest_paid

register = template.Library()


@register.simple_tag(name="latest_paid")
def latest_paid_tag(artist_id: int) -> list[dict[str, Any]]:
    """As `earnings.selectors.latest_paid`: one query."""
    return latest_paid(artist_id=artist_id)
