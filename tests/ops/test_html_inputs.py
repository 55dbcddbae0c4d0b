"""Control characters in what a browser sends: the address, its query string and form
fields get a plain 400 (or a form error), never a 500, and change nothing."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from portal.consent.models import Decision
from portal.ops.inputs import ControlCharactersMiddleware, control_found
from tests.conftest import World

CONTROLS = ["\x00", "\x08", "\x1b", "\x7f", "\x85", "\x9f"]
WITHOUT_THE_MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("portal.ops.inputs")]


def refused(response) -> str:
    assert response.status_code == 400
    page = response.content.decode()
    assert "control character" in page and "Nothing was changed" in page
    return page


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_the_credits_search_is_a_400_not_a_500(
    world: World, artist_client: Client, char: str
) -> None:
    url = reverse("artist_credits", args=[world.artist.pk])
    page = refused(artist_client.get(url, {"q": f"Night{char}Drive"}))
    assert f"U+{ord(char):04X}" in page and "“q”" in page


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("artist_earnings", {"currency": "EUR\x00"}),
        ("artist_earnings", {"from": "2026-01\x00", "to": "2026-12"}),
        ("artist_earning_lines", {"work": "1\x00"}),
        ("artist_statements", {"page": "\x00"}),
        ("artist_home", {"\x00": "1"}),
    ],
)
def test_a_nul_in_any_pages_query_string_is_a_400(
    world: World, artist_client: Client, name: str, params: dict[str, str]
) -> None:
    refused(artist_client.get(reverse(name, args=[world.artist.pk]), params))


def test_a_nul_in_a_label_pages_query_string_is_a_400(world: World, manager_client: Client):
    url = reverse("label_usage_flags", args=[world.label.pk])
    refused(manager_client.get(url, {"product": "tunesmith\x00", "status": "\x00"}))


def test_a_nul_in_the_address_itself_is_a_400(world: World, artist_client: Client) -> None:
    refused(artist_client.get("/invitations/abc%00def/"))


def test_anonymous_visitors_get_the_400_too(world: World) -> None:
    refused(Client().get(reverse("account_login"), {"next": "/\x00"}))


def test_a_form_field_with_a_control_character_is_a_400_and_decides_nothing(
    world: World, artist_client: Client
) -> None:
    url = reverse(
        "decide",
        kwargs={
            "kind": "artists",
            "party_id": world.artist.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    data = {"use": "training", "answer": "granted", "back": "q=\x1b[2J"}
    page = refused(artist_client.post(url, data))
    assert "“back”" in page
    assert not Decision.objects.exists()


def test_the_400_page_carries_the_security_headers(world: World, artist_client: Client):
    response = artist_client.get(reverse("artist_home", args=[world.artist.pk]), {"q": "\x00"})
    refused(response)
    assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"


def test_line_breaks_and_tabs_pass_for_free_text_and_passwords() -> None:
    request = RequestFactory().post("/accounts/login/", {"password": "a\tb\r\nc", "note": "1\n2"})
    assert control_found(request) is None


def test_the_api_is_left_to_answer_in_json(world: World) -> None:
    response = Client().get("/api/v1/permissions/check", {"isrc": "\x00", "use": "\x00"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_middleware_answers_only_with_its_400() -> None:
    def view(request: object) -> None:
        raise AssertionError("the view must not run")

    request = RequestFactory().get("/artists/1/credits/", {"q": "\x00"})
    assert ControlCharactersMiddleware(view)(request).status_code == 400


# --- the credits search's own form -------------------------------------------------------


@override_settings(MIDDLEWARE=WITHOUT_THE_MIDDLEWARE)
@pytest.mark.parametrize("q", ["Night\x00Drive", "Night\x1bDrive", "Night\nDrive", "x" * 101])
def test_the_credits_search_refuses_what_it_cannot_run_as_a_form_error(
    world: World, artist_client: Client, q: str
) -> None:
    response = artist_client.get(reverse("artist_credits", args=[world.artist.pk]), {"q": q})
    assert response.status_code == 400
    assert response.context["search"].errors["q"]
    assert 'id="id_q_error"' in response.content.decode()
    # Meanwhile every work is listed, as with no search.
    assert response.context["page"].paginator.count == len(world.works)


def test_the_credits_search_still_finds_works(world: World, artist_client: Client) -> None:
    url = reverse("artist_credits", args=[world.artist.pk])
    response = artist_client.get(url, {"q": "  Night Drive 1 "})
    assert response.status_code == 200
    assert [work.title for work, _ in response.context["works"]] == ["Night Drive 1"]
