"""Checking the conditions given with a yes against the vocabulary, and a party's default
conditions for a product."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist
from portal.consent.conditions import Conditions, conditions_json, is_country
from portal.consent.models import Answer, ConditionDefault, Side
from portal.consent.services.common import ConsentError
from portal.licensing.models import Condition, Product
from portal.text import name_control_in

CREDIT_MAX = 200


def conditions_check(answer: str, conditions: Conditions) -> None:
    """Conditions from the vocabulary, each with the parameter it takes (one query)."""
    if not conditions:
        return
    if answer != Answer.GRANTED:
        raise ConsentError("Only a yes can have conditions.")
    if len({given.code for given in conditions}) != len(conditions):
        raise ConsentError("Each condition can be given once.")
    parameters = dict(
        Condition.objects.filter(code__in=[given.code for given in conditions]).values_list(
            "code", "parameter"
        )
    )
    for given in conditions:
        parameter = parameters.get(given.code)
        if parameter is None:
            raise ConsentError("That is not a condition the portal knows.")
        if (parameter == Condition.Parameter.CREDIT) != bool(given.credit.strip()):
            raise ConsentError("A credit needs the credit line to show, and only a credit.")
        if (parameter == Condition.Parameter.TERRITORIES) != bool(given.allow):
            raise ConsentError("Choose at least one country the use is allowed in.")
        if len(given.credit) > CREDIT_MAX or name_control_in(given.credit):
            raise ConsentError(
                f"A credit line is one line of at most {CREDIT_MAX} characters, without "
                "control characters or text-direction marks."
            )
        if not all(is_country(code) for code in given.allow):
            raise ConsentError("Countries are given as ISO 3166-1 codes, such as GB.")


@transaction.atomic
def condition_default_set(
    *,
    actor: User,
    product: Product,
    side: str,
    artist_id: int | None,
    label_id: int | None,
    conditions: Conditions,
) -> None:
    """Set (or, with no conditions, clear) the conditions a party's plain yes to the
    product carries from now on. Answers already given keep theirs. The caller has
    checked that `actor` decides for the party (`consent.access`)."""
    conditions_check(Answer.GRANTED, conditions)
    key: dict[str, Any] = (
        {"artist_id": artist_id} if side == Side.ARTIST else {"label_id": label_id}
    )
    if not conditions:
        ConditionDefault.objects.filter(product=product, side=side, **key).delete()
        return
    ConditionDefault.objects.update_or_create(
        product=product,
        side=side,
        **key,
        defaults={
            "conditions": conditions_json(conditions),
            "set_by": actor,
            "set_at": timezone.now(),
        },
    )


def artist_reach_set(*, artist: Artist, later_versions: bool) -> None:
    """Whether the artist's plain yes covers a product's later versions from now on. The
    caller has checked that the actor decides for the artist (`consent.access`)."""
    Artist.objects.filter(pk=artist.pk).update(yes_covers_later_versions=later_versions)
    artist.yes_covers_later_versions = later_versions
