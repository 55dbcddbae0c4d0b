"""An artist's earnings: the page (totals, chart and table, breakdowns, flagged use), its
CSV export, the report lines behind every figure, and the line on the artist's home."""

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.earnings.models import UsageReport
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, Product
from tests import factories as f
from tests.conftest import World, logged_in, say

# --- seeding ---------------------------------------------------------------------------------


def at(day: str):
    """Noon UTC on `day`: the tests set the clock rather than depend on today's date."""
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC))


def both_yes(world: World, work: Work) -> None:
    """Training of `work` for Tunesmith, granted by the artist and by the label."""
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        say(world, side, Answer.GRANTED, work=work, use=world.training)


def report(
    product: Product,
    month: str,
    lines: list[tuple[Work, str, int, str]],
    *,
    currency: str = "EUR",
    reference: str | None = None,
    received: str = "2026-11-20",
) -> UsageReport:
    """A usage report for the whole of `month` (YYYY-MM), ingested as products send it."""
    year, number = (int(part) for part in month.split("-"))
    end = (date(year + number // 12, number % 12 + 1, 1) - date.resolution).isoformat()
    body = {
        "reference": reference or f"{product.slug}-{month}-{currency}",
        "period": {"start": f"{month}-01", "end": end},
        "currency": currency,
        "lines": [
            {"isrc": work.isrc, "use": use, "units": units, "gross": gross}
            for work, use, units, gross in lines
        ],
    }
    with at(received):
        parsed = usage_report_parse(body)
        return usage_report_submit(product=product, parsed=parsed).report


def stemify(world: World) -> Product:
    """A second product, asking for stems/remix under a licence with the same label."""
    # Named as the migration names it, also after a flush has removed the seeded row.
    stems = f.UseTypeFactory(slug="stems_remix", name="Stems and remix")
    product = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=product, use_type=stems)
    f.LicenceFactory(
        licensee=product.licensee,
        label=world.label,
        use_types=[stems],
        starts_on=date(2025, 1, 1),
    )
    return product


@pytest.fixture
def earned(world: World) -> World:
    """Ada Lane's September and October 2026, under licences that split 50/30/20:

    - Tunesmith, training, permitted all along: Night Drive 0 (Sep 1,000 uses, 100.00;
      Oct 1,234 uses, 2,469.00) and Night Drive 1 (Sep 200 uses, 20.00);
    - Stemify, stems/remix of Night Drive 1 in October, never permitted: 1,200 uses, 30.00.

    Paid to the artist: Sep 50.00 + 10.00, Oct 1,234.50; held: Oct 15.00.
    """
    Licence.objects.update(starts_on=date(2025, 1, 1))
    night_0, night_1 = world.works[0], world.works[1]
    with at("2026-01-05"):
        both_yes(world, night_0)
        both_yes(world, night_1)
    stems = stemify(world)
    report(world.product, "2026-09", [(night_0, "training", 1000, "100.00")])
    report(
        world.product,
        "2026-09",
        [(night_1, "training", 200, "20.00")],
        reference="tunesmith-2026-09-b",
    )
    report(world.product, "2026-10", [(night_0, "training", 1234, "2469.00")])
    report(stems, "2026-10", [(night_1, "stems_remix", 1200, "30.00")])
    return world


def earnings_url(world: World, **params: str) -> str:
    return _with(reverse("artist_earnings", args=[world.artist.pk]), params)


def lines_url(world: World, **params: str) -> str:
    return _with(reverse("artist_earning_lines", args=[world.artist.pk]), params)


def csv_url(world: World, **params: str) -> str:
    return _with(reverse("artist_earnings_csv", args=[world.artist.pk]), params)


def _with(url: str, params: dict[str, str]) -> str:
    return f"{url}?{urlencode(params)}" if params else url


def text_of(html: str) -> str:
    """The words a reader sees: tags dropped, the hidden words for screen readers too."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def page_of(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.getvalue().decode()


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> a heading with this id labels."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def rows_of(html: str) -> list[list[str]]:
    """The visible text of each body row of the first table in `html`."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


# --- the page ----------------------------------------------------------------------------------


def test_the_total_is_what_permitted_use_paid_and_held_money_is_apart(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    totals = text_of(section(html, "total-heading"))
    assert "November 2025 to October 2026" in totals  # the 12 months to the latest earnings
    assert "Paid to you €1,294.50" in totals
    assert "Held €15.00" in totals
    assert "Uses reported 3,634 In 4 report lines" in totals


def test_the_breakdowns_by_product_use_and_work_have_exact_amounts(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    assert rows_of(section(html, "by-product")) == [
        ["Tunesmith", "2,434", "€1,294.50", "€0.00"],
        ["Stemify", "1,200", "€0.00", "€15.00"],
    ]
    assert rows_of(section(html, "by-use")) == [
        ["Training", "2,434", "€1,294.50", "€0.00"],
        ["Stems and remix", "1,200", "€0.00", "€15.00"],
    ]
    night_0, night_1 = earned.works[0], earned.works[1]
    assert rows_of(section(html, "by-work")) == [
        [f"Night Drive 0 {night_0.isrc}", "2,234", "€1,284.50", "€0.00"],
        [f"Night Drive 1 {night_1.isrc}", "1,400", "€10.00", "€15.00"],
    ]


def test_the_chart_and_its_table_show_the_same_months_and_amounts(earned: World) -> None:
    html = page_of(
        logged_in(earned.artist_user), earnings_url(earned, **{"from": "2026-08", "to": "2026-10"})
    )
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in chart
    assert 'aria-labelledby="chart-months-title chart-months-desc"' in chart
    assert "style=" not in chart
    bars = re.findall(r'<g class="bar">\s*<title>(.*?)</title>', chart)
    assert bars == [
        "August 2026: €0.00 paid to you",
        "September 2026: €60.00 paid to you",
        "October 2026: €1,234.50 paid to you, €15.00 held",
    ]
    table = rows_of(section(html, "by-month"))
    assert table == [
        ["August 2026", "€0.00", "€0.00", "0"],
        ["September 2026", "€60.00", "€0.00", "1,200"],
        ["October 2026", "€1,234.50", "€15.00", "2,434"],
    ]
    # The tallest bar is the highest month; a month without earnings has no height.
    heights = re.findall(r'<rect class="amount" [^>]*height="([0-9.]+)%"', chart)
    assert float(heights[0]) == 0
    assert float(heights[2]) > float(heights[1]) > 0


def test_a_long_period_names_only_the_years_under_the_chart(earned: World) -> None:
    html = page_of(
        logged_in(earned.artist_user), earnings_url(earned, **{"from": "2024-01", "to": "2026-10"})
    )
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert chart.count('<g class="bar">') == 34
    assert re.findall(r'<text class="label[^"]*"[^>]*>(.*?)</text>', chart) == [
        "2024",
        "2025",
        "2026",
    ]
    assert len(rows_of(section(html, "by-month"))) == 34


def test_use_reported_without_permission_is_told_in_plain_words(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    flagged = text_of(section(html, "flagged-heading"))
    assert (
        "Stemify reported 1,200 uses of Night Drive 1 for Stems and remix without permission "
        "(October 2026). Your share held: €15.00 ." in flagged
    )


def test_use_permitted_for_part_of_the_period_says_so(earned: World) -> None:
    with at("2026-11-10"):
        say(earned, Side.ARTIST, Answer.DENIED, work=earned.works[0], use=earned.training)
    report(
        earned.product,
        "2026-11",
        [(earned.works[0], "training", 40, "8.00")],
        received="2026-12-02",
    )
    with at("2026-12-02"):
        html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    assert (
        "Tunesmith reported 40 uses of Night Drive 0 for Training while permitted for only "
        "part of the period (November 2026). Your share held: €4.00 ."
    ) in text_of(section(html, "flagged-heading"))


def test_use_no_licence_covered_says_the_whole_amount_is_held(earned: World) -> None:
    other = f.ProductFactory(slug="echovox", name="Echovox")
    report(other, "2026-10", [(earned.works[2], "training", 9, "7.00")])
    flagged = text_of(
        section(page_of(logged_in(earned.artist_user), earnings_url(earned)), "flagged-heading")
    )
    assert "Echovox reported 9 uses of Night Drive 2 for Training without permission" in flagged
    assert (
        "No licence covered this use, so nothing could be split: all €7.00 reported is held."
        in flagged
    )


def test_without_flagged_use_there_is_no_flagged_section(world: World) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    with at("2026-01-05"):
        both_yes(world, world.works[0])
    report(world.product, "2026-10", [(world.works[0], "training", 10, "2.00")])
    html = page_of(logged_in(world.artist_user), earnings_url(world))
    assert "Reported without permission" not in html
    assert "Nothing: every use reported was permitted." in text_of(html)


def test_every_figure_links_to_the_report_lines_it_came_from(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    period = "from=2025-11&amp;to=2026-10&amp;currency=EUR"
    lines = reverse("artist_earning_lines", args=[earned.artist.pk])
    night_1 = earned.works[1].pk
    for href in (
        f"{lines}?{period}&amp;compliance=permitted",
        f"{lines}?{period}&amp;compliance=flagged",
        f"{lines}?from=2026-10&amp;to=2026-10&amp;currency=EUR&amp;compliance=flagged",
        f"{lines}?{period}&amp;product=stemify&amp;compliance=flagged",
        f"{lines}?{period}&amp;use=training&amp;compliance=permitted",
        f"{lines}?{period}&amp;work={night_1}&amp;compliance=permitted",
        f"{lines}?{period}&amp;product=stemify&amp;use=stems_remix&amp;work={night_1}"
        "&amp;compliance=unpermitted",
    ):
        assert f'href="{href}"' in html


def test_amounts_and_months_follow_the_readers_locale(earned: World) -> None:
    html = page_of(
        logged_in(earned.artist_user), earnings_url(earned), accept_language="de-DE,de;q=0.9"
    )
    text = text_of(html)
    assert "Paid to you 1.294,50 €" in text
    assert "Oktober 2026: 1.234,50 € paid to you, 15,00 € held" in text
    assert ["Oktober 2026", "1.234,50 €", "15,00 €", "2.434"] in rows_of(section(html, "by-month"))


def test_each_currency_is_shown_on_its_own(earned: World) -> None:
    report(earned.product, "2026-10", [(earned.works[0], "training", 5, "9.00")], currency="USD")
    client = logged_in(earned.artist_user)
    html = page_of(client, earnings_url(earned))
    assert '<option value="USD">USD</option>' in html  # a choice, since there are two
    assert "Paid to you €1,294.50" in text_of(html)  # the one most earned in first
    assert "you also earned in USD." in html
    in_dollars = text_of(page_of(client, earnings_url(earned, currency="USD")))
    assert "Paid to you US$4.50" in in_dollars
    assert "you also earned in EUR." in in_dollars


# --- the period picker -------------------------------------------------------------------------


def test_a_chosen_period_narrows_every_figure(earned: World) -> None:
    html = page_of(
        logged_in(earned.artist_user), earnings_url(earned, **{"from": "2026-09", "to": "2026-09"})
    )
    assert "Paid to you €60.00" in text_of(html)
    assert "Reported without permission" not in html
    assert 'value="2026-09"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-13", "to": "2026-10"},
        {"from": "soon", "to": "later"},
        {"from": "2026-10", "to": "2026-01"},
        {"from": "2026-10"},
        {"from": "99999-01", "to": "0000-00"},
    ],
)
def test_a_period_that_cannot_be_read_shows_the_default_and_says_why(
    earned: World, params: dict[str, str]
) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned, **params))
    assert "That period could not be read" in html
    assert "November 2025 to October 2026" in text_of(html)


def test_an_unknown_currency_falls_back_to_one_earned_in(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), earnings_url(earned, currency="XYZ"))
    assert "There are no earnings in “XYZ” in this period; showing EUR." in html
    assert "Paid to you €1,294.50" in text_of(html)


def test_a_period_without_earnings_points_to_the_latest(earned: World) -> None:
    html = page_of(
        logged_in(earned.artist_user), earnings_url(earned, **{"from": "2024-01", "to": "2024-03"})
    )
    assert "Nothing reported for January 2024 to March 2024" in text_of(html)
    assert "Your latest earnings are from October 2026." in text_of(html)


def test_before_any_earnings_the_page_explains_what_will_appear(world: World) -> None:
    html = page_of(logged_in(world.artist_user), earnings_url(world))
    assert "No earnings yet" in html
    assert "what you earned appears here" in html
    assert "<svg" not in html


# --- by work: sort and pages -------------------------------------------------------------------


@pytest.fixture
def catalogue_of_30(world: World) -> list[Work]:
    """30 works, each earning a different amount for a different number of uses, in a
    title order that is neither."""
    Licence.objects.update(starts_on=date(2025, 1, 1))
    works = [
        f.WorkFactory(primary_artist=world.artist, title=f"Take {(i * 7) % 30:02d}")
        for i in range(30)
    ]
    report(
        world.product,
        "2026-10",
        [
            (work, "training", 1000 - i * 10 + (i % 3) * 100, f"{i + 1}.00")
            for i, work in enumerate(works)
        ],
    )
    return works


def work_titles(html: str) -> list[str]:
    return re.findall(r'<span class="title">(.*?)</span>', section(html, "by-work"))


def test_works_come_most_held_or_paid_first_25_to_a_page(world: World, catalogue_of_30) -> None:
    client = logged_in(world.artist_user)
    first = page_of(client, earnings_url(world))
    held = [f"€{(i + 1) * Decimal('0.5'):.2f}" for i in range(30)][::-1]
    assert [row[3] for row in rows_of(section(first, "by-work"))] == held[:25]
    assert "Page 1 of 2" in first
    second = page_of(client, earnings_url(world, page="2", sort="amount"))
    assert [row[3] for row in rows_of(section(second, "by-work"))] == held[25:]


def test_works_sort_by_title_and_by_uses(world: World, catalogue_of_30) -> None:
    client = logged_in(world.artist_user)
    by_title = page_of(client, earnings_url(world, sort="title"))
    assert work_titles(by_title) == [f"Take {i:02d}" for i in range(25)]
    assert 'aria-sort="ascending"' in by_title
    by_units = page_of(client, earnings_url(world, sort="units"))
    uses = [int(row[1].replace(",", "")) for row in rows_of(section(by_units, "by-work"))]
    assert uses == sorted(uses, reverse=True) and len(uses) == 25
    nonsense = page_of(client, earnings_url(world, sort="'; drop table", page="x"))
    assert len(work_titles(nonsense)) == 25


def test_a_page_past_the_last_shows_the_last(world: World, catalogue_of_30) -> None:
    html = page_of(logged_in(world.artist_user), earnings_url(world, sort="title", page="9"))
    assert "Page 2 of 2" in html
    assert work_titles(html) == [f"Take {i:02d}" for i in range(25, 30)]


def test_sort_links_keep_the_period_and_currency(world: World, catalogue_of_30) -> None:
    html = page_of(logged_in(world.artist_user), earnings_url(world, sort="title"))
    query = "from=2025-11&amp;to=2026-10&amp;currency=EUR"
    assert f'href="?{query}&amp;sort=units#by-work"' in html
    assert f'href="?{query}&amp;sort=title&amp;page=2#by-work"' in html


# --- the CSV export ----------------------------------------------------------------------------


def test_the_csv_has_a_row_per_month_product_and_use_in_plain_figures(earned: World) -> None:
    report(earned.product, "2026-10", [(earned.works[0], "training", 5, "9.00")], currency="USD")
    response = logged_in(earned.artist_user).get(
        csv_url(earned, **{"from": "2026-09", "to": "2026-10"}), headers={"accept_language": "de"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ada-lane-earnings-2026-09-2026-10.csv"'
    )
    assert list(csv.reader(io.StringIO(response.getvalue().decode()))) == [
        [
            "month",
            "currency",
            "product",
            "product_name",
            "use",
            "use_name",
            "units",
            "gross",
            "artist_paid",
            "artist_held",
            "flagged_lines",
        ],
        [
            "2026-09",
            "EUR",
            "tunesmith",
            "Tunesmith",
            "training",
            "Training",
            "1200",
            "120.00",
            "60.00",
            "0.00",
            "0",
        ],
        [
            "2026-10",
            "EUR",
            "stemify",
            "Stemify",
            "stems_remix",
            "Stems and remix",
            "1200",
            "30.00",
            "0.00",
            "15.00",
            "1",
        ],
        [
            "2026-10",
            "EUR",
            "tunesmith",
            "Tunesmith",
            "training",
            "Training",
            "1234",
            "2469.00",
            "1234.50",
            "0.00",
            "0",
        ],
        [
            "2026-10",
            "USD",
            "tunesmith",
            "Tunesmith",
            "training",
            "Training",
            "5",
            "9.00",
            "4.50",
            "0.00",
            "0",
        ],
    ]


def test_the_csv_of_an_artist_without_earnings_is_just_its_header(world: World) -> None:
    response = logged_in(world.artist_user).get(csv_url(world, **{"from": "bad"}))
    assert response.status_code == 200
    assert response.getvalue().decode().splitlines() == [
        "month,currency,product,product_name,use,use_name,units,gross,artist_paid,artist_held,"
        "flagged_lines"
    ]


# --- the report lines --------------------------------------------------------------------------


def line_rows(html: str) -> list[list[str]]:
    return rows_of(html[html.index('<table class="figures lines">') :]) if "<tbody>" in html else []


def test_the_lines_show_each_reported_line_with_its_share_and_status(earned: World) -> None:
    html = page_of(logged_in(earned.artist_user), lines_url(earned))
    night_0, night_1 = earned.works[0], earned.works[1]
    assert line_rows(html) == [
        [
            "tunesmith-2026-10-EUR",
            "Tunesmith",
            "1 Oct 2026 – 31 Oct 2026",
            f"Night Drive 0 {night_0.isrc}",
            "Training",
            "1,234",
            "€2,469.00",
            "€1,234.50",
            "Permitted: paid",
        ],
        [
            "stemify-2026-10-EUR",
            "Stemify",
            "1 Oct 2026 – 31 Oct 2026",
            f"Night Drive 1 {night_1.isrc}",
            "Stems and remix",
            "1,200",
            "€30.00",
            "€15.00",
            "Not permitted: held",
        ],
        [
            "tunesmith-2026-09-EUR",
            "Tunesmith",
            "1 Sep 2026 – 30 Sep 2026",
            f"Night Drive 0 {night_0.isrc}",
            "Training",
            "1,000",
            "€100.00",
            "€50.00",
            "Permitted: paid",
        ],
        [
            "tunesmith-2026-09-b",
            "Tunesmith",
            "1 Sep 2026 – 30 Sep 2026",
            f"Night Drive 1 {night_1.isrc}",
            "Training",
            "200",
            "€20.00",
            "€10.00",
            "Permitted: paid",
        ],
    ]
    assert "4 lines, newest month first." in html


@pytest.mark.parametrize(
    ("params", "references"),
    [
        ({"from": "2026-10", "to": "2026-10"}, ["tunesmith-2026-10-EUR", "stemify-2026-10-EUR"]),
        ({"to": "2026-09"}, ["tunesmith-2026-09-EUR", "tunesmith-2026-09-b"]),
        ({"product": "stemify"}, ["stemify-2026-10-EUR"]),
        (
            {"use": "training", "compliance": "permitted", "from": "2026-10"},
            ["tunesmith-2026-10-EUR"],
        ),
        ({"compliance": "flagged"}, ["stemify-2026-10-EUR"]),
        ({"compliance": "partly"}, []),
        ({"currency": "EUR", "work": "WORK1"}, ["stemify-2026-10-EUR", "tunesmith-2026-09-b"]),
    ],
)
def test_the_lines_are_filtered_as_the_figure_that_links_to_them(
    earned: World, params: dict[str, str], references: list[str]
) -> None:
    if params.get("work") == "WORK1":
        params = {**params, "work": str(earned.works[1].pk)}
    html = page_of(logged_in(earned.artist_user), lines_url(earned, **params))
    assert [row[0] for row in line_rows(html)] == references
    assert "left out" not in html
    if not references:
        assert "No report lines match" in html


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"from": "2026-1x"}, "“2026-1x” is not a month (YYYY-MM), so it was left out."),
        ({"from": "2026-10", "to": "2026-01"}, "The period ended before it began"),
        ({"product": "nope"}, "“nope” is not a product that reported your works"),
        ({"use": "<script>"}, "“&lt;script&gt;” is not a use reported for your works"),
        ({"compliance": "maybe"}, "“maybe” is not a status"),
        ({"currency": "GBP"}, "“GBP” is not a currency you earned in"),
        ({"work": "abc"}, "That work is not in this catalogue"),
        ({"work": "99999999999999999999999"}, "That work is not in this catalogue"),
        ({"page": "-1"}, None),
    ],
)
def test_a_filter_that_cannot_be_used_is_left_out_and_said_so(
    earned: World, params: dict[str, str], problem: str | None
) -> None:
    html = page_of(logged_in(earned.artist_user), lines_url(earned, **params))
    assert len(line_rows(html)) == 4  # every line, the bad filter ignored
    if problem:
        assert problem in html


def test_another_artists_work_is_not_a_filter_and_shows_nothing_of_theirs(earned: World) -> None:
    theirs = earned.outsider_works[0]
    html = page_of(logged_in(earned.artist_user), lines_url(earned, work=str(theirs.pk)))
    assert "That work is not in this catalogue" in html
    assert theirs.title not in html


def test_the_lines_come_a_page_at_a_time_keeping_the_filter(world: World, catalogue_of_30) -> None:
    report(world.product, "2026-09", [(w, "training", 1, "1.00") for w in catalogue_of_30])
    client = logged_in(world.artist_user)
    first = page_of(client, lines_url(world, use="training"))
    assert len(line_rows(first)) == 50
    assert "Page 1 of 2" in first
    assert 'href="?use=training&amp;page=2"' in first
    assert len(line_rows(page_of(client, lines_url(world, use="training", page="2")))) == 10


# --- who may see it ----------------------------------------------------------------------------


def every_url(world: World) -> list[str]:
    return [earnings_url(world), csv_url(world), lines_url(world)]


@pytest.mark.parametrize("who", ["other_artist_user", "outsider_user", "manager", "other_manager"])
def test_nobody_off_the_artists_team_sees_their_earnings(earned: World, who: str) -> None:
    client = logged_in(getattr(earned, who))
    for url in every_url(earned):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(earned: World) -> None:
    for url in every_url(earned):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_reader_on_the_team_sees_the_earnings(earned: World) -> None:
    from portal.catalogue.models import ArtistMembership

    reader = f.ArtistMembershipFactory(artist=earned.artist, role=ArtistMembership.Role.READER).user
    for url in every_url(earned):
        assert logged_in(reader).get(url).status_code == 200


def test_another_artists_earnings_never_count(earned: World) -> None:
    paper_moons = Work.objects.get(title="Paper Moons")
    report(earned.product, "2026-10", [(paper_moons, "training", 99, "99.00")], reference="bo")
    html = page_of(logged_in(earned.artist_user), earnings_url(earned))
    assert "Paid to you €1,294.50" in text_of(html)
    assert "Paper Moons" not in html


# --- queries -----------------------------------------------------------------------------------


def a_catalogue(world: World, works: int) -> None:
    """`works` works earning in three months, half of them permitted, for two products."""
    Licence.objects.update(starts_on=date(2025, 1, 1))
    catalogue = f.WorkFactory.create_batch(works, primary_artist=world.artist)
    with at("2026-01-05"):
        for work in catalogue[::2]:
            both_yes(world, work)
    stems = stemify(world)
    for month in ("2026-08", "2026-09", "2026-10"):
        report(world.product, month, [(w, "training", 10, "3.00") for w in catalogue])
        report(stems, month, [(w, "stems_remix", 5, "1.00") for w in catalogue[:5]])


@pytest.mark.parametrize("works", [3, 60])
def test_each_page_costs_the_same_queries_whatever_the_catalogue(
    world: World, works: int, django_assert_max_num_queries
) -> None:
    a_catalogue(world, works)
    client = logged_in(world.artist_user)
    # Each page also costs the two-factor gate's one query (who must set it up).
    # Seven for the session, user, gate, membership, navigation and notifications; nine
    # reads of earnings: latest month, currencies, total, months, products, uses, flagged
    # use, and the page of works in two.
    for sort in ("amount", "title"):
        with django_assert_max_num_queries(16):
            html = page_of(client, earnings_url(world, sort=sort))
        assert "Reported without permission" in html
    with django_assert_max_num_queries(6):
        page_of(client, csv_url(world))
    with django_assert_max_num_queries(10):
        page_of(client, lines_url(world, work=str(world.works[0].pk), product="tunesmith"))
    # The home: its cards read every product's conditions, the licences' shares per use,
    # what each product paid in the last year and the breaches of withdrawals by its
    # models in four more queries, for all products; two more say how many uses are
    # permitted now and what use without permission no one has seen.
    with django_assert_max_num_queries(24):
        page_of(client, reverse("artist_home", args=[world.artist.pk]))


# --- the artist's home -------------------------------------------------------------------------


def home_text(world: World) -> str:
    return text_of(
        page_of(logged_in(world.artist_user), reverse("artist_home", args=[world.artist.pk]))
    )


def test_the_home_names_the_latest_month_with_earnings_and_links_on(earned: World) -> None:
    with at("2026-11-25"):
        html = page_of(
            logged_in(earned.artist_user), reverse("artist_home", args=[earned.artist.pk])
        )
    assert "Earnings in October 2026: €1,234.50 · Credits · Statements" in text_of(html)
    for name in ("artist_earnings", "artist_credits", "artist_statements"):
        assert f'href="{reverse(name, args=[earned.artist.pk])}"' in html


def test_the_home_says_earnings_this_month_once_the_month_has_some(earned: World) -> None:
    with at("2026-10-31"):
        assert "Earnings this month: €1,234.50" in home_text(earned)


def test_the_home_says_when_nothing_has_been_earned_yet(world: World) -> None:
    assert "Earnings: none reported yet · Credits · Statements" in home_text(world)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "\u00b2"},  # a digit to str.isdigit, not to int()
        {"from": "0001-01", "to": "0001-01"},
        {"from": "9999-12", "to": "9999-12"},
        {"sort": "<script>"},
    ],
)
def test_odd_parameters_get_a_page_not_an_error(earned: World, params: dict[str, str]) -> None:
    client = logged_in(earned.artist_user)
    assert client.get(earnings_url(earned, **params)).status_code == 200
    assert client.get(csv_url(earned, **params)).status_code == 200
    assert client.get(lines_url(earned, work="\u00b2", **params)).status_code == 200


def test_a_statement_for_year_zero_is_not_found(earned: World) -> None:
    client = logged_in(earned.artist_user)
    assert client.get(f"/artists/{earned.artist.pk}/statements/0000-01/").status_code == 404


def test_currencies_whose_cents_cldr_hides_still_show_them() -> None:
    from babel import Locale

    from portal.earnings.formats import money

    assert money(Decimal("0.50"), "IRR", Locale.parse("en_GB")) == "IRR0.50"
    assert money(Decimal("1234"), "JPY", Locale.parse("en_GB")) == "JP¥1,234"
