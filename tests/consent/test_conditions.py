"""A yes with conditions, through the write path: recorded in the ledger (and its hash),
judged against what the product honours, announced as a change when the conditions of
a permitted use change, and carried by the check, the feed and the receipts."""

import pytest
from django.test import Client

from portal.api.services import api_key_issue
from portal.catalogue.models import Work
from portal.consent.changes import changes_after
from portal.consent.conditions import Given
from portal.consent.ledger.digest import HASHED, digest
from portal.consent.ledger.verify import verify
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    LedgerEntry,
    PermissionChange,
    Side,
    Tally,
)
from portal.consent.rules import Reason
from portal.consent.selectors import bulk_preview
from portal.consent.services import ConsentError, decision_set, decisions_set
from portal.consent.services.products import product_announce
from portal.licensing.models import Condition
from portal.receipts.signing import receipt_claims
from tests import factories as f
from tests.conftest import World, decider, say

CREDIT = Given("credit_required", "Ada Lane")
NON_COMMERCIAL = Given("non_commercial")
AS_JSON = [{"code": "credit_required", "credit": "Ada Lane"}, {"code": "non_commercial"}]


@pytest.fixture
def honouring(world: World) -> World:
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    return world


def check(world: World, work_index: int = 0) -> dict:
    raw = api_key_issue(product=world.product, name="conditions")[1]
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/v1/permissions/check", {"isrc": world.works[work_index].isrc, "use": "training"}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_yes_with_conditions_the_product_honours_is_permitted_under_them(
    honouring: World,
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT, NON_COMMERCIAL))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    answer = check(world)
    assert (answer["permitted"], answer["reasons"], answer["conditions"]) == (True, [], AS_JSON)
    change = PermissionChange.objects.get(product=world.product)
    assert (change.permitted, change.conditions) == (True, AS_JSON)
    assert changes_after(product_id=world.product.pk, after=0, limit=5)[0]["conditions"] == AS_JSON


def test_the_conditions_are_in_the_ledger_entry_its_hash_and_its_receipt(
    honouring: World,
) -> None:
    say(honouring, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT, NON_COMMERCIAL))
    entry = LedgerEntry.objects.get()
    assert entry.conditions == AS_JSON
    assert verify() == (1, None)
    assert receipt_claims(entry)["conditions"] == AS_JSON

    content = {name: getattr(entry, name) for name in HASHED}
    assert digest({**content, "conditions": AS_JSON}, entry.previous_digest) == entry.digest
    assert digest({**content, "conditions": AS_JSON[:1]}, entry.previous_digest) != entry.digest
    assert digest({**content, "conditions": []}, entry.previous_digest) != entry.digest


def test_other_conditions_on_a_permitted_use_are_a_change_though_it_stays_permitted(
    honouring: World,
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT,))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    outcome = say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT, NON_COMMERCIAL))

    assert (outcome.changed, outcome.flipped) == (1, 1)
    changes = list(
        PermissionChange.objects.filter(product=world.product)
        .order_by("seq")
        .values_list("seq", "permitted", "conditions")
    )
    assert changes == [
        (1, True, [{"code": "credit_required", "credit": "Ada Lane"}]),
        (2, True, AS_JSON),
    ]
    assert check(world)["conditions"] == AS_JSON
    # Still one permitted work in the tallies: a change of conditions is not a flip.
    assert (
        sum(Tally.objects.filter(use_type=world.training).values_list("permitted", flat=True)) == 1
    )


def test_the_same_conditions_again_change_nothing(honouring: World) -> None:
    say(honouring, Side.ARTIST, Answer.GRANTED, conditions=(NON_COMMERCIAL, CREDIT))
    outcome = say(honouring, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT, NON_COMMERCIAL))
    assert (outcome.changed, outcome.unchanged) == (0, 1)
    assert LedgerEntry.objects.count() == 1


def test_a_condition_the_product_cannot_honour_is_not_permitted_and_says_so(
    world: World,
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT,))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    answer = check(world)
    assert (answer["permitted"], answer["reasons"], answer["conditions"]) == (
        False,
        [Reason.CONDITION_NOT_SUPPORTED],
        [],
    )
    assert not PermissionChange.objects.exists()


def test_a_product_that_stops_honouring_a_condition_stops_the_use_at_once(
    honouring: World,
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT,))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    world.product.conditions_honoured.remove(Condition.objects.get(code="credit_required"))
    product_announce(product=world.product)

    permission = AnnouncedPermission.objects.get(product=world.product)
    assert (permission.permitted, permission.reasons, permission.conditions) == (
        False,
        [Reason.CONDITION_NOT_SUPPORTED],
        [],
    )
    assert check(world)["reasons"] == [Reason.CONDITION_NOT_SUPPORTED]


def test_a_no_clears_the_conditions_and_a_yes_after_it_has_none(honouring: World) -> None:
    say(honouring, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT,))
    say(honouring, Side.ARTIST, Answer.DENIED)
    say(honouring, Side.ARTIST, Answer.GRANTED)
    assert list(LedgerEntry.objects.values_list("answer", "conditions")) == [
        ("granted", [{"code": "credit_required", "credit": "Ada Lane"}]),
        ("denied", []),
        ("granted", []),
    ]


@pytest.mark.parametrize(
    ("answer", "conditions", "message"),
    [
        (Answer.DENIED, (NON_COMMERCIAL,), "Only a yes can have conditions."),
        (Answer.GRANTED, (Given("no_such_thing"),), "not a condition the portal knows"),
        (Answer.GRANTED, (Given("credit_required"),), "needs the credit line"),
        (Answer.GRANTED, (Given("credit_required", "  "),), "needs the credit line"),
        (Answer.GRANTED, (Given("non_commercial", "Ada"),), "only a credit"),
        (Answer.GRANTED, (Given("credit_required", "Ada\u202eenaL"),), "text-direction"),
        (Answer.GRANTED, (Given("credit_required", "A" * 201),), "at most 200"),
        (Answer.GRANTED, (Given("territories"),), "at least one country"),
        (Answer.GRANTED, (Given("territories", allow=("UK",)),), "ISO 3166-1"),
        (Answer.GRANTED, (Given("territories", allow=("gb",)),), "ISO 3166-1"),
        (Answer.GRANTED, (NON_COMMERCIAL, NON_COMMERCIAL), "once"),
    ],
)
def test_conditions_outside_the_vocabulary_or_its_parameters_are_refused_whole(
    world: World, answer: str, conditions: tuple[Given, ...], message: str
) -> None:
    with pytest.raises(ConsentError, match=message):
        say(world, Side.ARTIST, answer, conditions=conditions)
    assert not LedgerEntry.objects.exists()


def test_the_bulk_check_carries_each_items_conditions(honouring: World) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT, NON_COMMERCIAL))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    raw = api_key_issue(product=world.product, name="bulk")[1]
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/v1/permissions/check",
        {"items": [{"isrc": w.isrc, "use": "training"} for w in world.works[:2]]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [r["conditions"] for r in response.json()["results"]] == [AS_JSON, []]


def test_a_bulk_yes_replaces_a_yes_with_conditions_and_its_preview_says_so(
    honouring: World,
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(CREDIT,))
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1])
    works = Work.objects.filter(pk__in=[w.pk for w in world.works[:2]])
    preview = bulk_preview(
        product=world.product,
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        works=works,
        now=LedgerEntry.objects.latest("position").at,
    )
    outcome = decisions_set(
        actor=world.artist_user,
        product=world.product,
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        works=works,
    )
    assert (preview.total, preview.already) == (2, 1)
    assert (outcome.changed, outcome.unchanged) == (1, 1)


def test_the_same_conditions_permit_where_honoured_and_not_where_not(honouring: World) -> None:
    """Tunesmith declares credit and non-commercial; Stemify, asking for stems and remix,
    declares neither: the same conditional yes permits on one and not on the other."""
    world = honouring
    stems = f.UseTypeFactory(slug="stems_remix", name="Stems and remix")
    stemify = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=stemify, use_type=stems)
    f.LicenceFactory(licensee=stemify.licensee, label=world.label, use_types=[stems])
    both = (CREDIT, NON_COMMERCIAL)
    for product, use in ((world.product, world.training), (stemify, stems)):
        for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
            decision_set(
                actor=decider(world, side, world.works[0]),
                product=product,
                work=world.works[0],
                use_type=use,
                side=side,
                answer=Answer.GRANTED,
                conditions=both if side == Side.ARTIST else (),
            )
    for product, use, expected in (
        (world.product, "training", (True, [], AS_JSON)),
        (stemify, "stems_remix", (False, [Reason.CONDITION_NOT_SUPPORTED], [])),
    ):
        raw = api_key_issue(product=product, name="check")[1]
        answer = (
            Client(headers={"Authorization": f"Bearer {raw}"})
            .get("/api/v1/permissions/check", {"isrc": world.works[0].isrc, "use": use})
            .json()
        )
        assert (answer["permitted"], answer["reasons"], answer["conditions"]) == expected
