"""Counting things, and saying when, in messages people read.

Every date and time a person reads is one of three shapes, in the time zone active for
the request (the reader's own: `accounts.middleware.TimeZoneMiddleware`; the site's
elsewhere, as in a worker):

- `day_words`: a calendar day, "10 May 2026";
- `moment_words`: an instant, "10 May 2026, 14:00 CET";
- `until_words`: the last day something is in force, "until 31 Dec 2026", as a licence's
  end date reads (a yes, a permission that lapses at 1 Jan 00:00 UTC holds until 31 Dec).

Templates say the same through `{% load ui %}`'s `|day`, `|moment` and `|until`.
Machine-readable output (CSV, JSON, URLs) never goes through here: it carries ISO dates.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format

DAY = "j M Y"
MOMENT = "j M Y, H:i"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 work", "1,200 works", "2 new deliveries" (with `plural` for irregular ones)."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def _local(value: datetime) -> datetime:
    # A naive datetime is taken to be in the site's zone, as Django stores none.
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value)


def day_words(value: date) -> str:
    """ "10 May 2026": a date as it is, an instant as the day it falls on here."""
    if isinstance(value, datetime):
        value = _local(value)
    return date_format(value, DAY)


def zone_words(value: datetime) -> str:
    """ "CET", "UTC", or "UTC-03" where the zone has no abbreviation of its own."""
    name = _local(value).tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name


def moment_words(value: datetime) -> str:
    """ "10 May 2026, 14:00 CET": an instant, in the reader's time zone, which it names."""
    return f"{date_format(_local(value), MOMENT)} {zone_words(value)}"


def until_words(value: date) -> str:
    """The last day something is in force ("until 31 Dec 2026"). A date is that day. An
    instant at the start of a UTC day, how whole days end (a licence to 31 Dec lapses at
    1 Jan 00:00 UTC), is the day before, wherever the reader is, as the licence reads;
    any other instant is the day it falls on here."""
    if isinstance(value, datetime):
        at = value.astimezone(UTC) if timezone.is_aware(value) else value
        if at.time() == time.min:
            return date_format(at.date() - timedelta(days=1), DAY)
    return day_words(value)
