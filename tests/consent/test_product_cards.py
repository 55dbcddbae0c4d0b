"""The artist's product cards say, where the answer is given, what a yes pays: the artist's
share of what the product pays for each use, from the licence with their label."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse
from lxml import html

from portal.licensing.models import LicenceShare
from tests.conftest import World


def shares_read(client: Client, world: World) -> dict[str, str]:
    """Each use of Tunesmith's card with what its last column says."""
    page = html.fromstring(client.get(reverse("artist_home", args=[world.artist.pk])).content)
    [card] = page.xpath(f'//article[@aria-labelledby="product-{world.product.pk}"]')
    header = [" ".join(th.text_content().split()) for th in card.xpath(".//thead//th")]
    assert header[-1] == "You receive, of what Tunesmith pays"
    return {
        row.xpath("./th")[0].text_content().strip(): row.xpath("./td")[-1].text_content().strip()
        for row in card.xpath(".//tbody/tr")
    }


def test_each_use_says_the_artists_share_of_what_the_product_pays(
    world: World, artist_client: Client
) -> None:
    assert shares_read(artist_client, world) == {"Training": "50%", "Style generation": "50%"}


def test_a_use_the_licence_shares_apart_says_its_own(world: World, artist_client: Client) -> None:
    LicenceShare.objects.create(
        licence=world.licence,
        use_type=world.style,
        artist_share=Decimal("62.50"),
        label_share=Decimal("17.50"),
        platform_share=Decimal("20.00"),
    )
    assert shares_read(artist_client, world) == {"Training": "50%", "Style generation": "62.5%"}
