"""Money and months in the reader's own locale (from the browser's Accept-Language).

Machine-readable output (CSV, JSON) never goes through here: it carries plain decimals
and ISO dates.
"""

from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

from portal.earnings.currencies import MINOR_UNITS

DEFAULT_LOCALE = Locale.parse("en_GB")


def locale_of(request: HttpRequest | None) -> Locale:
    """The first locale of the request's Accept-Language that Babel knows."""
    if request is None:
        return DEFAULT_LOCALE
    cached = getattr(request, "_format_locale", None)
    if isinstance(cached, Locale):
        return cached
    found = DEFAULT_LOCALE
    for tag, _ in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if tag == "*":
            continue
        try:
            found = Locale.parse(tag, sep="-")
            break
        except (UnknownLocaleError, ValueError):
            continue
    request._format_locale = found  # type: ignore[attr-defined]  # a memo for this request
    return found


def money(amount: Decimal | int | None, currency: str, locale: Locale) -> str:
    """ "€1.234,50", "$1,234.50", "¥1,235": the currency's own minor units, the locale's
    symbols and grouping."""
    # CLDR shows some currencies (IRR, LBP...) without the cents ISO 4217 gives them and
    # reports carry; then the locale's own pattern, with its two decimals, is used.
    exact = get_currency_precision(currency) == MINOR_UNITS.get(currency, 2)
    return format_currency(amount or 0, currency, locale=locale, currency_digits=exact)


def number(value: int | Decimal | None, locale: Locale) -> str:
    """ "1,234" or "1.234": counts grouped the reader's way."""
    return format_decimal(value or 0, locale=locale)


def month(day: date, locale: Locale, *, short: bool = False) -> str:
    """ "October 2026", "oktober 2026"; short: "Oct 2026"."""
    return format_skeleton("yMMM" if short else "yMMMM", day, locale=locale)


def month_choices(
    first: date | None, last: date | None, *chosen: date | None, locale: Locale
) -> list[tuple[str, str]]:
    """("2026-10", "October 2026") for every month from `first` to `last`, and any month
    `chosen` outside them, newest first: what a period's month picker offers."""
    months = {m for m in chosen if m is not None}
    if first is not None and last is not None:
        at = first
        while at <= last:
            months.add(at)
            at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return [(m.isoformat()[:7], month(m, locale)) for m in sorted(months, reverse=True)]
