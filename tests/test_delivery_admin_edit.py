"""Staff edit a webhook endpoint through the real admin change form, as a browser posts
it (every field the page carries, inline management forms included)."""

from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from portal.delivery.models import Endpoint
from portal.delivery.services import endpoint_create
from tests.conftest import World, logged_in


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in ("submit", "checkbox"):
            self.fields[name] = attr.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attr:
            self.fields[self._select] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def change_form(client: Client, endpoint: Endpoint) -> tuple[str, dict[str, str]]:
    url = reverse("admin:delivery_endpoint_change", args=[endpoint.pk])
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    return url, parser.fields


@pytest.fixture
def staff(world: World) -> Client:
    return logged_in(world.staff)


def test_staff_change_an_endpoints_url_and_the_change_is_logged(
    world: World, staff: Client
) -> None:
    endpoint, _ = endpoint_create(product=world.product, url="https://hooks.tunesmith.example/a")
    url, fields = change_form(staff, endpoint)
    assert "secrets-TOTAL_FORMS" in fields

    response = staff.post(url, {**fields, "url": "https://hooks.tunesmith.example/b", "_save": ""})

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.tunesmith.example/b"
    logged = LogEntry.objects.get(object_id=str(endpoint.pk))
    assert (logged.user, logged.get_change_message()) == (world.staff, "Changed URL.")
