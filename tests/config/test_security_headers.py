"""Security by default: a strict Content Security Policy on every page."""

from django.test import Client
from django.urls import reverse

from tests.conftest import World


def test_every_page_carries_a_strict_content_security_policy(
    world: World, artist_client: Client
) -> None:
    for client, url in (
        (Client(), reverse("account_login")),
        (artist_client, reverse("artist_home", args=[world.artist.pk])),
    ):
        policy = client.get(url, follow=True)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_script_or_style(world: World, artist_client: Client) -> None:
    body = artist_client.get(
        reverse(
            "matrix",
            kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "tunesmith"},
        )
    ).content.decode()
    assert "<script>" not in body and "<style" not in body and " style=" not in body
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in body
