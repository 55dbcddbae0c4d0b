"""{% condition_names as names %} once, then {% conditions_said entry.conditions names %}:
a yes's conditions in words, for pages listing ledger entries (a work's history, an
artist's activity), with one query for the whole page."""

from typing import Any

from django import template

from portal.consent.conditions import conditions_of
from portal.consent.wording import condition_names, conditions_words

register = template.Library()


@register.simple_tag(name="condition_names")
def condition_names_tag() -> dict[str, str]:
    """The vocabulary's names by code: one query."""
    return condition_names()


@register.simple_tag(name="conditions_said")
def conditions_said_tag(conditions: list[dict[str, Any]], names: dict[str, str]) -> str:
    return conditions_words(conditions_of(conditions), names)
