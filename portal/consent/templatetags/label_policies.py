"""{% policies_on work as policies %}: the label policies in force that reach a work, in
words, for pages that show the work's state in passing (its history), as withdrawal is."""

from django import template

from portal.catalogue.models import Work
from portal.consent.selectors.policies import policies_reaching

register = template.Library()


@register.simple_tag(name="policies_on")
def policies_on_tag(work: Work) -> list[str]:
    """As `consent.selectors.policies.policies_reaching`: one query."""
    return policies_reaching(work=work)
