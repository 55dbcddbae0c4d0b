"""A party's conditions for every yes to a product: set once, carried by each plain yes
given afterwards (on a cell or in bulk, inline or by a worker), never by a yes given
again, which keeps its own."""

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.consent.conditions import Given
from portal.consent.models import Answer, BulkAnswer, ConditionDefault, Decision, Side
from portal.consent.services import bulk_answers
from portal.consent.services.bulk_answers import bulk_answer_run
from portal.consent.views import bulk as decisions_views
from portal.licensing.models import Condition
from tests.conftest import World, logged_in, say

NON_COMMERCIAL = [{"code": "non_commercial"}]


@pytest.fixture
def honouring(world: World) -> World:
    world.product.conditions_honoured.set(Condition.objects.filter(code="non_commercial"))
    return world


def defaults_url(world: World, kind: str = "artists") -> str:
    party_id = world.artist.pk if kind == "artists" else world.label.pk
    return reverse("product_conditions", args=[kind, party_id, "tunesmith"])


def work_url(world: World, name: str, index: int) -> str:
    return reverse(name, args=["artists", world.artist.pk, "tunesmith", world.works[index].pk])


def words(response) -> str:
    return " ".join(html.fromstring(response.content).text_content().split())


def artist_conditions(world: World, work_index: int) -> list:
    return Decision.objects.get(
        side=Side.ARTIST, work=world.works[work_index], use_type=world.training
    ).conditions


def test_the_default_is_set_on_its_page_and_said_on_the_product_page(
    honouring: World, artist_client: Client
) -> None:
    response = artist_client.post(defaults_url(honouring), {"non_commercial": "on"}, follow=True)
    assert (
        "Saved: every yes to Tunesmith from now on is given with conditions: non-commercial "
        "only. Answers already given keep theirs." in words(response)
    )
    assert "Each yes carries your conditions for Tunesmith: non-commercial only." in words(response)
    default = ConditionDefault.objects.get()
    assert (default.side, default.artist_id, default.conditions) == (
        Side.ARTIST,
        honouring.artist.pk,
        NON_COMMERCIAL,
    )
    page = words(artist_client.get(defaults_url(honouring)))
    assert "Every yes you give Tunesmith now carries: non-commercial only." in page


def test_ticking_nothing_clears_the_default(honouring: World, artist_client: Client) -> None:
    artist_client.post(defaults_url(honouring), {"non_commercial": "on"})
    artist_client.post(defaults_url(honouring), {})
    assert not ConditionDefault.objects.exists()


def test_a_plain_yes_carries_the_default_and_a_yes_given_again_keeps_its_own(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1])  # before the default
    artist_client.post(defaults_url(world), {"non_commercial": "on"})
    for index in (0, 1):
        artist_client.post(
            reverse(
                "decide", args=["artists", world.artist.pk, "tunesmith", world.works[index].pk]
            ),
            {"use": "training", "answer": "granted"},
        )
    assert artist_conditions(world, 0) == NON_COMMERCIAL
    assert artist_conditions(world, 1) == []


def test_the_cell_page_can_make_its_conditions_the_default(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    url = reverse("conditions", args=["artists", world.artist.pk, "tunesmith", world.works[0].pk])
    response = artist_client.post(
        url, {"use": "training", "non_commercial": "on", "make_default": "on"}, follow=True
    )
    assert "Every yes to Tunesmith carries them from now on." in words(response)
    assert ConditionDefault.objects.get().conditions == NON_COMMERCIAL
    # The next work's page starts from the default.
    page = html.fromstring(
        artist_client.get(
            reverse(
                "conditions", args=["artists", world.artist.pk, "tunesmith", world.works[1].pk]
            ),
            {"use": "training"},
        ).content
    )
    assert page.xpath('//input[@name="non_commercial"]')[0].get("checked") is not None


def test_a_bulk_yes_carries_the_default_and_its_preview_says_so(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    artist_client.post(defaults_url(world), {"non_commercial": "on"})
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(Given("non_commercial"),))
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1])
    bulk = reverse("bulk", args=["artists", world.artist.pk, "tunesmith"])
    preview = words(
        artist_client.post(bulk, {"use": "training", "answer": "granted", "scope": "all"})
    )
    assert "Each yes carries your conditions for Tunesmith: non-commercial only" in preview
    assert "This will grant Training for 2 works (1 already granted)" in preview
    artist_client.post(
        bulk, {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"}
    )
    assert [artist_conditions(world, i) for i in range(3)] == [NON_COMMERCIAL] * 3


def test_a_bulk_yes_applied_by_a_worker_carries_the_default_it_was_confirmed_with(
    honouring: World, artist_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = honouring
    monkeypatch.setattr(decisions_views, "INLINE_LIMIT", 1)
    monkeypatch.setattr(bulk_answers, "_queue", lambda job_id: None)
    artist_client.post(defaults_url(world), {"non_commercial": "on"})
    artist_client.post(
        reverse("bulk", args=["artists", world.artist.pk, "tunesmith"]),
        {
            **{"use": "training", "answer": "granted", "scope": "filtered"},
            **{"confirm": "yes", "token": "a" * 32},
        },
    )
    job = BulkAnswer.objects.get()
    assert job.conditions == NON_COMMERCIAL
    # A default changed after the confirmation does not change what was confirmed.
    artist_client.post(defaults_url(world), {})
    bulk_answer_run(job_id=job.pk)
    assert [artist_conditions(world, i) for i in range(3)] == [NON_COMMERCIAL] * 3


def test_the_label_sets_its_own_default(honouring: World) -> None:
    logged_in(honouring.manager).post(defaults_url(honouring, "labels"), {"non_commercial": "on"})
    default = ConditionDefault.objects.get()
    assert (default.side, default.label_id, default.artist_id) == (
        Side.RIGHTS_HOLDER,
        honouring.label.pk,
        None,
    )


def test_a_label_under_the_artists_delegation_cannot_change_the_artists_defaults(
    honouring: World, artist_client: Client
) -> None:
    from portal.consent.services import delegation_grant

    world = honouring
    artist_client.post(defaults_url(world), {"non_commercial": "on"})
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    manager = logged_in(world.manager)
    url = reverse("product_conditions", args=["delegations", delegation.pk, "tunesmith"])
    response = manager.post(url, {}, follow=True)
    assert "Only the artist's team sets the conditions" in words(response)
    assert ConditionDefault.objects.get().conditions == NON_COMMERCIAL
    cell = reverse(
        "conditions", args=["delegations", delegation.pk, "tunesmith", world.works[0].pk]
    )
    page = html.fromstring(manager.get(cell, {"use": "training"}).content)
    assert not page.xpath('//input[@name="make_default"]')
    manager.post(cell, {"use": "training", "make_default": "on"})
    assert ConditionDefault.objects.get().conditions == NON_COMMERCIAL
