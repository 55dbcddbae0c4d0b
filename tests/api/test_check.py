"""The consent check, single and bulk: the hottest path, answered from the committed truth."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.api.services import api_key_issue, api_key_revoke
from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, Answer, ChangeCounter, Decision, Side
from portal.consent.rules import Reason
from portal.consent.services import decisions_set, product_set_status
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World, say

CHECK = "/api/v1/permissions/check"
NOT_IN_CATALOGUE_ISRC = "USRC17607839"  # well formed, and no factory makes it


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product, name="tests")[1]


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def check(raw: str, isrc: str, use: str = "training") -> dict:
    response = api(raw).get(CHECK, {"isrc": isrc, "use": use})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def grant_both(world: World, work: Work | None = None, **kwargs: object) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work, **kwargs)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work, **kwargs)


def version(world: World) -> int:
    return ChangeCounter.objects.get(product=world.product).last


# --- the single check --------------------------------------------------------------------


def test_a_work_both_sides_granted_is_permitted_with_the_products_version(world, key):
    grant_both(world)
    assert check(key, world.works[0].isrc) == {
        "isrc": world.works[0].isrc,
        "use": "training",
        "permitted": True,
        "reasons": [],
        "conditions": [],
        "version": version(world),
    }


def test_a_work_nobody_answered_is_not_permitted_and_says_who_it_waits_for(world, key):
    answer = check(key, world.works[1].isrc)
    assert answer["permitted"] is False
    assert answer["reasons"] == [Reason.ARTIST_UNDECIDED, Reason.RIGHTS_HOLDER_UNDECIDED]
    assert answer["version"] == 0


def test_one_sides_yes_alone_is_not_permitted(world, key):
    say(world, Side.ARTIST, Answer.GRANTED)
    answer = check(key, world.works[0].isrc)
    assert (answer["permitted"], answer["reasons"]) == (False, [Reason.RIGHTS_HOLDER_UNDECIDED])


def test_the_check_right_after_a_revocation_commits_says_not_permitted(world, key):
    grant_both(world)
    assert check(key, world.works[0].isrc)["permitted"] is True
    say(world, Side.ARTIST, Answer.DENIED)
    answer = check(key, world.works[0].isrc)
    assert (answer["permitted"], answer["reasons"]) == (False, [Reason.ARTIST_DENIED])
    assert answer["version"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_committed_revocation_is_what_the_next_check_reads(world, key):
    # Real commits, no test transaction around them: the check reads the committed row.
    grant_both(world)
    assert check(key, world.works[0].isrc)["permitted"] is True
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    assert check(key, world.works[0].isrc)["permitted"] is False


def test_a_suspension_is_not_permitted_at_once(world, key):
    grant_both(world)
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    answer = check(key, world.works[0].isrc)
    assert answer["permitted"] is False
    assert Reason.PRODUCT_SUSPENDED in answer["reasons"]


def test_a_permission_past_its_lapse_is_not_permitted_before_anyone_announces_it(world, key):
    grant_both(world, expires_at=timezone.now() + timedelta(days=1))
    assert check(key, world.works[0].isrc)["permitted"] is True
    # The clock passes the artist's expiry; the minute sweep has not run yet.
    past = timezone.now() - timedelta(seconds=1)
    Decision.objects.filter(side=Side.ARTIST).update(expires_at=past)
    AnnouncedPermission.objects.update(lapses_at=past)
    answer = check(key, world.works[0].isrc)
    assert answer["permitted"] is False
    assert Reason.ARTIST_EXPIRED in answer["reasons"]


def test_the_isrc_may_be_written_with_hyphens_and_in_lower_case(world, key):
    isrc = world.works[0].isrc
    spaced = f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}".lower()
    assert check(key, spaced)["isrc"] == isrc


def test_a_permitted_check_is_one_sql_query_key_included(world, key, django_assert_num_queries):
    grant_both(world)
    check(key, world.works[0].isrc)  # the key's first use records it; later ones don't
    with django_assert_num_queries(1):
        answer = check(key, world.works[0].isrc)
    assert answer["permitted"] is True


def test_a_denied_check_is_one_sql_query_too(world, key, django_assert_num_queries):
    grant_both(world)
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    check(key, world.works[0].isrc)
    with django_assert_num_queries(1):
        assert check(key, world.works[0].isrc)["reasons"] == [Reason.RIGHTS_HOLDER_DENIED]


def test_another_products_key_gets_its_own_products_answer(world, key):
    grant_both(world)
    other = f.ProductFactory(slug="echo", name="Echo")
    other_key = api_key_issue(product=other)[1]
    answer = check(other_key, world.works[0].isrc)
    assert answer["permitted"] is False
    assert Reason.USE_NOT_REQUESTED in answer["reasons"]
    assert Reason.NO_LICENCE in answer["reasons"]
    assert answer["version"] == 0


# --- the single check's errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": "Bearer not a key"},
        {"Authorization": "Bearer cp_live_" + "x" * 43},
    ],
    ids=["none", "basic", "empty", "blank", "spaces", "unknown"],
)
def test_a_request_without_a_valid_key_is_401_json(world, headers):
    response = Client(headers=headers).get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_revoked_key_is_401_from_the_next_request(world, key):
    from portal.api.models import ApiKey

    check(key, world.works[0].isrc)
    api_key_revoke(key=ApiKey.objects.get())
    response = api(key).get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
    assert response.status_code == 401


def test_a_malformed_isrc_is_400_invalid_isrc(world, key):
    response = api(key).get(CHECK, {"isrc": "USRC1760783", "use": "training"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_isrc"


def test_a_malformed_isrc_with_a_bad_key_is_still_401(world):
    response = api("cp_live_" + "y" * 43).get(CHECK, {"isrc": "nonsense", "use": "training"})
    assert response.status_code == 401


def test_an_unknown_use_is_400_unknown_use(world, key):
    response = api(key).get(CHECK, {"isrc": world.works[0].isrc, "use": "karaoke"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_use"


def test_a_well_formed_isrc_not_in_the_catalogue_is_404(world, key):
    response = api(key).get(CHECK, {"isrc": NOT_IN_CATALOGUE_ISRC, "use": "training"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_missing_parameters_are_400(world, key):
    assert api(key).get(CHECK).json()["error"]["code"] == "invalid_isrc"
    response = api(key).get(CHECK, {"isrc": world.works[0].isrc})
    assert response.json()["error"]["code"] == "unknown_use"


# --- the bulk check -------------------------------------------------------------------------


def bulk(raw: str, items: list[dict], **headers: str):
    return api(raw).post(CHECK, {"items": items}, content_type="application/json", headers=headers)


def test_a_bulk_check_answers_every_item_in_order(world, key):
    grant_both(world)
    items = [
        {"isrc": world.works[0].isrc, "use": "training"},
        {"isrc": world.works[1].isrc, "use": "training"},
        {"isrc": world.works[0].isrc, "use": "style_generation"},
        {"isrc": NOT_IN_CATALOGUE_ISRC, "use": "training"},
        {"isrc": world.works[0].isrc, "use": "lyrics"},
        {"isrc": world.works[0].isrc, "use": "training"},
    ]
    response = bulk(key, items)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["isrc"], r["use"]) for r in results] == [(i["isrc"], i["use"]) for i in items]
    assert [r["permitted"] for r in results] == [True, False, False, False, False, True]
    assert results[1]["reasons"] == [Reason.ARTIST_UNDECIDED, Reason.RIGHTS_HOLDER_UNDECIDED]
    assert results[3]["reasons"] == ["not_in_catalogue"]
    assert Reason.USE_NOT_REQUESTED in results[4]["reasons"]
    assert {r["version"] for r in results} == {version(world)}


def test_a_bulk_check_agrees_with_single_checks(world, key):
    grant_both(world)
    say(world, Side.ARTIST, Answer.DENIED, world.works[1])
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[2], world.style)
    pairs = [(w.isrc, u) for w in Work.objects.all() for u in ("training", "style_generation")]
    results = bulk(key, [{"isrc": i, "use": u} for i, u in pairs]).json()["results"]
    assert results == [check(key, isrc, use) for isrc, use in pairs]


def test_a_bulk_check_of_1000_items_makes_as_many_queries_as_one_of_10(
    world, key, django_assert_max_num_queries
):
    label, artist = world.label, world.artist
    Work.objects.bulk_create(
        Work(isrc=f.isrc_for(50_000 + n), title=f"Bulk {n}", primary_artist=artist, label=label)
        for n in range(1000)
    )
    works = Work.objects.filter(title__startswith="Bulk ")
    for side, actor in ((Side.ARTIST, world.artist_user), (Side.RIGHTS_HOLDER, world.manager)):
        decisions_set(
            actor=actor,
            product=world.product,
            use_type=world.training,
            side=side,
            answer=Answer.GRANTED,
            works=works.filter(title__endswith="0"),
        )
    isrcs = list(works.order_by("isrc").values_list("isrc", flat=True))
    bulk(key, [{"isrc": isrcs[0], "use": "training"}])  # records the key's first use

    # The key, the use types, then on PostgreSQL the pairs and what the rule reads once
    # for those no stored row answers; elsewhere works, permissions and the rule's facts.
    ceiling = 4 if connection.vendor == "postgresql" else 9
    counts = []
    for n in (10, 1000):
        items = [
            {"isrc": i, "use": ("training", "style_generation")[k % 2]}
            for k, i in enumerate(isrcs[:n])
        ]
        with django_assert_max_num_queries(ceiling) as queries:
            response = bulk(key, items)
        results = response.json()["results"]
        assert len(results) == n
        assert any(r["permitted"] for r in results) and not all(r["permitted"] for r in results)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_more_than_1000_items_is_413_too_many_items(world, key):
    response = bulk(key, [{"isrc": world.works[0].isrc, "use": "training"}] * 1001)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_items"


def test_a_bulk_check_with_bad_items_is_400_naming_each_and_answers_none(world, key):
    items = [
        {"isrc": world.works[0].isrc, "use": "training"},
        {"isrc": "not-an-isrc", "use": "training"},
        {"isrc": world.works[0].isrc, "use": "karaoke"},
        {"use": "training"},
        "a string",
    ]
    response = bulk(key, items)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [(d["index"], d["code"]) for d in error["details"]] == [
        (1, "invalid_isrc"),
        (2, "unknown_use"),
        (3, "invalid_isrc"),
        (4, "invalid_isrc"),
        (4, "unknown_use"),
    ]


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '{"items": "all"}', '{"items": {"isrc": "x"}}', '"items"', "NaN"],
)
def test_a_bulk_check_with_a_malformed_body_is_400_invalid_request(world, key, body):
    response = api(key).post(CHECK, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_bulk_check_without_a_key_is_401(world):
    response = Client().post(CHECK, {"items": []}, content_type="application/json")
    assert response.status_code == 401


def test_an_empty_bulk_check_answers_nothing(world, key):
    assert bulk(key, []).json() == {"results": []}
