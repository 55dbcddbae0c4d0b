"""The tallies under real concurrency on PostgreSQL: both sides answering the same works
at once, a product suspended meanwhile, an import moving a work to another artist and
staff's recount, each on its own connection; the tallies equal a recount afterwards and
nobody deadlocks."""

import pytest
from django.db import connection

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.consent.selectors.tallies import tallies_compare
from portal.consent.services import decisions_set, product_set_status
from portal.consent.services.tallies import groups_recount, tallies_rewrite
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World
from tests.consent.test_concurrency import many_works, together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_writers_at_once_leave_the_tallies_equal_to_a_recount(world: World) -> None:
    works = many_works(world, 300)
    artist = works[0].primary_artist
    ids = [w.pk for w in works]
    # Ada's user answers for the artist a work moves to as well.
    f.ArtistMembershipFactory(artist=world.other_artist, user=world.artist_user)

    def answer(side: str, actor: object, answer: str, use: object) -> None:
        decisions_set(
            actor=actor,  # type: ignore[arg-type]
            product=world.product,
            use_type=use,  # type: ignore[arg-type]
            side=side,
            answer=answer,
            works=Work.objects.filter(pk__in=ids),
        )

    def move() -> None:
        # What an import does when a recording is credited to another artist.
        from django.db import transaction

        with transaction.atomic():
            Work.objects.filter(pk=ids[0]).update(primary_artist=world.other_artist)
            groups_recount(
                groups=[(world.label.pk, artist.pk), (world.label.pk, world.other_artist.pk)]
            )

    for _ in range(2):
        together(
            lambda: answer(Side.ARTIST, world.artist_user, Answer.GRANTED, world.training),
            lambda: answer(Side.RIGHTS_HOLDER, world.manager, Answer.GRANTED, world.training),
            lambda: answer(Side.RIGHTS_HOLDER, world.manager, Answer.DENIED, world.style),
            lambda: product_set_status(product=world.product, status=Product.Status.SUSPENDED),
            move,
            lambda: tallies_rewrite(label_id=world.label.pk),
        )
        assert tallies_compare() is None
        product_set_status(product=world.product, status=Product.Status.ACTIVE)
        assert tallies_compare() is None
