"""A product page's count from the tallies is the database's count, for every filter the
tallies can answer, for every kind of party, with expired answers on either side."""

import itertools
import random
from datetime import timedelta

import pytest
from django.db.models import Min
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.access import artist_party, delegation_party, label_party
from portal.consent.models import AnnouncedPermission, Answer, Decision, Side
from portal.consent.selectors.counting import filter_count
from portal.consent.selectors.filtering import WorkFilter, works_filtered
from portal.consent.services import decisions_set, delegation_grant
from tests import factories as f
from tests.conftest import World

ANSWERS = ["", "yes", "no", "none", "expired"]
LABEL_ANSWERS = ["", "yes", "no", "none"]
STATES = ["", "waiting", "permitted", "not_permitted"]


@pytest.fixture
def answered(world: World) -> World:
    """Twenty-four works of two artists, each side answering training at random, and
    some yes answers since expired on each side."""
    rng = random.Random(7)
    for i in range(10):
        f.WorkFactory(primary_artist=world.artist, title=f"Tide {i}")
        f.WorkFactory(primary_artist=world.other_artist, title=f"Harbour {i}")
    works = list(world.label.works.order_by("pk"))
    soon = timezone.now() + timedelta(days=1)
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        draws = {w.pk: rng.random() for w in works}
        for answer, expires_at, low, high in (
            (Answer.GRANTED, soon, 0.0, 0.4),
            (Answer.DENIED, None, 0.4, 0.6),
        ):
            decisions_set(
                actor=None,
                product=world.product,
                use_type=world.training,
                side=side,
                answer=answer,
                works=Work.objects.filter(pk__in=[k for k, r in draws.items() if low <= r < high]),
                expires_at=expires_at,
            )
        # Half of this side's yes answers run out (as time would have it).
        granted = Decision.objects.filter(side=side, answer=Answer.GRANTED).order_by("pk")
        Decision.objects.filter(pk__in=[d.pk for d in granted][::2]).update(
            expires_at=timezone.now() - timedelta(hours=1)
        )
    lapsed = Decision.objects.filter(expires_at__lte=timezone.now()).values_list("side")
    assert {side for (side,) in lapsed} == {Side.ARTIST, Side.RIGHTS_HOLDER}
    # Four works both sides granted until tomorrow; two of the artist's yes run out.
    both = works[:4]
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        decisions_set(
            actor=None,
            product=world.product,
            use_type=world.training,
            side=side,
            answer=Answer.GRANTED,
            works=Work.objects.filter(pk__in=[w.pk for w in both]),
            expires_at=soon,
        )
    Decision.objects.filter(work__in=both[:2], side=Side.ARTIST).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    # The permissions end with the answers, though the clock's sweep has not said so yet.
    for permission in AnnouncedPermission.objects.filter(permitted=True):
        ends = Decision.objects.filter(
            product=permission.product, work=permission.work, use_type=permission.use_type
        ).aggregate(first=Min("expires_at"))["first"]
        AnnouncedPermission.objects.filter(pk=permission.pk).update(lapses_at=ends)
    permitted = AnnouncedPermission.objects.filter(permitted=True)
    assert permitted.filter(lapses_at__lte=timezone.now()).exists()
    assert permitted.filter(lapses_at__gt=timezone.now()).exists()
    return world


def parties(world: World) -> list[object]:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    return [
        label_party(world.manager, world.label.pk),
        artist_party(world.artist_user, world.artist.pk),
        delegation_party(world.manager, delegation.pk),
    ]


def test_the_tallies_count_what_the_database_counts(answered: World) -> None:
    world = answered
    now = timezone.now()
    checked = 0
    for party in parties(world):
        artists = [None, world.artist.pk] if party.label is not None else [None]
        for artist, a, b, state in itertools.product(artists, ANSWERS, LABEL_ANSWERS, STATES):
            f_ = WorkFilter(
                artist_id=artist,
                use_type_id=world.training.pk,
                artist_answer=a,
                label_answer=b,
                state=state,
            )
            counted = filter_count(party=party, product_id=world.product.pk, f=f_, now=now)
            if counted is None:  # answers and whether permitted, together: the database's
                assert state in ("permitted", "not_permitted") and (a or b)
                continue
            expected = works_filtered(
                works=party.works(),
                product_id=world.product.pk,
                side=party.side,
                use_type_ids=[world.training.pk, world.style.pk],
                f=f_,
                now=now,
            ).count()
            assert counted == expected, (party.plural, artist, a, b, state)
            checked += 1
    # Each state alone, and waiting with every pair of answers; the label by artist too.
    assert checked == 4 * (40 + 2)


def test_filters_the_tallies_cannot_answer_are_left_to_the_database(world: World) -> None:
    party = label_party(world.manager, world.label.pk)
    now = timezone.now()
    for f_ in (
        WorkFilter(q="Night"),
        WorkFilter(artist_answer="yes"),  # any use
        WorkFilter(use_type_id=world.training.pk, artist_answer="yes", state="permitted"),
        WorkFilter(release_id=1),
    ):
        assert filter_count(party=party, product_id=world.product.pk, f=f_, now=now) is None
    assert filter_count(party=party, product_id=world.product.pk, f=WorkFilter(), now=now) == 4


def test_a_count_from_the_tallies_costs_the_same_whatever_the_catalogue(
    answered: World, django_assert_max_num_queries: object
) -> None:
    party = label_party(answered.manager, answered.label.pk)
    f_ = WorkFilter(use_type_id=answered.training.pk, artist_answer="yes", label_answer="none")
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        filter_count(party=party, product_id=answered.product.pk, f=f_, now=timezone.now())
