"""A label's earnings across its roster, its CSV, and the use reported without
permission: exact sums, one label's figures only, plain words, constant queries."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.consent.services import decision_set
from portal.earnings.models import UsageReport
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, Product, UseType
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, decider, logged_in


def at(day: str, hour: int = 12):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC))


@pytest.fixture
def stemify(world: World) -> Product:
    """A second product, Stemify, licensed by both labels for stems and lyrics all year,
    and every licence of the world's product in force all year too."""
    Licence.objects.update(starts_on=date(2026, 1, 1))
    stems = f.UseTypeFactory(slug="stems_remix")
    UseType.objects.filter(pk=stems.pk).update(name="Stems/remix")
    product = f.ProductFactory(slug="stemify", name="Stemify")
    for use in (stems, world.lyrics):
        f.ProductUseFactory(product=product, use_type=use)
    for label in (world.label, world.other_label):
        f.LicenceFactory(
            licensee=product.licensee,
            label=label,
            use_types=[stems, world.lyrics],
            starts_on=date(2026, 1, 1),
        )
    Work.objects.filter(pk=world.works[0].pk).update(title="Night Drive")
    return product


def decide(world: World, product: Product, work: Work, use: str, answer: str, *sides: str) -> None:
    """Both sides' answer (or the sides named), each given by that side's person."""
    for side in sides or (Side.ARTIST, Side.RIGHTS_HOLDER):
        decision_set(
            actor=decider(world, side, work),
            product=product,
            work=work,
            use_type=UseType.objects.get(slug=use),
            side=side,
            answer=answer,
        )


def ingest(
    product: Product,
    lines: list[tuple[Work, str, int, str]],
    *,
    reference: str = "oct",
    currency: str = "EUR",
    month: str = "2026-10",
) -> UsageReport:
    start = date.fromisoformat(f"{month}-01")
    end = {10: "31", 9: "30", 8: "31"}[start.month]
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": {"start": start.isoformat(), "end": f"{month}-{end}"},
            "currency": currency,
            "lines": [
                {"isrc": work.isrc, "use": use, "units": units, "gross": gross}
                for work, use, units, gross in lines
            ],
        }
    )
    return usage_report_submit(product=product, parsed=parsed).report


def page(client: Client, name: str, world: World, query: str = "", **headers: str) -> str:
    response = client.get(reverse(name, args=[world.label.pk]) + query, headers=headers)
    assert response.status_code == 200
    return unescape(response.content.decode())


def paper_moons() -> Work:
    return Work.objects.get(title="Paper Moons")


@pytest.fixture
def october(world: World, stemify: Product) -> World:
    """October 2026 for Stemify: Ada Lane's Night Drive and Night Drive 1 permitted all
    month, Bo Reed's Paper Moons permitted, Night Drive 2 never permitted, and the other
    label's Far Shore permitted (and large)."""
    with at("2026-09-15"):
        for work in (world.works[0], world.works[1], paper_moons(), world.outsider_works[0]):
            decide(world, stemify, work, "stems_remix", Answer.GRANTED)
    ingest(
        stemify,
        [
            (world.works[0], "stems_remix", 1200, "100.01"),  # 50.01 / 30.00 / 20.00
            (world.works[1], "stems_remix", 10, "10.00"),  # 5.00 / 3.00 / 2.00
            (paper_moons(), "stems_remix", 20, "20.00"),  # 10.00 / 6.00 / 4.00
            (world.works[2], "stems_remix", 8, "8.00"),  # held: 4.00 / 2.40 / 1.60
            (world.outsider_works[0], "stems_remix", 5000, "1000.00"),
        ],
    )
    return world


# --- earnings -----------------------------------------------------------------------------


def test_the_totals_are_the_rosters_exact_sums(october: World, manager_client: Client) -> None:
    response = manager_client.get(reverse("label_earnings", args=[october.label.pk]))
    totals = response.context["totals"]
    assert (totals["label_paid"], totals["artist_paid"], totals["held"], totals["gross"]) == (
        Decimal("39.00"),
        Decimal("65.01"),
        Decimal("6.40"),
        Decimal("138.01"),
    )
    body = unescape(response.content.decode())
    assert 'Paid to Northern Lights Records</th><td class="num"><strong>€39.00' in body
    assert "€65.01" in body and "€6.40" in body
    assert "1 line of use reported without permission" in body


def test_by_artist_each_artist_has_their_own_exact_sums(
    october: World, manager_client: Client
) -> None:
    response = manager_client.get(reverse("label_earnings", args=[october.label.pk]))
    rows = {
        row["name"]: (row["gross"], row["artist_paid"], row["label_paid"], row["held"])
        for row in response.context["page"]
    }
    assert rows == {
        "Ada Lane": (Decimal("118.01"), Decimal("55.01"), Decimal("33.00"), Decimal("6.40")),
        "Bo Reed": (Decimal("20.00"), Decimal("10.00"), Decimal("6.00"), Decimal("0.00")),
    }


def test_by_product_and_by_use(october: World, manager_client: Client) -> None:
    response = manager_client.get(reverse("label_earnings", args=[october.label.pk]))
    assert [(r["name"], r["label_paid"]) for r in response.context["by_product"]] == [
        ("Stemify", Decimal("39.00"))
    ]
    assert [(r["name"], r["gross"]) for r in response.context["by_use"]] == [
        ("Stems/remix", Decimal("138.01"))
    ]


def test_figures_are_in_the_readers_locale(october: World, manager_client: Client) -> None:
    body = page(manager_client, "label_earnings", october, **{"Accept-Language": "de-DE"})
    assert "39,00\xa0€" in body
    assert "Oktober 2026" in body


def test_a_label_never_sees_another_labels_artists_or_money(
    october: World, manager_client: Client
) -> None:
    body = page(manager_client, "label_earnings", october)
    assert "Cy Moss" not in body
    assert "1.000" not in body and "1,000" not in body and "500.00" not in body
    other = logged_in(october.other_manager)
    theirs = other.get(reverse("label_earnings", args=[october.other_label.pk]))
    assert theirs.context["totals"]["gross"] == Decimal("1000.00")
    assert [row["name"] for row in theirs.context["page"]] == ["Cy Moss"]


@pytest.mark.parametrize("name", ["label_earnings", "label_earnings_csv", "label_usage_flags"])
def test_another_labels_manager_gets_404(october: World, name: str) -> None:
    client = logged_in(october.other_manager)
    assert client.get(reverse(name, args=[october.label.pk])).status_code == 404


@pytest.mark.parametrize("name", ["label_earnings", "label_earnings_csv", "label_usage_flags"])
def test_an_artist_of_the_roster_gets_404(october: World, artist_client: Client, name: str) -> None:
    assert artist_client.get(reverse(name, args=[october.label.pk])).status_code == 404


@pytest.mark.parametrize("name", ["label_earnings", "label_earnings_csv", "label_usage_flags"])
def test_an_anonymous_visitor_is_sent_to_log_in(october: World, client: Client, name: str) -> None:
    response = client.get(reverse(name, args=[october.label.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_artists_sort_by_name_or_by_a_figure(october: World, manager_client: Client) -> None:
    url = reverse("label_earnings", args=[october.label.pk])
    by_gross = manager_client.get(url)
    assert [row["name"] for row in by_gross.context["page"]] == ["Ada Lane", "Bo Reed"]
    by_name = manager_client.get(url, {"sort": "artist"})
    assert [row["name"] for row in by_name.context["page"]] == ["Ada Lane", "Bo Reed"]
    f.ArtistFactory(name="Al Aardvark", label=october.label)  # no earnings: not listed
    by_held = manager_client.get(url, {"sort": "held"})
    assert [row["name"] for row in by_held.context["page"]] == ["Ada Lane", "Bo Reed"]
    by_nothing = manager_client.get(url, {"sort": "drop table"})
    assert by_nothing.context["sort"] == "gross"


def test_artists_are_paginated_25_a_page(world: World, stemify: Product, manager_client: Client):
    lines = []
    for i in range(26):
        artist = f.ArtistFactory(name=f"Artist {i:02d}", label=world.label)
        lines.append((f.WorkFactory(primary_artist=artist), "stems_remix", 1, "1.00"))
    ingest(stemify, lines)
    url = reverse("label_earnings", args=[world.label.pk])
    first = manager_client.get(url, {"sort": "artist"})
    assert len(first.context["page"]) == 25
    second = manager_client.get(url, {"sort": "artist", "page": 2})
    assert [row["name"] for row in second.context["page"]] == ["Artist 25"]
    assert "sort=artist&amp;page=1" in second.content.decode()


def test_the_period_picker_chooses_the_months(october: World, manager_client: Client) -> None:
    ingest(
        october.product,
        [(october.works[0], "training", 1, "50.00")],
        reference="aug",
        month="2026-08",
    )
    url = reverse("label_earnings", args=[october.label.pk])
    default = manager_client.get(url)
    assert (default.context["period"].first, default.context["period"].last) == (
        date(2025, 11, 1),
        date(2026, 10, 1),
    )
    assert default.context["totals"]["gross"] == Decimal("188.01")
    august = manager_client.get(url, {"from": "2026-08", "to": "2026-09"})
    assert august.context["totals"]["gross"] == Decimal("50.00")
    assert 'value="2026-08"' in august.content.decode()


def test_an_unreadable_period_says_so_and_shows_the_last_twelve_months(
    october: World, manager_client: Client
) -> None:
    response = manager_client.get(
        reverse("label_earnings", args=[october.label.pk]), {"from": "2026-13", "to": "x"}
    )
    assert response.context["totals"]["gross"] == Decimal("138.01")
    assert "That period could not be read" in response.content.decode()


def test_each_currency_is_shown_on_its_own(october: World, manager_client: Client) -> None:
    ingest(
        october.product,
        [(october.works[0], "training", 1, "5.00")],
        reference="usd",
        currency="USD",
    )
    url = reverse("label_earnings", args=[october.label.pk])
    euros = manager_client.get(url)
    assert euros.context["currencies"] == ["EUR", "USD"]
    assert euros.context["totals"]["gross"] == Decimal("138.01")
    dollars = manager_client.get(url, {"currency": "USD"})
    assert dollars.context["totals"]["gross"] == Decimal("5.00")
    assert "US$5.00" in unescape(dollars.content.decode())


def test_a_period_without_earnings_explains_and_offers_the_latest(
    october: World, manager_client: Client
) -> None:
    body = page(manager_client, "label_earnings", october, "?from=2025-01&to=2025-03")
    assert "Nothing earned in this period" in body
    assert "The latest month with earnings is October 2026." in body


def test_a_label_with_no_earnings_yet_is_told_what_will_appear(
    world: World, manager_client: Client
) -> None:
    body = page(manager_client, "label_earnings", world)
    assert "No earnings yet" in body
    assert "appears here month by month" in body


# --- CSV ------------------------------------------------------------------------------------


def csv_rows(client: Client, world: World, query: str = "") -> list[dict[str, str]]:
    response = client.get(reverse("label_earnings_csv", args=[world.label.pk]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_row_per_month_artist_product_and_use(
    october: World, manager_client: Client
) -> None:
    ingest(
        october.product,
        [(october.works[0], "training", 7, "10.00")],
        reference="sep",
        month="2026-09",
    )
    response = manager_client.get(reverse("label_earnings_csv", args=[october.label.pk]))
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "month,currency,artist,product,use,lines,units,gross,artist_paid,label_paid,held,"
        "flagged_lines",
        "2026-09,EUR,Ada Lane,tunesmith,training,1,7,10.00,0.00,0.00,8.00,1",
        "2026-10,EUR,Ada Lane,stemify,stems_remix,3,1218,118.01,55.01,33.00,6.40,1",
        "2026-10,EUR,Bo Reed,stemify,stems_remix,1,20,20.00,10.00,6.00,0.00,0",
    ]


def test_the_csv_follows_the_period_and_currency(october: World, manager_client: Client) -> None:
    ingest(
        october.product,
        [(october.works[0], "training", 1, "5")],
        reference="jpy",
        currency="JPY",
    )
    rows = csv_rows(manager_client, october)
    assert [(row["currency"], row["gross"]) for row in rows] == [
        ("EUR", "118.01"),
        ("EUR", "20.00"),
        ("JPY", "5"),
    ]
    assert csv_rows(manager_client, october, "?currency=JPY")[0]["held"] == "4"
    assert csv_rows(manager_client, october, "?from=2026-01&to=2026-09") == []


# --- usage reported without permission ------------------------------------------------------


@pytest.fixture
def flagged(world: World, stemify: Product) -> World:
    """In October 2026 Stemify reports Night Drive (permitted until 10 October), Night
    Drive 1 (permitted throughout) and Night Drive 2 (never permitted)."""
    with at("2026-09-15"):
        decide(world, stemify, world.works[0], "stems_remix", Answer.GRANTED)
        decide(world, stemify, world.works[1], "stems_remix", Answer.GRANTED)
    with at("2026-10-10"):
        decide(world, stemify, world.works[0], "stems_remix", Answer.DENIED, Side.ARTIST)
    ingest(
        stemify,
        [
            (world.works[0], "stems_remix", 1200, "120.00"),
            (world.works[1], "stems_remix", 10, "10.00"),
            (world.works[2], "stems_remix", 5, "5.00"),
        ],
    )
    return world


def test_each_flag_is_said_in_plain_words(flagged: World, manager_client: Client) -> None:
    body = page(manager_client, "label_usage_flags", flagged)
    assert (
        "Stemify reported 1,200 uses of Night Drive (Ada Lane) for Stems/remix in October "
        "2026 while it was permitted for only part of the period." in body
    )
    assert (
        "Stemify reported 5 uses of Night Drive 2 (Ada Lane) for Stems/remix without "
        "permission in October 2026." in body
    )
    assert "Night Drive 1" not in body  # permitted throughout: not flagged


def test_each_flag_shows_its_gross_and_what_is_held(flagged: World, manager_client: Client):
    body = page(manager_client, "label_usage_flags", flagged)
    assert (
        "Gross €120.00 · held: €60.00 for Ada Lane and €36.00 for Northern Lights Records"
        in " ".join(body.split())
    )


def test_a_use_no_licence_covered_is_held_whole(world: World, manager_client: Client) -> None:
    # The world's licence starts 30 days ago: none covered August.
    ingest(world.product, [(world.works[0], "training", 3, "7.00")], month="2026-08")
    body = " ".join(page(manager_client, "label_usage_flags", world).split())
    assert "Gross €7.00 · no licence covered this use" in body
    assert "without permission in August 2026" in body


def test_flags_are_newest_report_first(flagged: World, stemify: Product, manager_client: Client):
    ingest(stemify, [(flagged.works[2], "stems_remix", 3, "3.00")], reference="nov-fix")
    response = manager_client.get(reverse("label_usage_flags", args=[flagged.label.pk]))
    assert [flag.report.reference for flag in response.context["page"]] == [
        "nov-fix",
        "oct",
        "oct",
    ]


def test_flags_filter_by_product_and_status(
    flagged: World, stemify: Product, manager_client: Client
) -> None:
    ingest(flagged.product, [(flagged.works[1], "training", 4, "4.00")], reference="t")
    url = reverse("label_usage_flags", args=[flagged.label.pk])

    def works(**params: str) -> list[str]:
        return [flag.work.title for flag in manager_client.get(url, params).context["page"]]

    assert works() == ["Night Drive 1", "Night Drive", "Night Drive 2"]
    assert works(product="stemify") == ["Night Drive", "Night Drive 2"]
    assert works(product="tunesmith") == ["Night Drive 1"]
    assert works(status="partly") == ["Night Drive"]
    assert works(product="stemify", status="unpermitted") == ["Night Drive 2"]
    dropped = manager_client.get(url, {"product": "echovox"})
    assert len(dropped.context["page"]) == 3
    assert "the filter was left out" in dropped.content.decode()


def test_flags_never_show_another_labels_use(flagged: World, stemify: Product) -> None:
    ingest(stemify, [(flagged.outsider_works[0], "stems_remix", 9, "9.00")], reference="far")
    mine = logged_in(flagged.manager).get(reverse("label_usage_flags", args=[flagged.label.pk]))
    assert "Far Shore" not in mine.content.decode()
    theirs = logged_in(flagged.other_manager).get(
        reverse("label_usage_flags", args=[flagged.other_label.pk])
    )
    assert [flag.work.title for flag in theirs.context["page"]] == ["Far Shore"]


def test_no_flags_is_an_empty_state_that_explains(world: World, manager_client: Client) -> None:
    body = page(manager_client, "label_usage_flags", world)
    assert "No usage reported without permission" in body
    assert "its money is held" in body


# --- links and query counts -----------------------------------------------------------------


def test_the_label_home_links_to_earnings_flags_and_statements(
    world: World, manager_client: Client
) -> None:
    body = page(manager_client, "label_home", world)
    label = world.label.pk
    assert (
        f'<a href="/labels/{label}/earnings/">Earnings</a> · '
        f'<a href="/labels/{label}/usage-flags/">Usage reported without permission</a> · '
        f'<a href="/labels/{label}/statements/">Statements</a>'
    ) in body


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


def grow_roster(world: World, stemify: Product, artists: int, reference: str) -> None:
    """`artists` more artists on the roster, each with two works reported (one flagged)."""
    lines = []
    for _ in range(artists):
        artist = f.ArtistFactory(label=world.label)
        f.ArtistMembershipFactory(artist=artist)  # someone to answer for the artist
        for use in ("stems_remix", "lyrics"):
            work = f.WorkFactory(primary_artist=artist)
            lines.append((work, use, 3, "3.00"))
        with at("2026-09-15"):
            decide(world, stemify, lines[-1][0], "lyrics", Answer.GRANTED)
    ingest(stemify, lines, reference=reference)


@pytest.mark.parametrize("name", ["label_earnings", "label_earnings_csv", "label_usage_flags"])
def test_queries_do_not_grow_with_the_roster(
    world: World, stemify: Product, manager_client: Client, name: str
) -> None:
    url = reverse(name, args=[world.label.pk])
    grow_roster(world, stemify, 2, "small")
    small = queries_for(manager_client, url)
    grow_roster(world, stemify, 30, "large")
    large = queries_for(manager_client, url)
    assert small == large
    assert large <= 14
