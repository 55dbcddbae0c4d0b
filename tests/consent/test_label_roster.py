"""The roster view: each artist's works and, per product and use, what waits for the
label and for the artist, what is permitted and who said no; each figure a link to the
product's works filtered to it; searchable and paginated for rosters of hundreds."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, Side
from portal.consent.selectors.roster import ARTISTS_PER_PAGE
from tests import factories as f
from tests.conftest import World, say


def roster(client: Client, world: World, **params: object) -> str:
    response = client.get(reverse("label_roster", args=[world.label.pk]), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def section(page: str, name: str) -> str:
    start = page.index(f">{name}</h2>")
    return page[start : page.index("</section>", start)]


def test_each_figure_counts_and_links_to_the_filtered_product_page(
    world: World, manager_client: Client
) -> None:
    night_0, night_1, _ = world.works
    say(world, Side.ARTIST, Answer.GRANTED, work=night_0)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_0)  # permitted
    say(world, Side.ARTIST, Answer.DENIED, work=night_1)
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED, work=world.works[2])
    ada = section(roster(manager_client, world), "Ada Lane")
    assert "3 works" in ada
    matrix = reverse("matrix", args=["labels", world.label.pk, "tunesmith"])
    link = f"{matrix}?artist={world.artist.pk}&use=training&"
    training = ada[ada.index("Tunesmith · Training") :].split("</tr>")[0]
    for n, query, words in (
        (1, "label_answer=none", "waiting for you"),
        (1, "artist_answer=none", "waiting for the artist"),
        (1, "state=permitted", "permitted"),
        (1, "artist_answer=no", "the artist said no"),
        (1, "label_answer=no", "you said no"),
    ):
        assert (
            f'<a href="{link}{query}">{n}<span class="visually-hidden"> {words}: Ada Lane, '
            f"Tunesmith, Training</span></a>" in training
        )
    style = ada[ada.index("Tunesmith · Style generation") :].split("</tr>")[0]
    assert (
        f'<a href="{matrix}?artist={world.artist.pk}&use=style_generation&label_answer=none">3'
        in style
    )
    assert ">0<" in style  # nothing permitted: a plain 0, no link to an empty page
    bo = section(roster(manager_client, world), "Bo Reed")
    assert "1 work " in bo


def test_only_the_labels_artists_are_listed(world: World, manager_client: Client) -> None:
    page = roster(manager_client, world)
    assert "Ada Lane</h2>" in page and "Bo Reed</h2>" in page
    assert "Cy Moss" not in page


def test_the_roster_is_searched_by_name(world: World, manager_client: Client) -> None:
    page = roster(manager_client, world, q="bo r")
    assert "Bo Reed</h2>" in page and "Ada Lane</h2>" not in page
    assert "1 artist named like “bo r”" in page
    nothing = roster(manager_client, world, q="zz")
    assert "No artist on the roster is named like “zz”" in nothing


def test_a_roster_of_hundreds_is_paginated_keeping_the_search(
    world: World, manager_client: Client
) -> None:
    for i in range(ARTISTS_PER_PAGE + 5):
        f.ArtistFactory(label=world.label, name=f"Roster Artist {i:03d}")
    first = roster(manager_client, world, q="roster")
    assert first.count('class="card"') == ARTISTS_PER_PAGE
    assert "Page 1 of 2" in first
    assert 'href="?q=roster&page=2"' in first
    second = roster(manager_client, world, q="roster", page=2)
    assert second.count('class="card"') == 5


@pytest.mark.parametrize("artists", [3, 40])
def test_the_roster_query_count_does_not_grow(
    world: World, manager_client: Client, django_assert_max_num_queries, artists: int
) -> None:
    for _ in range(artists):
        f.WorkFactory.create_batch(3, primary_artist=f.ArtistFactory(label=world.label))
    manager_client.post(
        reverse("bulk", args=["labels", world.label.pk, "tunesmith"]),
        {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"},
    )
    with django_assert_max_num_queries(14):
        roster(manager_client, world)
