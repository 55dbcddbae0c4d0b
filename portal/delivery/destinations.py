"""Where a webhook may be sent: never into the portal's own network.

A webhook URL is typed by staff and then fetched by our workers, from inside our network,
so an address like `http://169.254.169.254/` or `http://10.0.0.5:6379/` would turn the
portal into a way of reaching what only it can reach (SSRF). In production a receiver
must be `https` and every address its host resolves to must be public. This is checked
when the URL is saved and again on every send, after resolving the name, and the send
then connects to the very address that was checked (`portal.delivery.http`), so a DNS
answer that changes between the check and the connection (rebinding) cannot redirect it.

`WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (on for `make run` and the tests, whose receivers
listen on 127.0.0.1) allows plain http and any address.
"""

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Shared address space (RFC 6598): carriers' and clouds' internal networks; not "private"
# to `ipaddress`, but not reachable from the internet either.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# The well-known NAT64 prefix (RFC 6052) carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


class DestinationRefused(ValueError):
    """The URL may not be sent to; the message says why, for staff."""


@dataclass(frozen=True)
class Destination:
    """A URL taken apart, with the addresses its host resolved to (all of them allowed)."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]


def private_allowed() -> bool:
    return settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES


def _embedded(ip: IPAddress) -> Iterator[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address stands for (mapped, 6to4, Teredo, NAT64): each is
    judged too, since `::ffff:127.0.0.1` reaches 127.0.0.1."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return
    if ip.ipv4_mapped:
        yield ip.ipv4_mapped
    if ip.sixtofour:
        yield ip.sixtofour
    if ip.teredo:
        yield from ip.teredo
    if ip in NAT64:
        yield ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def address_refusal(ip: IPAddress) -> str:
    """What kind of non-public address `ip` is, or "" when it is a public one."""
    for inner in _embedded(ip):
        if kind := address_refusal(inner):
            return kind
    if ip in METADATA:
        return "the cloud metadata address"
    for kind, test in (
        ("a loopback address", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("the unspecified address", ip.is_unspecified),
        ("a multicast address", ip.is_multicast),
        ("a shared (carrier-grade NAT) address", ip in CGNAT),
        ("a reserved address", ip.is_reserved),
        ("a private address", ip.is_private),
        ("not a public address", not ip.is_global),
    ):
        if test:
            return kind
    return ""


def url_parts(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of a webhook URL; refused unless it is https
    (or http where private addresses are allowed) with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused(f"Not a valid URL: {exc}.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise DestinationRefused(
            "Webhooks are sent over https only."
            if parts.scheme == "http"
            else "A webhook URL starts with https://."
        )
    if not parts.hostname:
        raise DestinationRefused("A webhook URL needs a host name.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), target


def addresses_resolve(host: str, port: int, *, allow_private: bool) -> tuple[str, ...]:
    """The addresses `host` stands for now, each of them public unless private ones are
    allowed: one non-public answer refuses the host, whichever address would be tried."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise DestinationRefused(f"{host} could not be resolved ({exc}).") from None
        # The scope of a link-local IPv6 answer ("fe80::1%eth0") is not part of the address.
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in answers]
    addresses = tuple(dict.fromkeys(str(ip) for ip in found))
    if not addresses:
        raise DestinationRefused(f"{host} has no address.")
    if not allow_private:
        for ip in found:
            if kind := address_refusal(ip):
                shown = host if literal is not None else f"{host} resolves to {ip}, which"
                raise DestinationRefused(
                    f"{shown} is {kind}: webhooks go to public addresses only."
                )
    return addresses


def destination_resolve(url: str, *, allow_private: bool) -> Destination:
    """Check `url`, resolve its host once and check every address. Raises
    `DestinationRefused` with a reason staff can act on."""
    scheme, host, port, target = url_parts(url, allow_private=allow_private)
    addresses = addresses_resolve(host, port, allow_private=allow_private)
    return Destination(scheme=scheme, host=host, port=port, target=target, addresses=addresses)


def webhook_url_check(url: str) -> None:
    """Raise `DestinationRefused` unless `url` may be a webhook endpoint under the current
    settings. Where private addresses are allowed nothing is resolved, so a development
    receiver may be set up before it exists."""
    allow_private = private_allowed()
    if allow_private:
        url_parts(url, allow_private=True)
    else:
        destination_resolve(url, allow_private=False)


def validate_webhook_url(url: str) -> None:
    """Model validator: the same rule as `webhook_url_check`, as a form error."""
    try:
        webhook_url_check(url)
    except DestinationRefused as exc:
        raise ValidationError(str(exc), code="destination") from None
