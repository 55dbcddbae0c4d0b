"""The label manager's home, bulk approval across the roster, and the CSV export."""

import csv
import io
import re
from html import unescape

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, Decision, Side
from tests import factories as f
from tests.conftest import World, logged_in, say


def bulk_url(world: World) -> str:
    kwargs = {"kind": "labels", "party_id": world.label.pk, "product_slug": "tunesmith"}
    return reverse("bulk", kwargs=kwargs)


def body(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


# --- label home -------------------------------------------------------------------


def test_the_label_home_puts_pending_work_first(world: World, manager_client: Client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)  # Night Drive 0: permitted for training
    say(world, Side.ARTIST, Answer.DENIED, world.works[1])
    page = body(manager_client.get(reverse("label_home", args=[world.label.pk])))
    # 4 works x 2 uses, one answered by the label.
    assert "7 decisions wait for Northern Lights Records" in page
    row = page[page.index("Tunesmith · Training") :].split("</tr>")[0]
    cells = re.findall(r"<td>(?:<strong>)?(\d+)", row)
    # waiting for you, waiting for artists, permitted, denied by either side
    assert cells == ["3", "2", "1", "1"]
    assert "Approve all…" in page


def test_the_label_home_counts_each_state(world: World, manager_client: Client) -> None:
    from portal.consent import selectors

    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.DENIED, world.works[1])
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED, world.works[1])
    states = selectors.label_states(
        label=world.label,
        total=world.label.works.count(),
        products=[world.product],
    )
    training = next(s for s in states if s.use_type == world.training)
    assert (
        training.works,
        training.permitted,
        training.waiting_label,
        training.waiting_artist,
        training.denied,
    ) == (4, 1, 2, 2, 1)


def test_the_label_home_leads_to_the_roster(world: World, manager_client: Client) -> None:
    page = body(manager_client.get(reverse("label_home", args=[world.label.pk])))
    roster = page[page.index('id="roster"') :]
    assert "2 artists on the roster" in roster
    assert f'href="{reverse("label_roster", args=[world.label.pk])}"' in roster


def test_see_works_opens_the_use_and_what_waits_for_the_label(
    world: World, manager_client: Client
) -> None:
    for work in world.label.works.all():
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    page = body(manager_client.get(reverse("label_home", args=[world.label.pk])))
    matrix = reverse("matrix", args=["labels", world.label.pk, "tunesmith"])
    # Training: the label answered every work; style generation: all four wait.
    assert f'href="{matrix}?use=training">See works' in page
    assert f'href="{matrix}?use=style_generation&label_answer=none">See works' in page


def test_a_product_not_active_offers_no_approval_and_says_why(
    world: World, manager_client: Client
) -> None:
    from portal.consent.services import product_set_status
    from portal.licensing.models import Product

    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    page = body(manager_client.get(reverse("label_home", args=[world.label.pk])))
    assert "Approve all…<span" not in page
    assert "Nothing to approve while Tunesmith is suspended" in page


def test_the_label_home_speaks_to_a_manager(world: World, manager_client: Client) -> None:
    page = body(manager_client.get(reverse("label_home", args=[world.label.pk])))
    assert "As a manager of Northern Lights Records you answer for the label" in page


@pytest.mark.parametrize("works", [10, 300])
def test_the_label_home_query_count_does_not_grow_with_the_catalogue(
    world: World, manager_client: Client, django_assert_max_num_queries, works: int
) -> None:
    f.WorkFactory.create_batch(works, primary_artist=world.other_artist)
    for i in range(works // 10):
        f.ArtistFactory(label=world.label, name=f"Roster {i}")
    manager_client.post(
        bulk_url(world),
        {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"},
    )
    # One more than before bulk answers could be undone: the label's recent ones.
    with django_assert_max_num_queries(15):
        assert manager_client.get(reverse("label_home", args=[world.label.pk])).status_code == 200


# --- bulk approval across the roster ----------------------------------------------


def test_the_preview_counts_changes_and_permissions_that_flip(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])
    page = body(
        manager_client.post(
            bulk_url(world), {"use": "training", "answer": "granted", "scope": "all"}
        )
    )
    assert "for <strong>4 works</strong>" in page
    assert "<strong>2</strong> of them become permitted at once" in page
    assert not Decision.objects.filter(side=Side.RIGHTS_HOLDER).exists()


def test_the_preview_of_a_denial_counts_what_stops_being_permitted(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    page = body(
        manager_client.post(
            bulk_url(world), {"use": "training", "answer": "denied", "scope": "all"}
        )
    )
    assert "<strong>1</strong> permitted use stops being permitted at once" in page


def test_approving_only_where_the_artist_said_yes(world: World, manager_client: Client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[2])
    response = manager_client.post(
        bulk_url(world),
        {
            "use": "training",
            "answer": "granted",
            "scope": "all",
            "other_granted": "on",
            "confirm": "yes",
        },
        follow=True,
    )
    assert "Training granted for 1 work (0 already were). 1 permission changed." in body(response)
    assert list(
        Decision.objects.filter(side=Side.RIGHTS_HOLDER).values_list("work_id", flat=True)
    ) == [world.works[2].pk]


def test_approving_the_works_of_the_artist_filtered_to(
    world: World, manager_client: Client
) -> None:
    manager_client.post(
        bulk_url(world),
        {
            "use": "training",
            "answer": "granted",
            "scope": "filtered",
            "filter-artist": world.other_artist.pk,
            "confirm": "yes",
        },
    )
    decided = Decision.objects.filter(side=Side.RIGHTS_HOLDER)
    assert {d.work.primary_artist for d in decided} == {world.other_artist}


def test_an_artist_from_another_roster_is_refused_and_nothing_changes(
    world: World, manager_client: Client
) -> None:
    response = manager_client.post(
        bulk_url(world),
        {
            "use": "training",
            "answer": "granted",
            "scope": "filtered",
            "filter-artist": world.outsider_artist.pk,
            "confirm": "yes",
        },
    )
    assert response.status_code == 422
    assert "That artist is not on this roster." in body(response)
    assert not Decision.objects.exists()


def test_an_artist_cannot_filter_to_another_artist(world: World, artist_client: Client) -> None:
    url = reverse(
        "bulk", kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "tunesmith"}
    )
    response = artist_client.post(
        url,
        {
            "use": "training",
            "answer": "granted",
            "scope": "filtered",
            "filter-artist": world.other_artist.pk,
            "confirm": "yes",
        },
    )
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_another_labels_manager_cannot_bulk_approve(world: World) -> None:
    response = logged_in(world.other_manager).post(
        bulk_url(world), {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"}
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


# --- export -----------------------------------------------------------------------


def export(client: Client, world: World, **params: str) -> list[dict[str, str]]:
    response = client.get(reverse("label_export", args=[world.label.pk]), params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="consent-')
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_a_row_per_work_product_and_use(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    rows = export(manager_client, world)
    assert len(rows) == 4 * 2
    first = next(r for r in rows if r["isrc"] == world.works[0].isrc and r["use"] == "training")
    assert first == {
        "isrc": world.works[0].isrc,
        "title": "Night Drive 0",
        "artist": "Ada Lane",
        "product": "tunesmith",
        "use": "training",
        "artist_answer": "granted",
        "label_answer": "granted",
        "permitted": "yes",
        "reasons": "",
    }
    waiting = next(r for r in rows if r["title"] == "Paper Moons" and r["use"] == "training")
    assert waiting["permitted"] == "no"
    assert waiting["reasons"] == "artist_undecided rights_holder_undecided"
    assert world.outsider_works[0].isrc not in {r["isrc"] for r in rows}


def test_the_export_is_filtered_like_the_page(world: World, manager_client: Client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    rows = export(manager_client, world, product="tunesmith", use="training", state="permitted")
    assert [(r["title"], r["use"]) for r in rows] == [("Night Drive 0", "training")]


def test_an_unknown_product_in_the_export_is_a_clear_400(
    world: World, manager_client: Client
) -> None:
    response = manager_client.get(
        reverse("label_export", args=[world.label.pk]), {"product": "nope"}
    )
    assert response.status_code == 400
    assert "The export could not be made" in response.content.decode()


@pytest.mark.parametrize("who", ["artist_user", "other_manager"])
def test_nobody_else_exports_the_roster(world: World, who: str) -> None:
    url = reverse("label_export", args=[world.label.pk])
    assert logged_in(getattr(world, who)).get(url).status_code == 404
