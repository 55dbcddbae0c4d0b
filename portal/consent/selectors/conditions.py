"""Which conditions a yes carries when the person does not choose them on the spot."""

from dataclasses import dataclass

from portal.catalogue.models import Work
from portal.consent.conditions import Conditions, conditions_of
from portal.consent.models import Answer, ConditionDefault, Decision, Side
from portal.consent.wording import condition_names, conditions_words
from portal.licensing.models import Product, UseType


def default_conditions(
    *, product: Product, side: str, artist_id: int | None, label_id: int | None
) -> Conditions:
    """The party's default conditions for the product: the artist's for the artist side,
    the label's for the rights holder's; none when not set (one query)."""
    key = {"artist_id": artist_id} if side == Side.ARTIST else {"label_id": label_id}
    found = ConditionDefault.objects.filter(product=product, side=side, **key).values_list(
        "conditions", flat=True
    )
    return conditions_of(next(iter(found), None))


@dataclass(frozen=True)
class YesTerms:
    """What a plain yes carries: its conditions, and whether it covers later versions."""

    conditions: Conditions
    later_versions: bool


def yes_terms(
    *,
    product: Product,
    work: Work,
    use_type: UseType,
    answer: str,
    side: str,
    artist_id: int | None,
    label_id: int | None,
    later_default: bool,
) -> YesTerms:
    """What a plain yes on one cell carries: the terms of the side's yes when it repeats
    one (they change on the conditions page), else the party's default conditions and
    its default reach (`later_default`) (two queries at most). A no carries none."""
    if answer != Answer.GRANTED:
        return YesTerms((), False)
    current = Decision.objects.filter(
        product=product, work=work, use_type=use_type, side=side, answer=Answer.GRANTED
    ).values_list("conditions", "later_versions")
    for conditions, later in current:
        return YesTerms(conditions_of(conditions), later)
    given = default_conditions(product=product, side=side, artist_id=artist_id, label_id=label_id)
    return YesTerms(given, later_default)


def default_words(
    *, product: Product, side: str, artist_id: int | None, label_id: int | None
) -> str:
    """The party's default conditions for the product in words, or "" (one query, two
    when set)."""
    given = default_conditions(product=product, side=side, artist_id=artist_id, label_id=label_id)
    return conditions_words(given, condition_names()) if given else ""
