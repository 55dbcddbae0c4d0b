"""Reads: what a recording's public preferences say.

What is licensed is read from the effective permissions as last announced
(`AnnouncedPermission`), the rows the consent API answers from, never worked out again
here: the work page and the API cannot disagree. Only what is permitted now is shown,
and only once both sides have answered, so a party that has not spoken is never read
from its counterpart's answers.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from portal.catalogue.models import Work
from portal.consent.conditions import Given, conditions_of
from portal.consent.models import AnnouncedPermission, Decision, Side
from portal.consent.wording import condition_names, conditions_words
from portal.licensing.models import Product, ProductUse, UseType


@dataclass(frozen=True)
class Licensed:
    """One use of the recording licensed now, through one product, under `conditions`
    (empty for none), with `words` saying them as people read them."""

    product: Product
    use_type: UseType
    conditions: tuple[Given, ...]
    words: str


@dataclass(frozen=True)
class WorkSignals:
    work: Work
    licensed: list[Licensed]


def _both_sides_answered() -> Exists:
    """Some use a product asks for of the work has an answer from each side."""
    label_answer = Decision.objects.filter(
        work=OuterRef("work"),
        product=OuterRef("product"),
        use_type=OuterRef("use_type"),
        side=Side.RIGHTS_HOLDER,
    )
    asked = ProductUse.objects.filter(product=OuterRef("product"), use_type=OuterRef("use_type"))
    return Exists(
        Decision.objects.filter(work=OuterRef("pk"), side=Side.ARTIST).filter(
            Exists(label_answer), Exists(asked)
        )
    )


def work_signals(*, isrc: str, now: datetime) -> WorkSignals | None:
    """The work with this (normalised) ISRC and what is licensed of it now; None if the
    catalogue has no such work. At most three queries whatever the catalogue."""
    work = (
        Work.objects.select_related("primary_artist", "label")
        .annotate(answered=_both_sides_answered())
        .filter(isrc=isrc)
        .first()
    )
    if work is None:
        return None
    # A withdrawn or disputed work is announced as not permitted anyway; saying so here
    # too keeps a public page from ever running ahead of that announcement.
    live = work.withdrawn_at is None and work.disputed_at is None
    if not (live and work.answered):
        return WorkSignals(work=work, licensed=[])
    rows = list(
        AnnouncedPermission.objects.permitted_at(now)
        .filter(work=work)
        .select_related("product__licensee", "use_type")
        .order_by("product__name", "product_id", "use_type__position", "use_type__name")
    )
    names = condition_names() if any(row.conditions for row in rows) else {}
    licensed = []
    for row in rows:
        given = tuple(conditions_of(row.conditions))
        licensed.append(Licensed(row.product, row.use_type, given, conditions_words(given, names)))
    return WorkSignals(work=work, licensed=licensed)
