"""The earnings page's use without permission (`flags.flagged_use`): the works with the
most of the artist's share held first, each work's use together, at most twenty-one rows
in one query however many lines were flagged."""

from datetime import date

from portal.earnings.flags import FLAGGED_SHOWN, flagged_use
from portal.earnings.selectors import Period
from portal.licensing.models import Licence
from tests import factories as f
from tests.conftest import World, logged_in
from tests.earnings.test_artist import (
    at,
    both_yes,
    earnings_url,
    page_of,
    report,
    section,
    stemify,
    text_of,
)

AUTUMN = Period(date(2026, 9, 1), date(2026, 10, 1))


def listed(world: World, period: Period = AUTUMN, currency: str = "EUR") -> list[tuple]:
    return [
        (row["work__title"], row["product__slug"], row["use_type__slug"], f"{row['held']:.2f}")
        for row in flagged_use(artist_id=world.artist.pk, period=period, currency=currency)
    ]


def test_the_works_most_held_come_first_each_with_its_use_together(world: World) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    night_0, night_1, night_2 = world.works
    stems = stemify(world)
    # Held to the artist (half of the gross): Night Drive 0 8.00 (stems) + 1.00 (training)
    # = 9.00; Night Drive 1 5.00 (training) + 3.50 (stems, two months) = 8.50; Night Drive 2
    # 6.00 (stems).
    report(world.product, "2026-09", [(night_0, "training", 10, "2.00")])
    report(world.product, "2026-10", [(night_1, "training", 50, "10.00")])
    report(stems, "2026-09", [(night_1, "stems_remix", 10, "3.00")])
    report(
        stems,
        "2026-10",
        [
            (night_0, "stems_remix", 80, "16.00"),
            (night_1, "stems_remix", 20, "4.00"),
            (night_2, "stems_remix", 60, "12.00"),
        ],
    )
    assert listed(world) == [
        ("Night Drive 0", "stemify", "stems_remix", "8.00"),
        ("Night Drive 0", "tunesmith", "training", "1.00"),
        ("Night Drive 1", "tunesmith", "training", "5.00"),
        ("Night Drive 1", "stemify", "stems_remix", "3.50"),
        ("Night Drive 2", "stemify", "stems_remix", "6.00"),
    ]
    # The period and the currency are the page's: September alone holds less.
    september = Period(date(2026, 9, 1), date(2026, 9, 1))
    assert listed(world, september) == [
        ("Night Drive 1", "stemify", "stems_remix", "1.50"),
        ("Night Drive 0", "tunesmith", "training", "1.00"),
    ]
    assert listed(world, currency="USD") == []


def test_permitted_use_of_a_flagged_work_is_not_listed(world: World) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    night_0 = world.works[0]
    with at("2026-01-05"):
        both_yes(world, night_0)
    stems = stemify(world)
    report(world.product, "2026-10", [(night_0, "training", 500, "100.00")])
    report(stems, "2026-10", [(night_0, "stems_remix", 5, "2.00")])
    assert listed(world) == [("Night Drive 0", "stemify", "stems_remix", "1.00")]


def test_past_twenty_the_page_links_to_every_flagged_line(world: World) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    works = f.WorkFactory.create_batch(FLAGGED_SHOWN + 5, primary_artist=world.artist)
    lines = [(work, "training", 10, f"{n + 1}.00") for n, work in enumerate(works)]
    report(world.product, "2026-10", lines)
    rows = flagged_use(artist_id=world.artist.pk, period=AUTUMN, currency="EUR")
    assert len(rows) == FLAGGED_SHOWN + 1
    # The most held first: the last works reported held the most.
    assert [row["work_id"] for row in rows] == [w.pk for w in reversed(works)][: len(rows)]
    html = page_of(logged_in(world.artist_user), earnings_url(world))
    flagged = section(html, "flagged-heading")
    assert flagged.count("<li>") == FLAGGED_SHOWN
    assert "See every flagged report line" in text_of(flagged)


def test_it_is_one_query_however_many_works_were_flagged(
    world: World, django_assert_num_queries
) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    stems = stemify(world)
    works = f.WorkFactory.create_batch(60, primary_artist=world.artist)
    for month in ("2026-09", "2026-10"):
        report(world.product, month, [(w, "training", 10, "3.00") for w in works])
        report(stems, month, [(w, "stems_remix", 5, "1.00") for w in works])
    with django_assert_num_queries(1):
        rows = flagged_use(artist_id=world.artist.pk, period=AUTUMN, currency="EUR")
    assert len(rows) == FLAGGED_SHOWN + 1
