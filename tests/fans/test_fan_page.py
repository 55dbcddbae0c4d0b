"""The public page: what it lists (the stored permitted uses only), its meta tags and
JSON-LD, its caching, and its queries whatever the catalogue."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import Artist
from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.consent.services import decisions_set, product_set_status
from portal.licensing.models import Condition, Product
from tests import factories as f
from tests.conftest import World, decider, say
from tests.fans.helpers import permitted, published

pytestmark = pytest.mark.django_db
EVERYTHING_ELSE = "Everything else is not authorised by Ada Lane."
NOTHING_YET = (
    "Ada Lane takes part in no AI product yet; anything claiming otherwise is not authorised."
)


def page(client: Client, slug: str = "ada-lane") -> str:
    response = client.get(f"/a/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def jsonld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, key
    return found.group(1)


def test_with_nothing_permitted_the_page_says_so(world: World, client) -> None:
    published(world)
    html = page(client)
    assert NOTHING_YET in html
    assert EVERYTHING_ELSE not in html
    assert jsonld(html)["makesOffer"] == []


def test_a_yes_from_the_artist_alone_is_not_listed(world: World, client) -> None:
    published(world)
    say(world, Side.ARTIST, Answer.GRANTED)
    html = page(client)
    assert "Tunesmith" not in html
    assert NOTHING_YET in html


def test_a_use_both_sides_allowed_is_listed_with_its_purpose_and_count(
    world: World, client
) -> None:
    world.product.description = "Write a song with Ada's band in the room."
    world.product.save()
    world.product.uses.filter(use_type=world.training).update(purpose="Learns her phrasing.")
    published(world)
    permitted(world, work=world.works[0])
    permitted(world, work=world.works[1])
    html = page(client)
    assert "Tunesmith" in html
    assert "Write a song with Ada&#x27;s band in the room." in html
    assert "Learns her phrasing." in html
    assert "2 of Ada Lane's recordings take part." in html
    assert "2 recordings, without conditions." in html
    # Style generation is asked for but nobody said yes to it.
    assert "Style generation" not in html
    assert EVERYTHING_ELSE in html


def test_the_conditions_are_said_in_words_with_the_credit_line(world: World, client) -> None:
    world.product.conditions_honoured.add(Condition.objects.get(code="credit_required"))
    published(world)
    permitted(world, conditions=(Given("credit_required", "Ada Lane & the Tides"),))
    permitted(world, work=world.works[1])
    html = page(client)
    assert "1 recording: on condition: credit as “Ada Lane &amp; the Tides”" in html
    assert "1 recording: without conditions" in html


def test_a_suspended_product_is_not_listed(world: World, client) -> None:
    published(world)
    permitted(world)
    assert "Tunesmith" in page(client)
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    html = page(client)
    assert "Tunesmith" not in html
    assert NOTHING_YET in html


def test_a_no_after_a_yes_shows_at_once(world: World, client) -> None:
    published(world)
    permitted(world)
    assert "Tunesmith" in page(client)
    say(world, Side.ARTIST, Answer.DENIED)
    assert "Tunesmith" not in page(client)


def test_another_artists_permissions_are_not_on_the_page(world: World, client) -> None:
    published(world)
    other_work = world.other_artist.works.get()
    permitted(world, work=other_work)
    assert "Tunesmith" not in page(client)


def test_open_graph_twitter_and_canonical_describe_the_page(world: World, client, settings) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example"
    published(world)
    permitted(world)
    html = page(client)
    url = "https://consent.example/a/ada-lane/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:type") == "profile"
    assert meta(html, "og:url") == url
    assert meta(html, "og:title") == "Ada Lane and AI"
    assert "Tunesmith" in meta(html, "og:description")
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "Ada Lane and AI"


def test_the_json_ld_names_the_artist_and_offers_each_product(
    world: World, client, settings
) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example"
    Artist.objects.filter(pk=world.artist.pk).update(isni="0000000121032683")
    published(world)
    permitted(world)
    data = jsonld(page(client))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MusicGroup"
    assert data["name"] == "Ada Lane"
    assert data["url"] == "https://consent.example/a/ada-lane/"
    assert data["identifier"]["propertyID"] == "ISNI"
    assert data["identifier"]["value"] == "0000000121032683"
    assert "sameAs" not in data
    [offer] = data["makesOffer"]
    assert offer["@type"] == "Offer"
    assert offer["itemOffered"]["@type"] == "Service"
    assert offer["itemOffered"]["name"] == "Tunesmith"
    assert offer["itemOffered"]["description"] == world.product.summary


def test_a_hostile_artist_name_cannot_break_out_of_the_page(world: World, client) -> None:
    hostile = 'Ada </script><script>alert(1)</script> "<!--'
    Artist.objects.filter(pk=world.artist.pk).update(name=hostile)
    published(world)
    permitted(world)
    html = page(client)
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1  # the JSON-LD's own end, nothing else
    assert jsonld(html)["name"] == hostile
    assert (
        meta(html, "og:title")
        == "Ada &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;&lt;!-- and AI"
    )


def test_the_page_may_be_cached_for_a_minute_by_anyone(world: World, client) -> None:
    published(world)
    response = client.get("/a/ada-lane/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60"}


def test_the_page_is_the_same_for_a_signed_in_member(world: World, artist_client) -> None:
    published(world)
    html = page(artist_client)
    # No navigation of the person's own: caches may share this page.
    assert reverse("artist_home", args=[world.artist.pk]) not in html
    assert "Log out" not in html


def test_the_page_reads_in_a_constant_number_of_queries(
    world: World, client, django_assert_max_num_queries
) -> None:
    published(world)
    permitted(world)
    with django_assert_max_num_queries(6):
        page(client)
    works = [f.WorkFactory(primary_artist=world.artist) for _ in range(40)]
    stemify = f.ProductFactory(slug="stemify", name="Stemify", licensee=world.product.licensee)
    f.ProductUseFactory(product=stemify, use_type=world.lyrics)
    world.licence.use_types.add(world.lyrics)
    for product, use in (
        (world.product, world.training),
        (world.product, world.style),
        (stemify, world.lyrics),
    ):
        for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
            decisions_set(
                actor=decider(world, side, works[0]),
                product=product,
                use_type=use,
                side=side,
                answer=Answer.GRANTED,
                works=world.artist.works.filter(pk__in=[w.pk for w in works]),
            )
    with django_assert_max_num_queries(6):
        html = page(client)
    assert "Stemify" in html and "41 of Ada Lane's recordings take part." in html
