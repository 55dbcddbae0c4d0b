"""The label's Policies page: the list, adding and lifting with an exact preview first, and
the reason artists then read on their matrix and their work's history."""

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, Answer, LabelPolicy, Side
from portal.consent.services import policy_add
from tests import factories as f
from tests.conftest import World, say


def body(response: object) -> str:
    """The page as read: tags out, spaces collapsed (the form's markup stays findable by
    `raw`)."""
    html = raw(response)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def raw(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


def page_url(world: World) -> str:
    return reverse("label_policies", args=[world.label.pk])


def add_url(world: World) -> str:
    return reverse("label_policy_add", args=[world.label.pk])


def lift_url(world: World, policy: LabelPolicy) -> str:
    return reverse("label_policy_lift", args=[world.label.pk, policy.pk])


@pytest.fixture
def permitted(world: World) -> World:
    for work in world.works:
        say(world, Side.ARTIST, Answer.GRANTED, work)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)
    return world


def permitted_count() -> int:
    return AnnouncedPermission.objects.filter(permitted=True).count()


def test_the_page_says_there_is_no_policy_yet_and_offers_the_kinds(
    world: World, manager_client: Client
) -> None:
    page = raw(manager_client.get(page_url(world)))
    assert "No policy in force" in page
    assert "Never for one use, whatever the product" in page
    assert "Only for works released before a date" in page
    assert 'action="' + add_url(world) + '"' in page


def test_adding_shows_the_exact_preview_first_and_saves_nothing(
    permitted: World, manager_client: Client
) -> None:
    world = permitted
    response = manager_client.post(add_url(world), {"kind": "use", "use_type": "training"})

    page = body(response)
    assert response.status_code == 200
    assert "Northern Lights Records will not allow training" in page
    assert "3 uses of works stop being permitted at once" in page
    assert "Tunesmith: 3" in page
    assert not LabelPolicy.objects.exists()
    assert permitted_count() == 3


def test_confirming_adds_it_and_says_what_changed(permitted: World, manager_client: Client) -> None:
    world = permitted
    response = manager_client.post(
        add_url(world), {"kind": "use", "use_type": "training", "confirm": "on"}, follow=True
    )

    page = body(response)
    assert "Policy added: Northern Lights Records does not allow training." in page
    assert "Tunesmith: 3 permissions changed." in page
    assert "Does not allow training" in page
    assert permitted_count() == 0


def test_only_the_chosen_kinds_value_counts(permitted: World, manager_client: Client) -> None:
    world = permitted
    manager_client.post(
        add_url(world),
        {
            "kind": "released",
            "released_before": "2020-01-01",
            "use_type": "training",
            "confirm": "on",
        },
    )
    policy = LabelPolicy.objects.get()
    assert (policy.use_type, policy.product, policy.released_before) == (
        None,
        None,
        date(2020, 1, 1),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "use"},
        {"kind": "product", "product": "not-a-product"},
        {"kind": "use", "use_type": "no-such-use"},
        {"kind": "released", "released_before": "someday"},
        {"kind": "everything", "use_type": "training"},
    ],
)
def test_bad_or_forged_input_is_a_clear_error_and_changes_nothing(
    world: World, manager_client: Client, data: dict[str, str]
) -> None:
    response = manager_client.post(add_url(world), {**data, "confirm": "on"})

    assert response.status_code == 422
    assert "Nothing was changed." in body(response)
    assert not LabelPolicy.objects.exists()


def test_another_labels_product_cannot_be_named(world: World, manager_client: Client) -> None:
    stranger = f.ProductFactory(slug="elsewhere", name="Elsewhere")

    response = manager_client.post(
        add_url(world), {"kind": "product", "product": stranger.slug, "confirm": "on"}
    )

    assert response.status_code == 422
    assert not LabelPolicy.objects.exists()


def test_lifting_shows_what_would_be_permitted_again_then_lifts(
    permitted: World, manager_client: Client
) -> None:
    world = permitted
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy

    preview = body(manager_client.post(lift_url(world, policy)))
    assert "Northern Lights Records will allow training again" in preview
    assert "3 uses of works become permitted again at once" in preview
    assert LabelPolicy.objects.get().active

    page = body(manager_client.post(lift_url(world, policy), {"confirm": "on"}, follow=True))
    assert "Policy lifted: Northern Lights Records allows training again." in page
    assert "Did not allow training" in page
    assert permitted_count() == 3


def test_a_policy_of_another_label_is_not_found(world: World, manager_client: Client) -> None:
    theirs = policy_add(
        actor=world.other_manager, label=world.other_label, use_type=world.training
    ).policy

    response = manager_client.post(lift_url(world, theirs), {"confirm": "on"})

    assert response.status_code == 404
    assert LabelPolicy.objects.get().active


def test_lifting_a_lifted_policy_says_so(permitted: World, manager_client: Client) -> None:
    world = permitted
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
    manager_client.post(lift_url(world, policy), {"confirm": "on"})

    page = body(manager_client.post(lift_url(world, policy), {"confirm": "on"}, follow=True))

    assert "That policy was lifted already. Nothing was changed." in page


# --- what artists read ----------------------------------------------------------------------
def test_an_artist_reads_the_policy_on_their_matrix_and_their_works_history(
    permitted: World, artist_client: Client
) -> None:
    world = permitted
    Work.objects.filter(pk=world.works[1].pk).update(release_date=None)
    policy_add(actor=world.manager, label=world.label, released_before=date(2020, 1, 1))
    matrix = reverse(
        "matrix",
        kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "tunesmith"},
    )

    page = body(artist_client.get(matrix))
    assert (
        "Not permitted: Northern Lights Records does not allow any use for works released from 2020"
        in page
    )
    assert "from 2020 or without a release date" in page

    history = body(artist_client.get(reverse("work_history", args=[world.works[0].pk])))
    assert "Northern Lights Records does not allow any use for works released from 2020." in history


def test_the_page_costs_the_same_queries_whatever_the_number_of_policies(
    world: World, manager_client: Client
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(page_url(world)).status_code == 200
        return len(captured)

    policy_add(actor=world.manager, label=world.label, use_type=world.training)
    one = count()
    for use in (world.style, world.lyrics):
        policy_add(actor=world.manager, label=world.label, use_type=use)
    policy_add(actor=world.manager, label=world.label, product=world.product)
    policy_add(actor=world.staff, label=world.label, released_before=date(2020, 1, 1))
    assert count() == one
