"""The single check's one statement names the reasons of a use never permitted (the
common answer under opt-in) on PostgreSQL: one query, and the same reasons as the facts
layer's fallback gives, whatever made it not permitted."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.api.keys import key_hash
from portal.api.selectors import check_one, check_row
from portal.api.services import api_key_issue
from portal.catalogue.models import Work
from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.consent.services import policy_add, product_set_status
from portal.licensing.models import Licence, Product
from tests import factories as f
from tests.api.test_check import api, check
from tests.conftest import World, say
from tests.seeded import vocabulary_seed

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the folded statement is PostgreSQL's"
)


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product, name="tests")[1]


def both_ways(key: str, world: World, work: Work, use: str = "training") -> tuple[dict, dict]:
    """The check's answer from the folded facts, and from the fallback, for one pair."""
    now = timezone.now()
    row = check_row(key_hash=key_hash(key), isrc=work.isrc, use=use, now=now)
    assert row is not None
    folded = check_one(row=row, isrc=work.isrc, use=use, now=now)
    fallback = check_one(row=replace(row, facts=None), isrc=work.isrc, use=use, now=now)
    return folded.model_dump(), fallback.model_dump()


SCENARIOS = {
    "nobody answered": lambda world: None,
    "the artist alone said yes": lambda world: say(world, Side.ARTIST, Answer.GRANTED),
    "the label said no": lambda world: (
        say(world, Side.ARTIST, Answer.GRANTED),
        say(world, Side.RIGHTS_HOLDER, Answer.DENIED),
    ),
    "an expiring yes": lambda world: say(
        world, Side.ARTIST, Answer.GRANTED, expires_at=timezone.now() + timedelta(days=1)
    ),
    "the licence ended": lambda world: (
        Licence.objects.filter(pk=world.licence.pk).update(
            starts_on=date(2024, 1, 1), ends_on=date(2025, 1, 1)
        ),
    ),
    "the licence not started": lambda world: Licence.objects.filter(pk=world.licence.pk).update(
        starts_on=timezone.now().date() + timedelta(days=30)
    ),
    "withdrawn": lambda world: Work.objects.filter(pk=world.works[0].pk).update(
        withdrawn_at=timezone.now()
    ),
    "disputed": lambda world: Work.objects.filter(pk=world.works[0].pk).update(
        disputed_at=timezone.now()
    ),
    "a label policy": lambda world: policy_add(
        actor=world.manager, label=world.label, use_type=world.training
    ),
    "a date policy": lambda world: (
        Work.objects.filter(pk=world.works[0].pk).update(release_date=date(2010, 1, 1)),
        policy_add(actor=world.manager, label=world.label, released_before=date(2015, 1, 1)),
    ),
    "a condition the product cannot honour": lambda world: (
        vocabulary_seed(),
        say(world, Side.ARTIST, Answer.GRANTED, conditions=(Given("non_commercial"),)),
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED),
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_folded_facts_give_the_fallbacks_reasons(world: World, key: str, scenario: str) -> None:
    SCENARIOS[scenario](world)
    folded, fallback = both_ways(key, world, world.works[0])
    assert folded == fallback
    assert folded["permitted"] is False and folded["reasons"]


def test_a_suspended_product_and_a_use_it_does_not_ask_for(world: World, key: str) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    folded, fallback = both_ways(key, world, world.works[0])
    assert folded == fallback and "product_suspended" in folded["reasons"]
    folded, fallback = both_ways(key, world, world.works[0], use="lyrics")
    assert folded == fallback and "use_not_requested" in folded["reasons"]


def test_another_licence_of_the_licensee_for_another_label_does_not_count(
    world: World, key: str
) -> None:
    f.LicenceFactory(licensee=world.product.licensee, label=f.LabelFactory(), use_types=[])
    Licence.objects.filter(pk=world.licence.pk).delete()
    folded, fallback = both_ways(key, world, world.works[0])
    assert folded == fallback and "no_licence" in folded["reasons"]


def test_a_never_permitted_check_is_one_sql_query(
    world: World, key: str, django_assert_num_queries
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    check(key, world.works[0].isrc)  # the key's first use is recorded once
    with django_assert_num_queries(1):
        body = api(key).get(
            "/api/v1/permissions/check", {"isrc": world.works[0].isrc, "use": "training"}
        )
    assert body.json()["reasons"] == ["rights_holder_undecided"]
