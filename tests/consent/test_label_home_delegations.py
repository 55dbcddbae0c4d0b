"""The label home's "Artists who let you decide for them": links to what each delegation
covers, and to nothing else, so every link opens a matrix."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.consent.models import Delegation
from portal.consent.services import delegation_grant
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World

DELEGATED = re.compile(r'href="(/delegations/\d+/products/[\w-]+/)"')


@pytest.fixture
def stemify(world: World) -> Product:
    """A second product asking for lyrics of the label's works, under its own licence."""
    product = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=product, use_type=world.lyrics)
    f.LicenceFactory(licensee=product.licensee, label=world.label, use_types=[world.lyrics])
    return product


def delegated_links(client: Client, world: World) -> list[str]:
    page = client.get(reverse("label_home", args=[world.label.pk])).content.decode()
    return DELEGATED.findall(page)


def matrix(delegation: Delegation, slug: str) -> str:
    return reverse("matrix", args=["delegations", delegation.pk, slug])


def test_a_delegation_for_one_product_links_that_product_only(
    world: World, manager_client: Client, stemify: Product
) -> None:
    delegation = delegation_grant(
        actor=world.artist_user, artist=world.artist, products=[world.product]
    )
    links = delegated_links(manager_client, world)
    assert links == [matrix(delegation, "tunesmith")]
    assert all(manager_client.get(link).status_code == 200 for link in links)
    # What is not linked is not the manager's to open either.
    assert manager_client.get(matrix(delegation, "stemify")).status_code == 404


def test_a_delegation_for_one_use_links_the_products_that_ask_for_it(
    world: World, manager_client: Client, stemify: Product
) -> None:
    delegation = delegation_grant(
        actor=world.artist_user, artist=world.artist, use_types=[world.lyrics]
    )
    links = delegated_links(manager_client, world)
    assert links == [matrix(delegation, "stemify")]
    assert manager_client.get(links[0]).status_code == 200


def test_a_delegation_for_everything_links_every_product_asking(
    world: World, manager_client: Client, stemify: Product
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    links = delegated_links(manager_client, world)
    assert sorted(links) == sorted([matrix(delegation, "tunesmith"), matrix(delegation, "stemify")])
    assert all(manager_client.get(link).status_code == 200 for link in links)


def test_a_delegation_with_nothing_to_decide_says_so(world: World, manager_client: Client) -> None:
    # Tunesmith asks for training and style generation, not lyrics.
    delegation = delegation_grant(
        actor=world.artist_user,
        artist=world.artist,
        products=[world.product],
        use_types=[world.lyrics],
    )
    assert delegated_links(manager_client, world) == []
    matrix_page = manager_client.get(matrix(delegation, "tunesmith")).content.decode()
    assert "Night Drive 0: yes" not in matrix_page  # nothing there to answer
    page = manager_client.get(reverse("label_home", args=[world.label.pk])).content.decode()
    assert "nothing to decide yet" in page


def test_an_artist_without_works_on_the_label_gets_no_link(
    world: World, manager_client: Client
) -> None:
    newcomer = f.ArtistFactory(name="Dee Vale", label=world.label)
    admin = f.ArtistMembershipFactory(artist=newcomer).user
    delegation_grant(actor=admin, artist=newcomer)
    assert delegated_links(manager_client, world) == []


def test_more_delegations_cost_no_more_queries(
    world: World, manager_client: Client, stemify: Product
) -> None:
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            manager_client.get(reverse("label_home", args=[world.label.pk]))
        return len(queries)

    delegation_grant(actor=world.artist_user, artist=world.artist, products=[world.product])
    one = cost()
    for n in range(4):
        artist = f.ArtistFactory(label=world.label)
        f.WorkFactory(primary_artist=artist)
        admin = f.ArtistMembershipFactory(artist=artist).user
        delegation_grant(actor=admin, artist=artist, use_types=[world.lyrics] if n % 2 else [])
    assert cost() == one
    assert len(delegated_links(manager_client, world)) == 1 + 2 + 2 * 2
