"""The product page's filters: which of a party's works match, in what order.

Every filter is one SQL condition on the works, so a page, its count and a bulk answer
over "everything the filter matches" read the same set, in a constant number of queries.
"""

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from django.db.models import Exists, F, Func, OrderBy, OuterRef, Q, QuerySet, Subquery

from portal.catalogue.models import Track, Work
from portal.catalogue.selectors import works_search
from portal.consent.models import AnnouncedPermission, Answer, Decision, Side

# The answer filters' values, as the URL spells them (`?artist_answer=yes`).
YES, NO, NONE, EXPIRED = "yes", "no", "none", "expired"
ARTIST_ANSWERS = [(YES, "said yes"), (NO, "said no"), (NONE, "not yet"), (EXPIRED, "expired")]
LABEL_ANSWERS = [(YES, "said yes"), (NO, "said no"), (NONE, "not yet")]
STATES = [
    ("waiting", "waiting for you"),
    ("permitted", "permitted"),
    ("not_permitted", "not permitted"),
]
SORTS = {
    "title": ("title",),
    "artist": ("primary_artist__name", "primary_artist_id", "title"),
    "release_date": ("release_date", "title"),
}


@dataclass(frozen=True)
class WorkFilter:
    """What the product page was asked to show. Ids are already checked to be the party's."""

    q: str = ""
    artist_id: int | None = None
    use_type_id: int | None = None
    artist_answer: str = ""
    label_answer: str = ""
    state: str = ""
    release_id: int | None = None

    @property
    def by_answer(self) -> bool:
        return bool(self.artist_answer or self.label_answer or self.state)


def _decisions(product_id: int, use_type_id: int, side: str) -> QuerySet[Decision]:
    return Decision.objects.filter(
        product_id=product_id, use_type_id=use_type_id, side=side, work=OuterRef("pk")
    )


def _answered(product_id: int, use_type_id: int, side: str, value: str, now: datetime) -> Q:
    """The works whose `side` answered `value` for one use (yes, no, none, expired)."""
    decisions = _decisions(product_id, use_type_id, side)
    live_yes = Q(answer=Answer.GRANTED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    if value == YES:
        return Q(Exists(decisions.filter(live_yes)))
    if value == NO:
        return Q(Exists(decisions.filter(answer=Answer.DENIED)))
    if value == EXPIRED:
        return Q(Exists(decisions.filter(answer=Answer.GRANTED, expires_at__lte=now)))
    if side == Side.ARTIST:
        # The artist's "not yet" is no answer at all; an expired yes is its own filter.
        return ~Q(Exists(decisions))
    # The label's "not yet" is what waits for it: no answer, or a yes that has lapsed.
    return ~Q(Exists(decisions.filter(live_yes | Q(answer=Answer.DENIED))))


def _in_state(product_id: int, use_type_id: int, side: str, state: str, now: datetime) -> Q:
    if state == "waiting":
        return ~Q(Exists(_decisions(product_id, use_type_id, side)))
    permitted = Q(
        Exists(
            AnnouncedPermission.objects.permitted_at(now).filter(
                product_id=product_id, use_type_id=use_type_id, work=OuterRef("pk")
            )
        )
    )
    return permitted if state == "permitted" else ~permitted


def _for_use(product_id: int, use_type_id: int, side: str, f: WorkFilter, now: datetime) -> Q:
    """Every answer filter, for one use: a work matches when all of them hold for it."""
    condition = Q()
    if f.artist_answer:
        condition &= _answered(product_id, use_type_id, Side.ARTIST, f.artist_answer, now)
    if f.label_answer:
        condition &= _answered(product_id, use_type_id, Side.RIGHTS_HOLDER, f.label_answer, now)
    if f.state:
        condition &= _in_state(product_id, use_type_id, side, f.state, now)
    return condition


def works_filtered(
    *,
    works: QuerySet[Work],
    product_id: int,
    side: str,
    use_type_ids: Sequence[int],
    f: WorkFilter,
    now: datetime,
) -> QuerySet[Work]:
    """The party's `works` that match `f`. The answer filters apply to `f.use_type_id`, or,
    without one, to any use the party decides: a work matches when one of its uses meets
    all of them at once ("the artist said yes and the label has not answered", for the
    same use)."""
    works = works_search(works, f.q)
    if f.artist_id is not None:
        works = works.filter(primary_artist_id=f.artist_id)
    if f.release_id is not None:
        works = works.filter(
            Exists(Track.objects.filter(release_id=f.release_id, work=OuterRef("pk")))
        )
    if f.by_answer:
        uses = [f.use_type_id] if f.use_type_id is not None else list(use_type_ids)
        if not uses:
            return works.none()
        if f.state == "waiting" and not (f.artist_answer or f.label_answer):
            # Waiting in some use: fewer answers than uses. One look-up per work, where
            # "no answer for this use, or for that one" would read every answer of each.
            answers = Decision.objects.filter(
                product_id=product_id, side=side, use_type_id__in=uses, work=OuterRef("pk")
            ).annotate(n=Func(F("pk"), function="COUNT"))
            return works.alias(answers=Subquery(answers.values("n"))).filter(answers__lt=len(uses))
        conditions = [_for_use(product_id, use_type_id, side, f, now) for use_type_id in uses]
        works = works.filter(reduce(operator.or_, conditions))
    return works


def works_sorted(works: QuerySet[Work], sort: str) -> QuerySet[Work]:
    """Order by title (default), artist or release date; `-` first for descending. The
    id last, so pages never overlap or skip a work between equal titles."""
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS["title"])
    # Descending is the exact reverse of ascending, nulls included (undated works last
    # oldest first, so first newest first): an index read backwards serves either, and
    # the (label, title, id) and (label, release date, title, id) indexes serve a page.
    order: list[OrderBy] = [F(name).desc() if descending else F(name).asc() for name in fields]
    order.append(F("pk").desc() if descending else F("pk").asc())
    return works.order_by(*order)
