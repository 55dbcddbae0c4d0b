"""What keeps machines from filing misuse reports, without a third-party captcha:

- a signed form token, made when the page is shown: it names the artist and the time,
  and a report is refused if it came back sooner than `FANS_REPORT_MIN_SECONDS` (no
  person reads the page and fills the form that fast), later than `FANS_REPORT_MAX_AGE`,
  for another artist, or not signed by us;
- a honeypot field the page hides from people (the form's `website`);
- a rate limit per client address: allauth's counter, the one sign-in counts failed
  passwords with, in the default cache (Redis wherever more than one process serves), and
  the client address as the account adapter reads it behind our proxies
  (`TRUSTED_PROXY_COUNT`, `TRUSTED_CLIENT_IP_HEADER`).
"""

import time

from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

_SALT = "portal.fans.report-form"
_ACTION = "misuse_report"


class FormRefused(ValueError):
    """The form token is not one we made for this page, or not within its time."""


def form_token(*, artist_id: int, now: float | None = None) -> str:
    """The token the report form carries, made when the page is shown."""
    issued = int(time.time() if now is None else now)
    return signing.dumps({"artist": artist_id, "at": issued}, salt=_SALT, compress=False)


def form_token_check(*, token: str, artist_id: int, now: float | None = None) -> None:
    """Raises `FormRefused`, saying why in words for the fan, unless the token is ours,
    for this artist, and between the minimum and maximum age."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(token, salt=_SALT)
        issued, artist = int(payload["at"]), int(payload["artist"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise FormRefused(
            "This form did not come from this page. Reload it and try again."
        ) from None
    age = now - issued
    if artist != artist_id or age < -5:
        raise FormRefused("This form did not come from this page. Reload it and try again.")
    if age < settings.FANS_REPORT_MIN_SECONDS:
        raise FormRefused(
            "That was faster than anyone reads the form: wait a moment and send it again."
        )
    if age > settings.FANS_REPORT_MAX_AGE:
        raise FormRefused(
            "This form is more than a day old: it is shown again, fresh; please send it again."
        )


def client_ip(request: HttpRequest) -> str:
    """The client's address, as sign-in's limits read it (behind our proxies)."""
    return str(get_adapter(request).get_client_ip(request))


def ip_hash(ip: str) -> str:
    """A keyed hash of the address: tells repeat senders apart, and cannot be turned back
    into the address without the site's secret key."""
    return salted_hmac("portal.fans.misuse-report.ip", ip, algorithm="sha256").hexdigest()


def report_allowed(request: HttpRequest) -> bool:
    """Count one report from the request's client; False when over `FANS_REPORT_RATE_LIMIT`.

    A Redis outage raises, and `CacheOutageMiddleware` answers 503: without its limit the
    form would be open to a flood, as sign-in would be."""
    usage = ratelimit.consume(
        request,
        app="portal.fans",
        action=_ACTION,
        config={_ACTION: settings.FANS_REPORT_RATE_LIMIT},
    )
    return usage is not None
