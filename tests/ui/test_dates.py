"""`|day`, `|moment` and `|until` (portal.words): one way of saying when, everywhere, in
the reader's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.template import engines
from django.utils import timezone

from portal.words import day_words, moment_words, until_words

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load ui %}" + source).render(context)


def test_a_moment_is_said_in_the_readers_time_zone_which_it_names() -> None:
    at = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    assert render("{{ at|moment }}", at=at) == "10 May 2026, 12:00 UTC"
    with timezone.override(BERLIN):
        assert render("{{ at|moment }}", at=at) == "10 May 2026, 14:00 CEST"
    with timezone.override(NEW_YORK):
        assert render("{{ at|moment }}", at=at) == "10 May 2026, 08:00 EDT"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset() -> None:
    at = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    with timezone.override(ZoneInfo("America/Sao_Paulo")):
        assert moment_words(at) == "10 May 2026, 09:00 UTC-03"


def test_an_instant_is_the_day_it_falls_on_where_the_reader_is() -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert render("{{ at|day }}", at=late) == "31 Dec 2026"
    with timezone.override(BERLIN):
        assert render("{{ at|day }}", at=late) == "1 Jan 2027"


def test_a_date_is_a_date_whatever_the_zone() -> None:
    with timezone.override(NEW_YORK):
        assert render("{{ d|day }} {{ d|until }}", d=date(2026, 12, 31)) == (
            "31 Dec 2026 31 Dec 2026"
        )


def test_a_naive_datetime_is_taken_to_be_in_the_sites_zone() -> None:
    naive = datetime(2026, 5, 10, 14, 0)
    assert day_words(naive) == "10 May 2026"
    assert moment_words(naive) == "10 May 2026, 14:00 UTC"
    with timezone.override(BERLIN):
        assert moment_words(naive) == "10 May 2026, 16:00 CEST"


def test_a_whole_days_end_reads_as_its_last_day_as_a_licence_does() -> None:
    # A licence to 31 Dec lapses at 1 Jan 00:00 UTC: "until 31 Dec", never "1 Jan 00:00".
    lapse = datetime(2027, 1, 1, tzinfo=UTC)
    assert until_words(lapse) == "31 Dec 2026"
    for zone in (BERLIN, NEW_YORK):
        with timezone.override(zone):
            assert render("{{ at|until }}", at=lapse) == "31 Dec 2026"


def test_any_other_end_is_the_day_it_falls_on() -> None:
    assert until_words(datetime(2026, 5, 10, 14, 0, tzinfo=UTC)) == "10 May 2026"


def test_nothing_is_said_of_no_date_and_a_month_value_is_iso() -> None:
    assert render("{{ x|day }}{{ x|moment }}{{ x|until }}{{ x|month_value }}", x=None) == ""
    assert render("{% timestamp x %}", x=None) == ""
    assert render("{{ d|month_value }}", d=date(2026, 5, 1)) == "2026-05"
    assert render("{{ d|month_value }}", d=date(999, 12, 1)) == "0999-12"
