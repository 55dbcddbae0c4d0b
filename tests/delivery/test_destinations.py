"""Webhooks never go into the portal's own network: production takes https to public
addresses only, checked when a URL is saved and again at every send, after resolving the
host, and the send connects to the address that was checked.

Host names are made up and answered by a fake resolver (DNS is outside the system), and
no connection may leave this machine: a guard refuses, before any packet, every connect
to an address that is not loopback and records it.
"""

import datetime
import ipaddress
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

from portal.consent.models import Answer, Side
from portal.delivery import http
from portal.delivery.destinations import (
    DestinationRefused,
    address_refusal,
    destination_resolve,
    webhook_url_check,
)
from portal.delivery.models import Attempt, Delivery, Endpoint
from portal.delivery.services import (
    DeliveryError,
    deliveries_send_due,
    endpoint_create,
    endpoint_url_set,
)
from tests.conftest import World, say
from tests.receiver import TestReceiver, receiving

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:4700:4700::1111"


# --- the guard and the fake resolver -----------------------------------------------------


@pytest.fixture(autouse=True)
def outside(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Addresses something tried to connect to beyond loopback (refused, never reached)."""
    tried: list[str] = []

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                host = str(address[0]).split("%")[0]
                if not ipaddress.ip_address(host).is_loopback:
                    tried.append(host)
                    raise ConnectionRefusedError(f"the test refused a connection to {host}")
            return real(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(socket.socket.connect_ex))
    return tried


class Resolver:
    """Answers for made-up names: each lookup takes the next answer, the last repeats."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []

    def add(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def lookup(self, host: str, port: int) -> list[tuple[Any, ...]]:
        self.asked.append(host)
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    resolver = Resolver()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host in resolver.answers:
            return resolver.lookup(host, int(port))
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return resolver


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def permit(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)


def send(world: World) -> int:
    return deliveries_send_due(product_id=world.product.pk)


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.20", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("224.0.1.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.7", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),
        ("64:ff9b::a00:1", "private"),
    ],
)
def test_every_kind_of_non_public_address_is_refused(address: str, kind: str) -> None:
    assert kind in address_refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == ""


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public(dns: Resolver) -> None:
    dns.add("mixed.test", [PUBLIC_V4, "10.20.30.40"])
    dns.add("fine.test", [PUBLIC_V4, PUBLIC_V6])

    with pytest.raises(DestinationRefused, match=r"mixed\.test resolves to 10\.20\.30\.40"):
        destination_resolve("https://mixed.test/hooks", allow_private=False)
    fine = destination_resolve("https://fine.test/hooks?x=1", allow_private=False)
    assert (fine.host, fine.port, fine.target) == ("fine.test", 443, "/hooks?x=1")
    assert fine.addresses == (PUBLIC_V4, PUBLIC_V6)


def test_a_name_that_does_not_resolve_is_refused_with_a_reason(dns: Resolver) -> None:
    with pytest.raises(DestinationRefused, match="could not be resolved"):
        destination_resolve("https://nowhere.invalid/hooks", allow_private=False)


def test_the_services_refuse_a_url_into_our_own_network_in_production(
    world: World, settings
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(DeliveryError, match="loopback"):
        endpoint_create(product=world.product, url="https://localhost/hooks")
    with pytest.raises(DeliveryError, match="https only"):
        endpoint_create(product=world.product, url="http://hooks.example/consent")
    assert not Endpoint.objects.exists()

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint, _ = endpoint_create(product=world.product, url="http://127.0.0.1:9/hooks")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(DeliveryError, match="private"):
        endpoint_url_set(endpoint=endpoint, url="https://10.9.8.7/hooks")
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/hooks"


def test_where_private_addresses_are_allowed_http_and_loopback_are_taken_unresolved(
    settings, dns: Resolver
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    webhook_url_check("http://127.0.0.1:8765/hooks")
    webhook_url_check("http://not-yet-running.test/hooks")
    assert dns.asked == []
    with pytest.raises(DestinationRefused):
        webhook_url_check("ftp://127.0.0.1/hooks")


# --- at send -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://localhost:{port}/hooks", r"localhost resolves to \S+, which is a loopback"),
        ("http://127.0.0.1:{port}/hooks", r"Webhooks are sent over https only\."),
        ("https://10.0.0.1/hooks", r"10\.0\.0\.1 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", r"169\.254\.169\.254 is the cloud metadata"),
        (
            "https://internal.test/hooks",
            r"internal\.test resolves to 10\.1\.1\.1, which is a private",
        ),
    ],
)
def test_production_refuses_at_send_and_records_a_failed_attempt_that_is_retried(
    world: World,
    settings,
    receiver: TestReceiver,
    dns: Resolver,
    outside: list[str],
    url: str,
    reason: str,
) -> None:
    dns.add("internal.test", ["10.1.1.1"])
    # Saved before the rule, or when the name still pointed elsewhere.
    endpoint, secret = endpoint_create(product=world.product, url=url.format(port=receiver.port))
    receiver.use_secret(secret)
    permit(world)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    assert send(world) == 0

    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused: ") and re.search(reason, attempt.error)
    assert receiver.requests() == [] and outside == []
    endpoint.refresh_from_db()
    assert endpoint.status == Endpoint.Status.FAILING
    assert endpoint.delivered_seq == 0 and endpoint.next_attempt_at is not None
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and re.search(reason, delivery.last_error)

    # Nothing is lost: once the URL is fixed the same batch goes out on its next try.
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint_url_set(endpoint=endpoint, url=receiver.url)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert send(world) == 1
    [received] = receiver.acknowledged()
    assert received.webhook_id == delivery.webhook_id and received.seqs == [1]


def test_the_send_connects_to_the_address_it_checked_not_a_later_answer(
    world: World, settings, dns: Resolver, outside: list[str]
) -> None:
    # A rebinding name: public when checked, loopback on any later lookup.
    dns.add("rebind.test", [PUBLIC_V4], ["127.0.0.1"])
    endpoint_create(product=world.product, url="https://rebind.test/hooks")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    permit(world)

    assert send(world) == 0

    assert dns.asked == ["rebind.test"]
    assert outside == [PUBLIC_V4]  # stopped by the guard, the loopback answer never used
    assert "refused a connection" in Attempt.objects.get().error


def test_a_slow_connect_to_a_checked_address_keeps_the_deadline(
    world: World, dns: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    dns.add("slow.test", ["127.0.0.1", "127.0.0.2"])
    tried: list[tuple[str, float]] = []

    def create_connection(address: tuple[str, int], timeout: float) -> socket.socket:
        tried.append((address[0], timeout))
        raise TimeoutError

    monkeypatch.setattr(socket, "create_connection", create_connection)
    response = http.post(
        url="http://slow.test:9/hooks", body=b"{}", headers={}, timeout=2.0, allow_private=True
    )
    assert response.error == "Timed out after 2 s"
    assert [a for a, _ in tried] == ["127.0.0.1", "127.0.0.2"]
    assert all(0 < t <= 2.0 for _, t in tried)


# --- TLS to a pinned address ---------------------------------------------------------------


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA (trusted by the sender through SSL_CERT_FILE) and a server certificate it
    signed for `hooks.test` only."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class TlsReceiver:
    """HTTPS on 127.0.0.1 that records the SNI name and `Host` of each request."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.seen: list[tuple[str | None, str | None]] = []
        self.sni: list[str | None] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = self._sni
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.seen.append((receiver.sni[-1], self.headers.get("Host")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _sni(self, sock: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.sni.append(name)


@pytest.fixture
def tls_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TlsReceiver]:
    ca, cert, key = _certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    receiver = TlsReceiver(cert, key)
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def post_to(url: str) -> Callable[[], http.Response]:
    return lambda: http.post(url=url, body=b"{}", headers={}, timeout=2.0, allow_private=True)


def test_https_to_a_pinned_address_still_names_and_verifies_the_host(
    dns: Resolver, tls_receiver: TlsReceiver
) -> None:
    dns.add("hooks.test", ["127.0.0.1"])

    response = post_to(f"https://hooks.test:{tls_receiver.port}/hooks")()

    assert response.status == 204, response.error
    assert tls_receiver.seen == [("hooks.test", f"hooks.test:{tls_receiver.port}")]


def test_https_refuses_a_certificate_for_another_name_at_the_same_address(
    dns: Resolver, tls_receiver: TlsReceiver
) -> None:
    dns.add("other.test", ["127.0.0.1"])

    response = post_to(f"https://other.test:{tls_receiver.port}/hooks")()

    assert response.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in response.error
    assert tls_receiver.seen == []


def test_an_excerpt_is_one_short_line_without_control_characters() -> None:
    excerpt = http.excerpt_of(b"line one\r\n\tline\x00two \x1b[2J\xe2\x80\xae" + b"x" * 900)
    assert excerpt.startswith("line one line two [2J xxx")
    assert len(excerpt) == http.EXCERPT_CHARS
