"""A label's roster, artist by artist: each artist's works and where they stand for every
use of every product asking, from the tallies. A page of artists costs the same few
queries whether the roster holds ten artists or a thousand, and their catalogues ten
works or a million."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from portal.catalogue.models import Artist, Label
from portal.consent.models import Tally, WorkCount
from portal.consent.selectors.label import UseState, state_of
from portal.consent.selectors.tallies import COUNTS
from portal.licensing.models import Product

ARTISTS_PER_PAGE = 25


@dataclass(frozen=True)
class RosterArtist:
    artist: Artist
    works: int
    states: list[UseState]


def roster_artists(*, label: Label, q: str = "") -> QuerySet[Artist]:
    """The label's roster, by name; `q` narrows it to names containing it."""
    artists = Artist.objects.filter(label=label)
    if q:
        artists = artists.filter(name__icontains=q)
    return artists.order_by("name", "pk")


def roster_page(
    *, label: Label, products: Sequence[Product], q: str = "", page: str | int | None = 1
) -> tuple[Page[Artist], list[RosterArtist]]:
    """One page of the roster (`ARTISTS_PER_PAGE` artists), each with its works on the
    label and a `UseState` per product and use (`products` with their uses prefetched).
    Four queries: the count, the page, its work counts, its tallies."""
    shown = Paginator(roster_artists(label=label, q=q), ARTISTS_PER_PAGE).get_page(page)
    ids = [artist.pk for artist in shown]
    works = dict(
        WorkCount.objects.filter(label=label, artist__in=ids).values_list("artist_id", "works")
    )
    tallies = {
        (t.artist_id, t.product_id, t.use_type_id): {name: getattr(t, name) for name in COUNTS}
        for t in Tally.objects.filter(label=label, artist__in=ids, product__in=products)
    }
    rows = [
        RosterArtist(
            artist=artist,
            works=works.get(artist.pk, 0),
            states=[
                state_of(
                    product,
                    use.use_type,
                    works.get(artist.pk, 0),
                    tallies.get((artist.pk, product.pk, use.use_type_id), {}),
                )
                for product in products
                for use in product.uses.all()
            ],
        )
        for artist in shown
    ]
    return shown, rows
