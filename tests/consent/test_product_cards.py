"""The artist's product cards say, where the answer is given, what a yes pays: the artist's
share of what the product pays for each use, from the licence with their label."""

from datetime import date
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html

from portal.earnings.models import Compliance, MonthlyEarning
from portal.earnings.selectors import add_months
from portal.licensing.models import LicenceShare
from tests.conftest import World


def test_each_use_says_the_artists_share_of_what_the_product_pays(
    world: World, artist_client: Client
) -> None:
    assert (
        "You receive 50% of what Tunesmith pays for training, 50% for style generation."
        in card_text(artist_client, world)
    )


def test_a_use_the_licence_shares_apart_says_its_own(world: World, artist_client: Client) -> None:
    LicenceShare.objects.create(
        licence=world.licence,
        use_type=world.style,
        artist_share=Decimal("62.50"),
        label_share=Decimal("17.50"),
        platform_share=Decimal("20.00"),
    )
    assert (
        "You receive 50% of what Tunesmith pays for training, 62.5% for style generation."
        in card_text(artist_client, world)
    )


def earned(world: World, month: date, amount: str, compliance: str = Compliance.PERMITTED) -> None:
    MonthlyEarning.objects.create(
        artist=world.artist,
        label=world.label,
        product=world.product,
        use_type=world.training,
        month=month,
        currency="GBP",
        compliance=compliance,
        lines=1,
        units=100,
        gross=Decimal(amount) * 2,
        artist_amount=Decimal(amount),
        label_amount=Decimal(0),
        platform_amount=Decimal(0),
    )


def card_text(client: Client, world: World) -> str:
    page = html.fromstring(client.get(reverse("artist_home", args=[world.artist.pk])).content)
    [card] = page.xpath(f'//article[@aria-labelledby="product-{world.product.pk}"]')
    return " ".join(card.text_content().split())


def test_each_card_says_what_the_product_paid_in_the_last_twelve_months(
    world: World, artist_client: Client
) -> None:
    assert "Tunesmith has paid you nothing in the last 12 months." in card_text(
        artist_client, world
    )
    this_month = timezone.localdate().replace(day=1)
    earned(world, this_month, "10.00")
    earned(world, add_months(this_month, -11), "2.34")
    earned(world, add_months(this_month, -12), "500.00")  # thirteen months ago
    earned(world, this_month, "99.00", compliance=Compliance.UNPERMITTED)  # held

    assert "Tunesmith paid you £12.34 in the last 12 months." in card_text(artist_client, world)
