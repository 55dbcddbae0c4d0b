"""The portal's own template library: `{% load ui %}`.

Money and counts in the reader's locale (see portal.earnings.formats):
`{% money amount currency %}`, `{% number count %}`, `{% month date %}`,
`{% month date short=True %}` and `{% day date %}`.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

from portal.earnings import formats

register = template.Library()


def _locale(context: template.Context) -> Any:
    return formats.locale_of(context.get("request"))


@register.simple_tag(takes_context=True)
def money(context: template.Context, amount: Decimal | None, currency: str) -> str:
    return formats.money(amount, currency, _locale(context))


@register.simple_tag(takes_context=True)
def number(context: template.Context, value: int | Decimal | None) -> str:
    return formats.number(value, _locale(context))


@register.simple_tag(takes_context=True, name="month")
def month_tag(context: template.Context, value: date, short: bool = False) -> str:
    return formats.month(value, _locale(context), short=short)


@register.simple_tag(takes_context=True, name="day")
def day_tag(context: template.Context, value: date) -> str:
    return formats.day(value, _locale(context))
