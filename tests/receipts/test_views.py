"""The published key set, and a work's receipts walked through the permission matrix:
the artist, another artist, an outsider, the label's manager and another label's."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.consent.models import Answer, LedgerEntry, Side
from portal.consent.services import decision_set
from portal.receipts.signing import receipt_verify
from tests import factories as f
from tests.conftest import World, logged_in, say


def receipt_url(work_id: int, position: int) -> str:
    return reverse("receipt_download", kwargs={"work_id": work_id, "position": position})


def first_receipt_url(world: World) -> str:
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = LedgerEntry.objects.get()
    return receipt_url(world.works[0].pk, entry.position)


# --- /.well-known/jwks.json -----------------------------------------------------------


def test_anyone_can_fetch_the_key_set_and_cache_it_for_an_hour(db: None) -> None:
    response = Client().get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600"} <= cache_control
    (key,) = response.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in key


def test_the_key_set_is_read_only(db: None) -> None:
    assert Client().post("/.well-known/jwks.json").status_code == 405


# --- downloading a receipt ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("artist_user", 200),
        ("other_artist_user", 404),
        ("outsider_user", 404),
        ("manager", 200),
        ("other_manager", 404),
    ],
)
def test_only_people_who_see_the_work_download_its_receipts(
    world: World, who: str, status: int
) -> None:
    url = first_receipt_url(world)
    assert logged_in(getattr(world, who)).get(url).status_code == status


def test_a_reader_on_the_artists_team_downloads_receipts_too(world: World) -> None:
    reader = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.READER)
    assert logged_in(reader.user).get(first_receipt_url(world)).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    response = Client().get(first_receipt_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_receipt_downloads_as_a_signed_file(world: World, artist_client: Client) -> None:
    url = first_receipt_url(world)
    response = artist_client.get(url)
    entry = LedgerEntry.objects.get()
    assert response["Content-Type"] == "application/jwt"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{entry.position}.jws"'
    assert "private" in response["Cache-Control"]
    claims = receipt_verify(response.content.decode())
    assert claims["ledger"] == {"position": entry.position, "digest": entry.digest}
    assert claims["work"]["isrc"] == world.works[0].isrc


def test_the_json_variant_has_the_receipt_its_claims_and_where_the_keys_are(
    world: World, manager_client: Client
) -> None:
    response = manager_client.get(first_receipt_url(world), {"format": "json"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert receipt_verify(body["receipt"]) == body["claims"]
    assert body["claims"]["decision"] == "granted"
    assert body["jwks_uri"] == "http://testserver/.well-known/jwks.json"


def test_a_position_of_another_work_is_a_404(world: World, artist_client: Client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1])
    other_works_entry = LedgerEntry.objects.get()
    assert (
        artist_client.get(receipt_url(world.works[1].pk, other_works_entry.position)).status_code
        == 200
    )
    response = artist_client.get(receipt_url(world.works[0].pk, other_works_entry.position))
    assert response.status_code == 404


def test_a_position_of_an_outsiders_work_is_a_404_through_your_own_work(
    world: World, artist_client: Client
) -> None:
    outsider_work = world.outsider_works[0]
    decision_set(
        actor=world.outsider_user,
        product=world.product,
        work=outsider_work,
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
    )
    entry = LedgerEntry.objects.get()
    assert artist_client.get(receipt_url(outsider_work.pk, entry.position)).status_code == 404
    assert artist_client.get(receipt_url(world.works[0].pk, entry.position)).status_code == 404


def test_a_position_that_does_not_exist_is_a_404(world: World, artist_client: Client) -> None:
    assert artist_client.get(receipt_url(world.works[0].pk, 999)).status_code == 404
