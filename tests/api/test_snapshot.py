"""GET /api/v1/permissions/snapshot: the product's whole permitted state as gzip'd NDJSON,
its first line naming the seq it is consistent with.

The snapshot reads on a database connection of its own, which sees only committed rows:
these tests commit theirs (transactional)."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from portal.api.models import ApiKey
from portal.api.services import api_key_issue, api_key_revoke
from portal.api.views import snapshot as snapshot_views
from portal.consent.conditions import Given
from portal.consent.models import AnnouncedPermission, Answer, Side
from portal.consent.services import decision_set
from portal.licensing.models import Condition
from tests import factories as f
from tests.api.snapshots import SNAPSHOT, api, checked, lines_of, replica_of, snapshot_taken
from tests.conftest import World, decider, say

pytestmark = pytest.mark.django_db(transaction=True)

CREDITED = {"code": "credit_required", "credit": "Ada Lane"}
NON_COMMERCIAL = {"code": "non_commercial"}


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def permit(world: World, work=None, use=None, **artist) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work, use, **artist)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work, use)


def test_the_snapshot_is_gzipped_ndjson_whose_first_line_names_its_seq(world, key):
    permit(world)
    response = api(key).get(SNAPSHOT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body[:2] == b"\x1f\x8b"
    head, rows = lines_of(body)
    assert head["seq"] == 1
    assert head["product"] == "tunesmith"
    assert head["from_isrc"] is None
    generated = timezone.datetime.fromisoformat(head["generated_at"])
    assert abs(generated - timezone.now()) < timedelta(minutes=1)
    assert head["generated_at"].endswith("Z")
    assert rows == [{"isrc": world.works[0].isrc, "use": "training", "conditions": []}]


def test_a_product_with_nothing_permitted_gets_the_head_alone(world, key):
    head, rows = snapshot_taken(key)
    assert (head["seq"], rows) == (0, [])


def test_only_permitted_pairs_are_listed_in_isrc_then_use_order(world, key):
    permit(world, world.works[2], world.style)
    permit(world, world.works[0])
    permit(world, world.works[2])
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])  # one side only
    permit(world, world.works[1], world.style)
    say(world, Side.ARTIST, Answer.DENIED, world.works[1], world.style)  # permitted, then no
    head, rows = snapshot_taken(key)
    assert head["seq"] == 5
    assert [(row["isrc"], row["use"]) for row in rows] == [
        (world.works[0].isrc, "training"),
        (world.works[2].isrc, "style_generation"),
        (world.works[2].isrc, "training"),
    ]
    assert replica_of(rows) == checked(key, world.works, ["training", "style_generation"])


def test_conditions_are_listed_as_the_check_writes_them(world, key):
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    permit(world, conditions=(Given("non_commercial"), Given("credit_required", "Ada Lane")))
    _, rows = snapshot_taken(key)
    assert rows[0]["conditions"] == [CREDITED, NON_COMMERCIAL]
    assert replica_of(rows) == checked(key, world.works, ["training"])


def test_a_yes_past_its_expiry_is_not_listed_before_the_clock_announces_it(world, key):
    permit(world, world.works[0])
    permit(world, world.works[1])
    AnnouncedPermission.objects.filter(work=world.works[1]).update(
        lapses_at=timezone.now() - timedelta(seconds=1)
    )
    _, rows = snapshot_taken(key)
    assert replica_of(rows) == checked(key, world.works, ["training"])
    assert [row["isrc"] for row in rows] == [world.works[0].isrc]


def test_a_key_sees_only_its_own_products_permissions(world, key):
    permit(world, world.works[0])
    other = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=other, use_type=world.training)
    f.LicenceFactory(licensee=other.licensee, label=world.label, use_types=[world.training])
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        for work in world.works[1:]:
            decision_set(
                actor=decider(world, side, work),
                product=other,
                work=work,
                use_type=world.training,
                side=side,
                answer=Answer.GRANTED,
            )
    other_key = api_key_issue(product=other)[1]
    head, rows = snapshot_taken(other_key)
    assert (head["product"], head["seq"]) == ("stemify", 2)
    assert sorted(row["isrc"] for row in rows) == [w.isrc for w in world.works[1:]]
    head, rows = snapshot_taken(key)
    assert (head["product"], head["seq"]) == ("tunesmith", 1)
    assert [row["isrc"] for row in rows] == [world.works[0].isrc]


def test_from_isrc_resumes_at_that_isrc_in_a_snapshot_of_its_own(world, key):
    for work in world.works:
        permit(world, work)
    head, rows = snapshot_taken(key, from_isrc=world.works[1].isrc.lower())
    assert head["from_isrc"] == world.works[1].isrc
    assert [row["isrc"] for row in rows] == [w.isrc for w in world.works[1:]]


def json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code


def test_a_malformed_from_isrc_is_a_json_400(world, key):
    json_error(api(key).get(SNAPSHOT, {"from_isrc": "not-an-isrc"}), 400, "invalid_isrc")


def test_without_a_valid_key_it_is_a_json_401(world, key):
    json_error(Client().get(SNAPSHOT), 401, "unauthorized")
    json_error(api("cp_live_" + "x" * 43).get(SNAPSHOT), 401, "unauthorized")
    api_key_revoke(key=ApiKey.objects.get(product=world.product))
    json_error(api(key).get(SNAPSHOT), 401, "unauthorized")


def test_other_methods_are_a_json_405(world, key):
    json_error(api(key).post(SNAPSHOT), 405, "method_not_allowed")


@override_settings(API_RATE_LIMIT="1/hour")
def test_a_snapshot_counts_against_the_keys_rate_limit(world, key):
    assert api(key).get(SNAPSHOT).status_code == 200
    response = api(key).get(SNAPSHOT)
    json_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1


def backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def settles_at(count: int) -> bool:
    deadline = time.monotonic() + 5
    while backends() != count and time.monotonic() < deadline:
        time.sleep(0.05)
    return backends() == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="counts PostgreSQL backends")
def test_a_client_that_goes_away_mid_stream_leaves_no_transaction_open(world, key, monkeypatch):
    for work in world.works:
        permit(world, work)
    monkeypatch.setattr("portal.api.snapshot.BATCH", 1)
    monkeypatch.setattr(snapshot_views, "CHUNK", 0)  # a part per batch
    before = backends()
    request = RequestFactory().get(SNAPSHOT, headers={"Authorization": f"Bearer {key}"})
    response = snapshot_views.snapshot_view(request)
    stream = iter(response.streaming_content)
    next(stream), next(stream)  # the head, and one row
    assert backends() == before + 1
    response.close()  # what the server does when the client hangs up
    assert settles_at(before)
    # Never read at all (a HEAD, a client gone before the first byte): closed too.
    snapshot_views.snapshot_view(request).close()
    assert settles_at(before)
