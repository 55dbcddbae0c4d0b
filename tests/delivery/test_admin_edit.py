"""Staff edit a webhook endpoint through the real admin change form, as a browser posts
it (every field the page carries, inline management forms included); the URL rule of
production holds there; and what a receiver answered is shown short and escaped."""

import socket
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, Side
from portal.delivery.models import Attempt, Delivery, Endpoint
from portal.delivery.receiver import Reply
from portal.delivery.services import deliveries_send_due, endpoint_create
from tests.conftest import World, logged_in, say
from tests.receiver import TestReceiver, receiving


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


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


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


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.tunesmith.example/consent", "https only"),
        ("https://localhost/hooks", "which is a loopback address"),
        ("https://127.0.0.1:8765/hooks", "127.0.0.1 is a loopback address"),
        ("https://10.1.2.3/hooks", "10.1.2.3 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "the cloud metadata address"),
        ("https://[::ffff:192.168.0.1]/hooks", "is a private address"),
        ("https://100.64.0.9/hooks", "carrier-grade NAT"),
    ],
)
def test_production_refuses_to_save_a_url_into_our_own_network(
    world: World, staff: Client, settings, url: str, reason: str
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    added = staff.post(
        reverse("admin:delivery_endpoint_add"), {"product": world.product.pk, "url": url}
    )

    assert added.status_code == 200
    assert reason in added.content.decode()
    assert not Endpoint.objects.exists()


def test_production_refuses_to_change_a_url_to_one_into_our_own_network(
    world: World, staff: Client, settings
) -> None:
    endpoint, _ = endpoint_create(product=world.product, url="https://hooks.tunesmith.example/a")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    url, fields = change_form(staff, endpoint)

    response = staff.post(url, {**fields, "url": "https://192.168.1.20/hooks", "_save": ""})

    assert response.status_code == 200
    assert "192.168.1.20 is a private address" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.tunesmith.example/a"
    assert not LogEntry.objects.exists()


def test_a_receivers_answer_is_kept_short_on_one_line_and_shown_escaped(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    body = "<script>alert('x')</script>\x1b[31m\r\nroot:x:0:0\u202e" + "A" * 5000
    receiver.then(Reply(500, body=body))
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    deliveries_send_due(product_id=world.product.pk)

    excerpt = Attempt.objects.get().response_excerpt
    assert len(excerpt) <= 200
    assert excerpt.startswith("<script>alert('x')</script> [31m root:x:0:0 AAA")
    assert not any(ch in excerpt for ch in "\x1b\r\n\u202e")
    page = staff.get(reverse("admin:delivery_delivery_change", args=[Delivery.objects.get().pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html


def test_a_host_that_resolves_elsewhere_between_check_and_save_changes_nothing(
    world: World, staff: Client, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's check resolves the host and so does the service: a name whose answer
    flips from public to private in between (rebinding, or a DNS hiccup) is refused with
    a message, neither saved nor logged, never a 500."""
    endpoint, _ = endpoint_create(product=world.product, url="https://hooks.tunesmith.example/a")
    url, fields = change_form(staff, endpoint)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    answers = iter(["93.184.216.34", "10.0.0.5"])

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        assert host == "hooks.rebinding.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = staff.post(url, {**fields, "url": "https://hooks.rebinding.example/b", "_save": ""})

    assert response.status_code == 302
    assert response["Location"] == url
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.tunesmith.example/a"
    assert not LogEntry.objects.filter(object_id=str(endpoint.pk)).exists()
    page = staff.get(url).content.decode()
    assert (
        "The URL was not changed" in page
        and "resolves to 10.0.0.5, which is a private address" in page
    )
