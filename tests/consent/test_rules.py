"""The effective-permission rule, over the whole truth table of the brief's conditions.

Each case states its own expected reason and lapse independently of `rules`, so the
oracle below is the brief's definition, not a copy of the implementation.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.consent.rules import Reason, SideAnswer, Term, Verdict, end_of, evaluate
from portal.licensing.models import Product

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
USE = 1
OTHER_USE = 2


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@dataclass(frozen=True)
class Case:
    """One value of one condition, and what the rule must make of it."""

    name: str
    value: object
    reason: Reason | None
    lapses_at: datetime | None = None

    def __str__(self) -> str:
        return self.name


STATUSES = [
    Case("active", Product.Status.ACTIVE, None),
    Case("draft", Product.Status.DRAFT, Reason.PRODUCT_NOT_LAUNCHED),
    Case("suspended", Product.Status.SUSPENDED, Reason.PRODUCT_SUSPENDED),
    Case("retired", Product.Status.RETIRED, Reason.PRODUCT_RETIRED),
]

REQUESTED = [
    Case("requested", True, None),
    Case("not-requested", False, Reason.USE_NOT_REQUESTED),
]

LICENCES = [
    Case("no-licence", [], Reason.NO_LICENCE),
    Case("open-ended", [Term(day(-30), None, frozenset({USE}))], None),
    Case(
        "in-force-until-next-month",
        [Term(day(-30), day(30), frozenset({USE, OTHER_USE}))],
        None,
        end_of(day(30)),
    ),
    Case("starts-today", [Term(TODAY, None, frozenset({USE}))], None),
    Case(
        "ends-today-inclusive",
        [Term(day(-30), TODAY, frozenset({USE}))],
        None,
        end_of(TODAY),
    ),
    Case(
        "excludes-the-use",
        [Term(day(-30), None, frozenset({OTHER_USE}))],
        Reason.LICENCE_EXCLUDES_USE,
    ),
    Case("excludes-every-use", [Term(day(-30), None, frozenset())], Reason.LICENCE_EXCLUDES_USE),
    Case("not-started", [Term(day(1), None, frozenset({USE}))], Reason.LICENCE_NOT_STARTED),
    Case("ended-yesterday", [Term(day(-30), day(-1), frozenset({USE}))], Reason.LICENCE_ENDED),
    Case(
        "several-one-in-force",
        [
            Term(day(-90), day(-31), frozenset({USE})),
            Term(day(-30), None, frozenset({OTHER_USE})),
            Term(day(-10), day(10), frozenset({USE})),
        ],
        None,
        end_of(day(10)),
    ),
    Case(
        "several-in-force-the-latest-end-counts",
        [Term(day(-30), day(5), frozenset({USE})), Term(day(-10), day(20), frozenset({USE}))],
        None,
        end_of(day(20)),
    ),
    Case(
        "several-in-force-one-open-ended",
        [Term(day(-30), day(5), frozenset({USE})), Term(day(-10), None, frozenset({USE}))],
        None,
    ),
    Case(
        "several-in-force-only-one-covering",
        [Term(day(-30), day(5), frozenset({OTHER_USE})), Term(day(-10), day(3), frozenset({USE}))],
        None,
        end_of(day(3)),
    ),
    Case(
        "several-none-in-force",
        [Term(day(-90), day(-1), frozenset({USE})), Term(day(1), None, frozenset({USE}))],
        Reason.LICENCE_NOT_STARTED,
    ),
    Case(
        "in-force-but-excluding-and-one-ended-covering",
        [Term(day(-30), None, frozenset({OTHER_USE})), Term(day(-90), day(-1), frozenset({USE}))],
        Reason.LICENCE_ENDED,
    ),
]


def sides(undecided: Reason, denied: Reason, expired: Reason) -> list[Case]:
    return [
        Case("undecided", None, undecided),
        Case("denied", SideAnswer("denied", None), denied),
        Case("denied-with-expiry", SideAnswer("denied", NOW + timedelta(days=9)), denied),
        Case("granted", SideAnswer("granted", None), None),
        Case(
            "granted-until-next-week",
            SideAnswer("granted", NOW + timedelta(days=7)),
            None,
            NOW + timedelta(days=7),
        ),
        Case("granted-expired", SideAnswer("granted", NOW - timedelta(seconds=1)), expired),
        Case("granted-expiring-this-instant", SideAnswer("granted", NOW), expired),
    ]


ARTIST = sides(Reason.ARTIST_UNDECIDED, Reason.ARTIST_DENIED, Reason.ARTIST_EXPIRED)
RIGHTS_HOLDER = sides(
    Reason.RIGHTS_HOLDER_UNDECIDED, Reason.RIGHTS_HOLDER_DENIED, Reason.RIGHTS_HOLDER_EXPIRED
)


def judge(
    status: Case, requested: Case, licence: Case, artist: Case, rights_holder: Case
) -> Verdict:
    return evaluate(
        product_status=status.value,  # type: ignore[arg-type]
        requested=requested.value,  # type: ignore[arg-type]
        terms=licence.value,  # type: ignore[arg-type]
        use_type_id=USE,
        artist=artist.value,  # type: ignore[arg-type]
        rights_holder=rights_holder.value,  # type: ignore[arg-type]
        now=NOW,
    )


@pytest.mark.parametrize(
    ("status", "requested", "licence"),
    list(itertools.product(STATUSES, REQUESTED, LICENCES)),
    ids=str,
)
def test_permitted_iff_every_condition_holds_and_each_failure_is_named(
    status: Case, requested: Case, licence: Case
) -> None:
    # The two sides are crossed inside, so each parametrised case covers 49 combinations
    # and the whole table (4 x 2 x 15 x 7 x 7 = 5880) stays quick.
    for artist, rights_holder in itertools.product(ARTIST, RIGHTS_HOLDER):
        conditions = (status, requested, licence, artist, rights_holder)
        verdict = judge(*conditions)
        expected_reasons = tuple(c.reason for c in conditions if c.reason is not None)
        where = " / ".join(c.name for c in conditions)

        assert verdict.permitted is (not expected_reasons), where
        assert verdict.reasons == expected_reasons, where
        assert all(type(reason) is str for reason in verdict.reasons), where
        if verdict.permitted:
            lapses = [c.lapses_at for c in conditions if c.lapses_at is not None]
            assert verdict.lapses_at == (min(lapses) if lapses else None), where
        else:
            assert verdict.lapses_at is None, where


def test_nothing_decided_is_not_permitted_even_when_everything_else_holds() -> None:
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[Term(day(-1), None, frozenset({USE}))],
        use_type_id=USE,
        artist=None,
        rights_holder=None,
        now=NOW,
    )

    assert not verdict.permitted
    assert verdict.reasons == ("artist_undecided", "rights_holder_undecided")


@pytest.mark.parametrize("granted_side", ["artist", "rights_holder"])
def test_one_sides_grant_alone_is_not_permitted(granted_side: str) -> None:
    granted = SideAnswer("granted", None)
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[Term(day(-1), None, frozenset({USE}))],
        use_type_id=USE,
        artist=granted if granted_side == "artist" else None,
        rights_holder=granted if granted_side == "rights_holder" else None,
        now=NOW,
    )

    assert not verdict.permitted
    assert len(verdict.reasons) == 1
    assert verdict.reasons[0].endswith("_undecided")


def test_an_expired_grant_is_not_permitted() -> None:
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[Term(day(-1), None, frozenset({USE}))],
        use_type_id=USE,
        artist=SideAnswer("granted", NOW - timedelta(minutes=1)),
        rights_holder=SideAnswer("granted", None),
        now=NOW,
    )

    assert not verdict.permitted
    assert verdict.reasons == (Reason.ARTIST_EXPIRED,)


def test_lapses_at_is_the_earliest_of_the_expiries_and_the_licence_end() -> None:
    terms = [Term(day(-1), day(10), frozenset({USE}))]

    def lapse(artist_days: int, label_days: int) -> datetime | None:
        return evaluate(
            product_status=Product.Status.ACTIVE,
            requested=True,
            terms=terms,
            use_type_id=USE,
            artist=SideAnswer("granted", NOW + timedelta(days=artist_days)),
            rights_holder=SideAnswer("granted", NOW + timedelta(days=label_days)),
            now=NOW,
        ).lapses_at

    assert lapse(3, 5) == NOW + timedelta(days=3)
    assert lapse(5, 2) == NOW + timedelta(days=2)
    assert lapse(30, 40) == datetime.combine(day(11), datetime.min.time(), tzinfo=UTC)


def test_a_licence_end_date_covers_the_whole_of_that_utc_day() -> None:
    terms = [Term(day(-30), TODAY, frozenset({USE}))]
    granted = SideAnswer("granted", None)

    def permitted(now: datetime) -> bool:
        return evaluate(
            product_status=Product.Status.ACTIVE,
            requested=True,
            terms=terms,
            use_type_id=USE,
            artist=granted,
            rights_holder=granted,
            now=now,
        ).permitted

    last_moment = datetime.combine(TODAY, datetime.max.time(), tzinfo=UTC)
    assert permitted(last_moment)
    assert not permitted(last_moment + timedelta(microseconds=1))


def test_today_is_the_utc_date_whatever_the_timezone_of_now() -> None:
    # 01:00 on the 16th at UTC+5 is still the 15th in UTC, the last day of this licence.
    local_now = datetime(2026, 3, 16, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    granted = SideAnswer("granted", None)

    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[Term(day(-30), TODAY, frozenset({USE}))],
        use_type_id=USE,
        artist=granted,
        rights_holder=granted,
        now=local_now,
    )

    assert verdict.permitted
    assert verdict.lapses_at == end_of(TODAY)


def test_end_of_is_midnight_utc_after_the_inclusive_end_date() -> None:
    assert end_of(date(2026, 12, 31)) == datetime(2027, 1, 1, tzinfo=UTC)


def granted_both(terms: list[Term], now: datetime) -> Verdict:
    return evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=terms,
        use_type_id=USE,
        artist=SideAnswer("granted", None),
        rights_holder=SideAnswer("granted", None),
        now=now,
    )


def test_a_renewal_starting_the_day_after_carries_the_cover_on() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    terms = [
        Term(date(2026, 1, 1), date(2026, 6, 30), frozenset({USE})),
        Term(date(2026, 7, 1), date(2026, 12, 31), frozenset({USE})),
    ]
    verdict = granted_both(terms, now)
    assert verdict.permitted
    assert verdict.lapses_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_gap_between_licences_ends_the_cover() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    terms = [
        Term(date(2026, 1, 1), date(2026, 6, 30), frozenset({USE})),
        Term(date(2026, 7, 2), None, frozenset({USE})),
    ]
    verdict = granted_both(terms, now)
    assert verdict.lapses_at == datetime(2026, 7, 1, tzinfo=UTC)


def test_an_open_ended_renewal_never_lapses() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    terms = [
        Term(date(2026, 1, 1), date(2026, 6, 30), frozenset({USE})),
        Term(date(2026, 6, 15), None, frozenset({USE})),
    ]
    assert granted_both(terms, now).lapses_at is None
