"""How many works a product page's filter matches: from the tallies when they can say,
else counted by the database up to a limit.

An exact count of a filter over a million works reads every match: half a second for
"the artist said yes". The tallies (`Tally`, `WorkCount`) hold, per label, artist,
product and use, the works in each cell of (artist's answer) x (label's answer) and the
works permitted, so a filter on an artist, a use and the two answers, or on whether the
use is permitted, is a sum of a few rows.

A tally counts a yes past its expiry as a yes, and a permission past its end as
permitted until the clock's sweep announces it; the page's filters do not ("expired" is
its own choice, and a label's lapsed yes waits for it again). Those are few: they are
read exactly, by partial indexes, and the sum corrected for them. Any other filter (a
search, a release, any use, answers and state together) is counted by the database, which
stops at `COUNT_LIMIT`: the page then says there are more and lists that many.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Case, Max, Q, QuerySet, Sum, Value, When

from portal.catalogue.models import Work
from portal.consent.access import Party
from portal.consent.models import (
    TALLY_CELLS,
    AnnouncedPermission,
    Answer,
    Decision,
    Side,
    Tally,
    WorkCount,
)
from portal.consent.selectors.filtering import EXPIRED, NO, NONE, YES, WorkFilter

# How far the database counts a filter the tallies cannot: a page of "more than 10,000"
# is as useful as an exact figure, and counting further costs a read of every match.
COUNT_LIMIT = 10_000
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
    if f.q or f.release_id is not None or (f.by_answer and f.use_type_id is None):
        return None
    scope = _scope(party, f)
    works = WorkCount.objects.filter(**scope).aggregate(n=Sum("works"))["n"] or 0
    if not f.by_answer or f.use_type_id is None:  # no answer asked about, for any use
        return works
    tally = Tally.objects.filter(**scope, product_id=product_id, use_type_id=f.use_type_id)
    if f.state in ("permitted", "not_permitted"):
        if f.artist_answer or f.label_answer:
            return None
        permitted = _permitted(tally, scope, product_id, f.use_type_id, now)
        return permitted if f.state == "permitted" else works - permitted
    wanted = {Side.ARTIST: f.artist_answer, Side.RIGHTS_HOLDER: f.label_answer}
    if f.state == "waiting":
        # Waiting for the viewer's side: no answer at all from it.
        if wanted[party.side] not in ("", NONE):
            return 0
        wanted[party.side] = _NO_ANSWER
    sums = tally.aggregate(**{name: Sum(name) for name in TALLY_CELLS})
    cells = {name: sums[name] or 0 for name in TALLY_CELLS}
    cells["none_none"] = works - sum(cells.values())

    def match(artist: str, label: str) -> bool:
        return _matches(wanted[Side.ARTIST], artist, Side.ARTIST) and _matches(
            wanted[Side.RIGHTS_HOLDER], label, Side.RIGHTS_HOLDER
        )

    # For a work with no expired yes, its cell is its answers exactly.
    total = sum(n for name, n in cells.items() if match(*name.split("_")))

    # Works with an expired yes sit in a yes cell. Only a side whose filter tells an
    # expired yes from a live one needs them filed again; they are few, read by a partial
    # index.
    def tells(side: Side) -> bool:
        return _matches(wanted[side], EXPIRED, side) != _matches(wanted[side], YES, side)

    telling = [side for side in Side if tells(side)]
    if not telling:
        return total
    expired = Decision.objects.filter(
        product_id=product_id,
        use_type_id=f.use_type_id,
        side__in=telling,
        answer=Answer.GRANTED,
        expires_at__lte=now,
        **_work_scope(scope),
    )
    if len(telling) == 1 and not any(wanted[side] for side in Side if side not in telling):
        # Whatever the other side said: each such work leaves the count, or joins it.
        (side,) = telling
        return total + (1 if _matches(wanted[side], EXPIRED, side) else -1) * expired.count()
    # Each answer as the filters see it, filed in the database: a few bytes per work.
    seen = Case(
        When(answer=Answer.DENIED, then=Value(NO)),
        When(expires_at__lte=now, then=Value(EXPIRED)),
        default=Value(YES),
    )
    works_expired = (
        Decision.objects.filter(
            product_id=product_id,
            use_type_id=f.use_type_id,
            work_id__in=expired.values("work_id"),
        )
        .values("work_id")
        .annotate(
            artist=Max(seen, filter=Q(side=Side.ARTIST)),
            label=Max(seen, filter=Q(side=Side.RIGHTS_HOLDER)),
        )
        .values_list("artist", "label")
    )
    for (artist, label), n in Counter(works_expired).items():
        fine = (artist or NONE, label or NONE)
        coarse = tuple(YES if answer == EXPIRED else answer for answer in fine)
        total += n * (match(*fine) - match(*coarse))
    return total


def _permitted(
    tally: QuerySet[Tally], scope: dict[str, int], product_id: int, use_type_id: int, now: datetime
) -> int:
    """The works permitted for the use now: the tallies' count, less the permissions whose
    end has passed that the sweep has not announced yet."""
    counted = tally.aggregate(n=Sum("permitted"))["n"] or 0
    lapsed = AnnouncedPermission.objects.filter(
        product_id=product_id,
        use_type_id=use_type_id,
        permitted=True,
        lapses_at__lte=now,
        **_work_scope(scope),
    ).count()
    return counted - lapsed


def count_at_most(works: QuerySet[Work], limit: int) -> tuple[int, bool]:
    """How many `works` there are, counting no further than `limit`; and whether there
    are more."""
    counted = works.order_by()[: limit + 1].count()
    return min(counted, limit), counted > limit


def page_count(
    *, party: Party, product_id: int, f: WorkFilter, works: QuerySet[Work], now: datetime
) -> tuple[int, bool]:
    """The party's `works` that `f` matched, counted from the tallies when they can say,
    else by the database up to `COUNT_LIMIT`; and whether there are more than that."""
    exact = filter_count(party=party, product_id=product_id, f=f, now=now)
    return (exact, False) if exact is not None else count_at_most(works, COUNT_LIMIT)


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


def _work_scope(scope: dict[str, int]) -> dict[str, int]:
    """`_scope` as conditions on a row's work."""
    names = {"label_id": "work__label_id", "artist_id": "work__primary_artist_id"}
    return {names[name]: value for name, value in scope.items()}


class CountedPaginator(Paginator):
    """A paginator told its count rather than asking for one. `more`: the count stopped
    at a limit, and the pages list only that many."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, more: bool) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached property, answered
        self.more = more
