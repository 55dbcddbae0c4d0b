"""{% models_of work as models %}: the AI models a work went into, as its history page
shows them (one query for the items, one for breaches)."""

from typing import Any

from django import template

from portal.catalogue.models import Work
from portal.training.selectors import models_of

register = template.Library()


@register.simple_tag(name="models_of")
def models_of_tag(work: Work) -> list[dict[str, Any]]:
    return models_of(work=work)
