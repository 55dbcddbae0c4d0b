from django.db.models import Choices
from django.http import HttpRequest

from portal.catalogue.models import ArtistMembership
from portal.consent.access import PartyKind
from portal.consent.models import Answer, Side
from portal.earnings.models import Compliance
from portal.licensing.models import Product
from portal.teams.models import TeamEvent

# Templates compare a stored choice with its enum member, never with a bare string: a
# renamed value then fails loudly where it is defined, instead of silently turning an
# `{% if %}` false on some page.
CHOICES: dict[str, type[Choices]] = {
    "Answer": Answer,
    "Side": Side,
    "PartyKind": PartyKind,
    "ProductStatus": Product.Status,
    "Compliance": Compliance,
    "MemberRole": ArtistMembership.Role,
    "TeamEventKind": TeamEvent.Kind,
}


def choices(request: HttpRequest) -> dict[str, type[Choices]]:
    """The enums above, by name, in every template: `{% if cell.answer == Answer.GRANTED %}`."""
    return CHOICES
