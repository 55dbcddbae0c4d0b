"""The bulk check answers each pair as the single check does, whatever made it permitted
or not, in a constant number of queries: on PostgreSQL from two prepared statements, and
elsewhere through the facts layer, which the statements are held to as well."""

import gc
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from portal.api import bulk
from portal.api.keys import key_hash
from portal.api.schemas import BulkCheckRequest
from portal.api.selectors import key_context, use_type_ids
from portal.api.services import api_key_issue
from portal.api.views import _well_formed
from portal.catalogue.models import Work
from portal.consent.conditions import Given
from portal.consent.models import AnnouncedPermission, Answer, Decision, DisputeReason, Side
from portal.consent.services import dispute_raise, policy_add, works_withdraw
from portal.licensing.models import Condition
from tests import factories as f
from tests.api.test_check import CHECK, NOT_IN_CATALOGUE_ISRC, api, check, grant_both
from tests.api.test_check import bulk as bulk_post
from tests.api.test_check_folded import SCENARIOS
from tests.conftest import World, say

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the prepared statements are PostgreSQL's"
)
USES = ("training", "style_generation", "lyrics")


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product, name="tests")[1]


def every_kind(world: World) -> list[Work]:
    """Works of the label each answered differently for training, beside the world's own
    (one nobody answered among them), and a policy of the other label against style."""
    permitted, denied, credited, unhonoured, lapsed, withdrawn, disputed = (
        f.WorkFactory(primary_artist=world.artist) for _ in range(7)
    )
    grant_both(world, permitted)
    grant_both(world, denied)
    say(world, Side.ARTIST, Answer.DENIED, denied)
    world.product.conditions_honoured.set(Condition.objects.filter(code="credit_required"))
    grant_both(world, credited, conditions=(Given("credit_required", "Ada Lane"),))
    say(world, Side.ARTIST, Answer.GRANTED, unhonoured, conditions=(Given("non_commercial"),))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, unhonoured)
    # A yes past its expiry that the clock has not announced yet: the row still says
    # permitted, and the rule must say why not.
    grant_both(world, lapsed, expires_at=timezone.now() + timedelta(days=1))
    past = timezone.now() - timedelta(seconds=1)
    Decision.objects.filter(work=lapsed).update(expires_at=past)
    AnnouncedPermission.objects.filter(work=lapsed).update(lapses_at=past)
    grant_both(world, withdrawn)
    works_withdraw(work_ids=[withdrawn.pk])
    grant_both(world, disputed)
    dispute_raise(
        actor=world.manager, work=disputed, reason=DisputeReason.WRONG_CREDITS, note="Not ours."
    )
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1], world.style)
    policy_add(actor=world.other_manager, label=world.other_label, use_type=world.style)
    return [permitted, denied, credited, unhonoured, lapsed, withdrawn, disputed]


UNKNOWN = {"isrc": NOT_IN_CATALOGUE_ISRC, "use": "training"}


def every_item() -> list[dict[str, str]]:
    """Every work for every use, an ISRC not in the catalogue, and a pair asked twice."""
    pairs = [{"isrc": isrc, "use": use} for isrc in isrcs() for use in USES]
    return [UNKNOWN, *pairs, pairs[0]]


def isrcs() -> list[str]:
    return list(Work.objects.order_by("pk").values_list("isrc", flat=True))


def test_every_kind_of_answer_is_the_single_checks(world: World, key: str) -> None:
    credited = every_kind(world)[2]
    unknown, *results = bulk_post(key, every_item()).json()["results"]
    assert unknown["reasons"] == ["not_in_catalogue"] and unknown["permitted"] is False
    assert results == [check(key, item["isrc"], item["use"]) for item in every_item()[1:]]
    reasons = {reason for result in results for reason in result["reasons"]}
    assert reasons >= {
        "artist_undecided",
        "artist_denied",
        "artist_expired",
        "condition_not_supported",
        "work_withdrawn",
        "work_disputed",
        "label_policy",
        "use_not_requested",
    }
    answer = next(r for r in results if (r["isrc"], r["use"]) == (credited.isrc, "training"))
    assert answer["permitted"] is True
    assert answer["conditions"] == [{"code": "credit_required", "credit": "Ada Lane"}]


def answers_both_ways(raw: str, items: list[dict[str, str]]) -> tuple[list, list]:
    """The statements' answers and the facts layer's, for the same items at one instant."""
    key = key_context(key_hash=key_hash(raw))
    assert key is not None
    pairs = [(item["isrc"], item["use"]) for item in items]
    known = use_type_ids(slugs=set(USES))
    now = timezone.now()
    folded = bulk._checks_folded(key=key, items=pairs, use_ids=known, now=now)
    by_facts = bulk._checks_by_facts(key=key, items=pairs, use_ids=known, now=now)
    return [c.model_dump() for c in folded], [c.model_dump() for c in by_facts]


@postgresql_only
def test_the_statements_answer_as_the_facts_layer_does_for_every_kind(world, key) -> None:
    every_kind(world)
    folded, by_facts = answers_both_ways(key, every_item())
    assert folded == by_facts


@postgresql_only
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_statements_answer_as_the_facts_layer_does(world, key, scenario: str) -> None:
    SCENARIOS[scenario](world)
    folded, by_facts = answers_both_ways(key, every_item())
    assert folded == by_facts


@postgresql_only
def test_the_bulk_statement_is_prepared_once_per_connection(world: World, key: str) -> None:
    for work in world.works:
        assert bulk_post(key, [{"isrc": work.isrc, "use": "training"}]).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%FROM unnest($%"],
        )
        prepared, runs = cursor.fetchone()
    assert (prepared, runs) == (1, len(world.works))


def test_unknown_keys_in_the_body_and_its_items_are_ignored(world: World, key: str) -> None:
    item = {"isrc": world.works[0].isrc.lower(), "use": "training", "note": "mine"}
    response = api(key).post(CHECK, {"items": [item], "page": 1}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["isrc"] == world.works[0].isrc


KNOWN = {"training": 1, "style_generation": 2}
ISRCS = ["USRC17607839", "usrc17607839", " US-RC1-76-07839 ", "USRC1760783", "x", "", 7, None]
NAMED = ["training", "style_generation", "karaoke", "", "train\x00ing", 7, None]
ITEM = st.fixed_dictionaries(
    {}, optional={"isrc": st.sampled_from(ISRCS), "use": st.sampled_from(NAMED), "n": st.none()}
)


@given(st.lists(ITEM | st.sampled_from(["item", 1, None, []]), max_size=6))
def test_the_quick_reading_of_the_items_is_the_models(items: list) -> None:
    try:
        request = BulkCheckRequest.model_validate({"items": items}, context={"uses": KNOWN})
        read = [(item.isrc, item.use) for item in request.items]
    except ValidationError:
        read = None
    assert _well_formed(items, KNOWN) == read


def test_collections_pause_while_a_bulk_check_is_answered_and_resume_after(
    world: World, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    answering = bulk.checks_bulk

    def watched(**kwargs: object) -> object:
        seen.append(gc.isenabled())
        return answering(**kwargs)

    monkeypatch.setattr("portal.api.views.checks_bulk", watched)
    assert bulk_post(key, [{"isrc": world.works[0].isrc, "use": "training"}]).status_code == 200
    assert seen == [False] and gc.isenabled()
    assert bulk_post(key, [{"isrc": "not-an-isrc", "use": "training"}]).status_code == 400
    assert gc.isenabled()


def test_collections_a_caller_paused_stay_paused() -> None:
    gc.disable()
    try:
        with bulk.collections_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
