"""Training manifests and the obligations withdrawals open: a manifest is checked against
the permissions when its model was trained, and settles the product's open obligations
(left out: honoured; still in: a breach; permitted again first: lapsed)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.api.services import api_key_issue
from portal.api.views import training as training_views
from portal.consent.models import Answer, Side
from portal.licensing.models import Licence
from portal.notifications.models import Notification
from portal.training.models import Manifest, ObligationOutcome
from tests import factories as f
from tests.conftest import World, logged_in, say

MANIFESTS = "/api/v1/training-manifests"
THEN = datetime(2026, 9, 1, 12, tzinfo=UTC)


@pytest.fixture
def api(world: World) -> Client:
    raw = api_key_issue(product=world.product, name="training")[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def withdrawn(world: World) -> World:
    """Training of works 0 and 1 permitted on 1 Sep; the artist said no to work 0 on 10 Sep."""
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    with time_machine.travel(THEN):
        for work in world.works[:2]:
            say(world, Side.ARTIST, Answer.GRANTED, work=work)
            say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    with time_machine.travel(THEN + timedelta(days=9)):
        say(world, Side.ARTIST, Answer.DENIED, work=world.works[0])
    return world


def manifest(world: World, indexes: range, **extra: object) -> dict:
    return {
        "model": "tunesmith-gen",
        "version": "2.0",
        "trained_at": "2026-10-01T00:00:00Z",
        "items": [{"isrc": world.works[i].isrc, "use": "training"} for i in indexes],
        **extra,
    }


def post(api: Client, url: str, body: object, **headers: str):
    return api.post(url, body, content_type="application/json", headers=headers)


def streamed(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


def obligations(api: Client, status: str = "open") -> list[dict]:
    response = api.get("/api/v1/obligations", {"status": status})
    assert response.status_code == 200, response.content
    return response.json()["obligations"]


def test_a_withdrawal_of_training_opens_an_obligation_and_says_so(
    withdrawn: World, api: Client
) -> None:
    feed = api.get("/api/v1/permissions/changes").json()["changes"]
    assert [(c["permitted"], c["opens_obligation"]) for c in feed] == [
        (True, False),
        (True, False),
        (False, True),
    ]
    [open_] = obligations(api)
    assert (open_["isrc"], open_["use"], open_["status"], open_["seq"]) == (
        withdrawn.works[0].isrc,
        "training",
        "open",
        3,
    )


def test_a_manifest_including_a_withdrawn_work_is_a_breach_the_artist_sees(
    withdrawn: World, api: Client, artist_client: Client
) -> None:
    world = withdrawn
    response = post(api, MANIFESTS, manifest(world, range(3)))
    assert response.status_code == 201, response.content
    checked = response.json()
    assert checked["complete"] is True and checked["items"] == 3
    assert checked["unpermitted"] == [
        {"isrc": world.works[0].isrc, "use": "training", "reasons": ["artist_denied"]},
        {"isrc": world.works[2].isrc, "use": "training", "reasons": ["never_permitted"]},
    ]
    assert [(b["isrc"], b["seq"]) for b in checked["breaches"]] == [(world.works[0].isrc, 3)]
    assert obligations(api) == []
    [breach] = obligations(api, "breached")
    assert breach["settled_by"] == {"model": "tunesmith-gen", "version": "2.0"}

    history = artist_client.get(reverse("work_history", args=[world.works[0].pk]))
    said = " ".join(html.fromstring(history.content).text_content().split())
    assert "Included in Tunesmith model tunesmith-gen 2.0 (trained 1 Oct 2026) for training" in said
    assert "after it was withdrawn: a breach" in said
    assert (
        "Training for Tunesmith, withdrawn on 10 Sep 2026: still in tunesmith-gen 2.0: a breach."
        in said
    )
    assert Notification.objects.filter(user=world.artist_user, kind="training").count() == 1
    assert Notification.objects.filter(user=world.staff, kind="training").exists()


def test_a_model_that_left_the_work_out_honoured_the_withdrawal(
    withdrawn: World, api: Client
) -> None:
    checked = post(api, MANIFESTS, manifest(withdrawn, range(1, 2))).json()
    assert (checked["unpermitted"], checked["breaches"]) == ([], [])
    assert [o["status"] for o in obligations(api, "honoured")] == ["honoured"]
    history = logged_in(withdrawn.artist_user).get(
        reverse("work_history", args=[withdrawn.works[0].pk])
    )
    said = " ".join(html.fromstring(history.content).text_content().split())
    assert "withdrawn on 10 Sep 2026: left out of tunesmith-gen 2.0, as it had to be." in said
    assert not Notification.objects.filter(kind="training").exists()


def test_a_work_permitted_again_before_training_lapses_its_obligation(
    withdrawn: World, api: Client
) -> None:
    with time_machine.travel(THEN + timedelta(days=20)):
        say(withdrawn, Side.ARTIST, Answer.GRANTED, work=withdrawn.works[0])
    assert obligations(api) == []  # permitted again: nothing binds the next model
    checked = post(api, MANIFESTS, manifest(withdrawn, range(2))).json()
    assert (checked["unpermitted"], checked["breaches"]) == ([], [])
    assert ObligationOutcome.objects.get().outcome == "lapsed"


def test_a_manifest_in_parts_is_checked_on_completion_and_the_same_after(
    withdrawn: World, api: Client
) -> None:
    world = withdrawn
    first = post(api, MANIFESTS, manifest(world, range(1, 2), complete=False))
    assert first.status_code == 202, first.content
    assert first.json() == {
        "id": first.json()["id"],
        "model": "tunesmith-gen",
        "version": "2.0",
        "complete": False,
        "items": 1,
    }
    url = f"{MANIFESTS}/{first.json()['id']}"
    more = post(api, f"{url}/items", {"items": [{"isrc": world.works[0].isrc, "use": "training"}]})
    assert (more.status_code, more.json()["items"]) == (202, 2)
    done = post(api, f"{url}/complete", None)
    assert done.status_code == 200
    checked = streamed(done)
    assert [b["isrc"] for b in checked["breaches"]] == [world.works[0].isrc]
    assert streamed(post(api, f"{url}/complete", None)) == checked
    late = post(api, f"{url}/items", {"items": [{"isrc": world.works[2].isrc, "use": "training"}]})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "conflict")


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"trained_at": "2099-01-01T00:00:00Z"}, "trained_at", "between 1990 and now"),
        ({"trained_at": "yesterday"}, "trained_at", "RFC 3339"),
        ({"trained_at": "2026-09-01T00:00:00"}, "trained_at", "with its offset"),
        ({"model": "a\u202eb"}, "model", "text-direction"),
        ({"items": [{"isrc": "not an isrc", "use": "training"}]}, "isrc", "not a valid ISRC"),
        ({"items": [{"isrc": "USRC17607839", "use": "training"}]}, "isrc", "not in the catalogue"),
        ({"items": "all of them"}, "items", "as a list"),
        ({"complete": "no"}, "complete", "true or false"),
    ],
)
def test_a_manifest_with_a_mistake_is_refused_whole(
    withdrawn: World, api: Client, change: dict, field: str, said: str
) -> None:
    response = post(api, MANIFESTS, manifest(withdrawn, range(2)) | change)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_manifest"
    assert any(field in d["field"] and said in d["message"] for d in error["details"]), error
    assert not Manifest.objects.exists()


def test_the_same_model_version_twice_is_a_conflict_but_a_replay_is_not(
    withdrawn: World, api: Client
) -> None:
    body = manifest(withdrawn, range(2))
    first = post(api, MANIFESTS, body, **{"Idempotency-Key": "k1"})
    replay = post(api, MANIFESTS, body, **{"Idempotency-Key": "k1"})
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    again = post(api, MANIFESTS, body)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")


def test_another_products_manifest_is_not_found(withdrawn: World, api: Client) -> None:
    other = f.ProductFactory(slug="other", name="Other")
    raw = api_key_issue(product=other, name="other")[1]
    mine = post(api, MANIFESTS, manifest(withdrawn, range(1), complete=False)).json()["id"]
    theirs = Client(headers={"Authorization": f"Bearer {raw}"})
    response = post(theirs, f"{MANIFESTS}/{mine}/complete", None)
    assert response.status_code == 404
    assert theirs.get("/api/v1/obligations").json()["obligations"] == []


def test_a_completion_streams_any_number_of_findings_as_one_json_answer(
    withdrawn: World, api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training_views, "STREAM_BATCH", 2)
    works = f.WorkFactory.create_batch(5, primary_artist=withdrawn.artist)
    items = [{"isrc": w.isrc, "use": "training"} for w in [*withdrawn.works, *works]]
    body = manifest(withdrawn, range(0), items=items, complete=False)
    url = f"{MANIFESTS}/{post(api, MANIFESTS, body).json()['id']}"
    checked = streamed(post(api, f"{url}/complete", None))
    # Every work but the one still permitted (work 1), in the order sent.
    assert [u["isrc"] for u in checked["unpermitted"]] == [
        i["isrc"] for i in items if i["isrc"] != withdrawn.works[1].isrc
    ]
    assert len(checked["breaches"]) == 1


def test_the_artists_home_counts_the_breaches_on_the_products_card(
    withdrawn: World, api: Client, artist_client: Client
) -> None:
    post(api, MANIFESTS, manifest(withdrawn, range(2)))
    home = artist_client.get(reverse("artist_home", args=[withdrawn.artist.pk]))
    said = " ".join(html.fromstring(home.content).text_content().split())
    assert "Tunesmith's models include 1 of your works after you withdrew them: 1 breach" in said


def test_staff_read_a_manifest_and_what_it_breached_in_admin(withdrawn: World, api: Client) -> None:
    post(api, MANIFESTS, manifest(withdrawn, range(2)))
    staff = logged_in(withdrawn.staff)
    listing = staff.get(reverse("admin:training_manifest_changelist"))
    assert listing.status_code == 200 and "tunesmith-gen" in listing.content.decode()
    page = staff.get(reverse("admin:training_manifest_change", args=[Manifest.objects.get().pk]))
    assert "Still in the next model: a breach" in page.content.decode()


def test_an_item_repeated_in_a_later_part_is_held_once(withdrawn: World, api: Client) -> None:
    first = post(api, MANIFESTS, manifest(withdrawn, range(2), complete=False)).json()
    again = post(
        api,
        f"{MANIFESTS}/{first['id']}/items",
        {"items": [{"isrc": withdrawn.works[1].isrc, "use": "training"}]},
    )
    assert again.json()["items"] == 2


def test_the_products_admin_page_lists_its_manifests_and_breaches(
    withdrawn: World, api: Client
) -> None:
    post(api, MANIFESTS, manifest(withdrawn, range(2)))
    staff = logged_in(withdrawn.staff)
    page = staff.get(reverse("admin:licensing_product_change", args=[withdrawn.product.pk]))
    text = " ".join(html.fromstring(page.content).text_content().split())
    assert "Training manifests (breaches: withdrawn works still in a model)" in text
    assert "tunesmith-gen" in text
    # Saving the product's page still works with the manifests listed beside its uses.
    assert page.status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"status": "closed"}, {"status": "open\x00"}, {"after": "-1"}, {"limit": "1e3"}],
)
def test_obligations_asked_for_wrongly_answer_400(api: Client, params: dict) -> None:
    response = api.get("/api/v1/obligations", params)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
