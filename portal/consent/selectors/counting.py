"""How many works a product page's filter matches, from the tallies when it can be.

An exact count of a filter over a million works reads every match: half a second for
"the artist said yes". The tallies (`Tally`, `WorkCount`) hold, per label, artist,
product and use, the works in each cell of (artist's answer) x (label's answer), so a
filter on an artist, a use and the two answers is a sum of a few cells.

A tally counts a yes past its expiry as a yes; the page's filters do not ("expired" is
its own choice, and a label's lapsed yes waits for it again). Expired answers are few:
the works that have one are classified exactly, and the sum corrected for them. Any
other filter (a search, a release, the effective state, any use) is counted by the
database (`None` here).
"""

import operator
from collections.abc import Callable
from datetime import datetime
from functools import reduce
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from portal.catalogue.models import Work
from portal.consent.access import Party
from portal.consent.models import TALLY_CELLS, Answer, Decision, Side, Tally, WorkCount
from portal.consent.selectors.filtering import EXPIRED, NO, NONE, YES, WorkFilter

# A side's answer as the tally files it, by the annotations `<side>_answer`, `_expires`.
_COARSE_Q: dict[str, Callable[[str], Q]] = {
    YES: lambda s: Q(**{f"{s}_answer": Answer.GRANTED}),
    NO: lambda s: Q(**{f"{s}_answer": Answer.DENIED}),
    NONE: lambda s: Q(**{f"{s}_answer__isnull": True}),
}


def _FINE(now: datetime) -> dict[str, Callable[[str], Q]]:
    """A side's answer as the filters see it: a yes past its expiry is its own."""
    return {
        **_COARSE_Q,
        YES: lambda s: (
            Q(**{f"{s}_answer": Answer.GRANTED})
            & (Q(**{f"{s}_expires__isnull": True}) | Q(**{f"{s}_expires__gt": now}))
        ),
        EXPIRED: lambda s: Q(**{f"{s}_answer": Answer.GRANTED, f"{s}_expires__lte": now}),
    }


# "waiting" for a side: no answer from it, not even a lapsed yes.
_NO_ANSWER = "no-answer"


def _matches(wanted: str, fine: str, side: str) -> bool:
    """Whether one side's answer (`fine`) meets that side's filter value."""
    if not wanted:
        return True
    if wanted == _NO_ANSWER:
        return fine == NONE
    if wanted == NONE and side == Side.RIGHTS_HOLDER:
        return fine in (NONE, EXPIRED)  # a lapsed yes waits for the label again
    return fine == wanted


def filter_count(*, party: Party, product_id: int, f: WorkFilter, now: datetime) -> int | None:
    """The number of the party's works `f` matches, or None when the tallies cannot say.
    Three queries at most."""
    if f.q or f.release_id is not None:
        return None
    if f.by_answer and (f.use_type_id is None or f.state not in ("", "waiting")):
        return None
    scope = _scope(party, f)
    works = WorkCount.objects.filter(**scope).aggregate(n=Sum("works"))["n"] or 0
    if not f.by_answer:
        return works
    wanted = {Side.ARTIST: f.artist_answer, Side.RIGHTS_HOLDER: f.label_answer}
    if f.state == "waiting":
        # Waiting for the viewer's side: no answer at all from it.
        if wanted[party.side] not in ("", NONE):
            return 0
        wanted[party.side] = _NO_ANSWER
    tally = Tally.objects.filter(**scope, product_id=product_id, use_type_id=f.use_type_id)
    sums = tally.aggregate(**{name: Sum(name) for name in TALLY_CELLS})
    cells = {name: sums[name] or 0 for name in TALLY_CELLS}
    cells["none_none"] = works - sum(cells.values())

    def match(artist: str, label: str) -> bool:
        return _matches(wanted[Side.ARTIST], artist, Side.ARTIST) and _matches(
            wanted[Side.RIGHTS_HOLDER], label, Side.RIGHTS_HOLDER
        )

    # For a work with no expired yes, its cell is its answers exactly.
    total = sum(n for name, n in cells.items() if match(*name.split("_")))
    # Works with an expired yes on either side: their cell says yes. Counted again by what
    # they are, in the database: a few thousand rows at most, read by a partial index.
    expired = Decision.objects.filter(
        product_id=product_id, use_type_id=f.use_type_id, answer=Answer.GRANTED, expires_at__lte=now
    )
    answers = Decision.objects.filter(
        product_id=product_id, use_type_id=f.use_type_id, work=OuterRef("pk")
    )
    sides = {Side.ARTIST: "artist", Side.RIGHTS_HOLDER: "label"}
    annotations = {}
    for side, name in sides.items():
        answers_of = answers.filter(side=side)
        annotations[f"{name}_answer"] = Subquery(answers_of.values("answer")[:1])
        annotations[f"{name}_expires"] = Subquery(answers_of.values("expires_at")[:1])

    def matching(categories: dict[str, Callable[[str], Q]]) -> Q:
        both = Q()
        for side, name in sides.items():
            wanted_here = [c for c in categories if _matches(wanted[side], c, side)]
            # No category of this side matches: a condition no work meets.
            nothing = Q(pk__isnull=True)
            both &= reduce(operator.or_, [categories[c](name) for c in wanted_here], nothing)
        return both

    counted = (
        Work.objects.filter(pk__in=expired.values("work_id"))
        .filter(**{("primary_artist_id" if k == "artist_id" else k): v for k, v in scope.items()})
        .annotate(**annotations)
        .aggregate(
            fine=Count("pk", filter=matching(_FINE(now))),
            coarse=Count("pk", filter=matching(_COARSE_Q)),
        )
    )
    return total + int(counted["fine"]) - int(counted["coarse"])


def _scope(party: Party, f: WorkFilter) -> dict[str, int]:
    """The party's works the filter narrows to, as `label_id` and `artist_id` (a tally's
    and a work count's fields)."""
    scope: dict[str, int] = {}
    if party.delegation is not None:
        scope = {"label_id": party.delegation.label_id, "artist_id": party.delegation.artist_id}
    elif party.artist is not None:
        scope = {"artist_id": party.artist.pk}
    else:
        assert party.label is not None
        scope = {"label_id": party.label.pk}
    if f.artist_id is not None:
        scope["artist_id"] = f.artist_id
    return scope


class CountedPaginator(Paginator):
    """A paginator told its count, when the tallies know it, rather than asking for one."""

    def __init__(self, object_list: Any, per_page: int, *, count: int | None) -> None:
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # the cached property, answered
