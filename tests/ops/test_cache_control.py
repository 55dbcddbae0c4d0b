"""Answers meant for one person are never cached (ASVS 8.2.1): every page and fragment a
signed-in person gets, and every download, carry `Cache-Control: no-store, private`;
what a view made public, the API's answers and public static files keep theirs."""

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.consent.models import Answer, LedgerEntry, Side
from portal.exports import csv_response
from portal.ops.middleware import PrivateNoStoreMiddleware
from tests.conftest import World, logged_in, say

HTMX = {"HTTP_HX_REQUEST": "true"}


def directives(response: HttpResponse) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_persons_pages_are_not_stored(world: World, artist_client: Client) -> None:
    matrix = reverse(
        "matrix",
        kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "tunesmith"},
    )
    for url in (reverse("artist_home", args=[world.artist.pk]), matrix):
        response = artist_client.get(url)
        assert response.status_code == 200
        assert directives(response) == {"no-store", "private"}
    # Even a redirect names where this person's pages are.
    assert directives(artist_client.get(reverse("home"))) == {"no-store", "private"}


def test_an_htmx_fragment_is_not_stored(world: World, artist_client: Client) -> None:
    url = reverse(
        "decide",
        kwargs={
            "kind": "artists",
            "party_id": world.artist.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    response = artist_client.post(url, {"use": "training", "answer": "granted"}, **HTMX)
    assert response.status_code == 200
    assert directives(response) == {"no-store", "private"}


def test_a_csv_download_is_not_stored(world: World) -> None:
    response = logged_in(world.manager).get(reverse("label_export", args=[world.label.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert directives(response) == {"no-store", "private"}
    assert list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_download_is_not_stored_even_without_a_session() -> None:
    def export(request: HttpRequest) -> HttpResponse:
        return csv_response(["a"], [[1]], "x.csv")  # type: ignore[return-value]

    response = PrivateNoStoreMiddleware(export)(RequestFactory().get("/export.csv"))
    assert directives(response) == {"no-store", "private"}


def test_a_receipt_which_its_view_marks_private_is_not_stored_either(
    world: World, artist_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    position = LedgerEntry.objects.filter(work=world.works[0]).values_list("position", flat=True)[0]
    url = reverse("receipt_download", args=[world.works[0].pk, position])
    for response in (artist_client.get(url), artist_client.get(url, {"format": "json"})):
        assert response.status_code == 200
        assert {"no-store", "private"} <= directives(response)


def test_what_a_view_made_public_is_kept(world: World, artist_client: Client) -> None:
    jwks = artist_client.get(reverse("jwks"))
    assert directives(jwks) == {"public", "max-age=3600"}
    admin = logged_in(world.staff).get(reverse("admin:index"))
    assert admin.status_code == 200
    assert {"no-store", "private", "no-cache", "must-revalidate"} <= directives(admin)


def test_the_api_keeps_its_own_no_store(world: World, artist_client: Client) -> None:
    response = artist_client.get(
        "/api/v1/permissions/check",
        {"isrc": world.works[0].isrc, "use": "training"},
        HTTP_AUTHORIZATION="Bearer not-a-key",
    )
    assert response.status_code == 401
    assert directives(response) == {"no-store"}


def test_public_static_files_and_anonymous_pages_are_left_alone(world: World, settings) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # serve static files as in development
    static = logged_in(world.artist_user).get("/static/css/portal.css")
    assert static.status_code == 200
    assert "no-store" not in directives(static)
    public = Client().get(reverse("jwks"))
    assert directives(public) == {"public", "max-age=3600"}
    # Deciding that nobody is signed in does not read the session, which would make a
    # shared cache key a public answer on cookies.
    assert "Cookie" not in public.get("Vary", "")
    assert "no-store" not in directives(Client().get("/no-such-page/"))
