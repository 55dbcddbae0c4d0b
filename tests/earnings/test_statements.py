"""Monthly statements of an artist and of a label: one row per usage report, a section per
currency, totals that reconcile to the allocations and the monthly summary, every line
as CSV, and nobody else's."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.catalogue.models import Work
from portal.earnings.models import Allocation, Compliance, MonthlyEarning
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, LicenceShare, Product
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in
from tests.earnings.test_ingest import at, both_yes, line

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}
PERMITTED = Q(compliance=Compliance.PERMITTED)
ZERO = Decimal(0)


def submit(
    product: Product, lines: list[dict], *, reference: str, currency: str = "EUR", period=None
) -> None:
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": period or OCTOBER,
            "currency": currency,
            "lines": lines,
        }
    )
    usage_report_submit(product=product, parsed=parsed)


@pytest.fixture
def earned(world: World) -> World:
    """October: two EUR reports and a USD one; September: one report. The artist has
    permitted, flagged and unlicensed lines; the other artist on the roster and the
    outsider on another label have lines in the same reports."""
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    paper_moons = Work.objects.get(title="Paper Moons")
    with at("2026-08-15"):
        both_yes(world)
        both_yes(world, work=world.works[1])
        both_yes(world, work=paper_moons)
    submit(
        world.product,
        [
            line(world.works[0], units=1200, gross="100.01"),  # permitted
            line(world.works[1], gross="33.33"),  # permitted
            line(world.works[2], gross="10.00"),  # never decided: held
            line(world.works[0], use="lyrics", gross="7.00"),  # no licence covers lyrics
            line(paper_moons, gross="50.00"),
            line(world.outsider_works[0], gross="20.00"),
        ],
        reference="TS-2026-10-A",
    )
    submit(world.product, [line(world.works[0], gross="4.00")], reference="TS-2026-10-B")
    submit(
        world.product,
        [line(world.works[0], gross="12.34"), line(paper_moons, gross="8.00")],
        reference="TS-2026-10-USD",
        currency="USD",
    )
    submit(
        world.product,
        [line(world.works[0], gross="5.00")],
        reference="TS-2026-09",
        period=SEPTEMBER,
    )
    return world


def artist_url(name: str, world: World, month: str | None = None) -> str:
    args = [world.artist.pk] if month is None else [world.artist.pk, month]
    return reverse(name, args=args)


def label_url(name: str, world: World, month: str | None = None) -> str:
    args = [world.label.pk] if month is None else [world.label.pk, month]
    return reverse(name, args=args)


def csv_rows(response: StreamingHttpResponse) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def summed(scope: dict, month: date, currency: str, amount: str, condition: Q = PERMITTED):
    """The same figure from the allocations and from the monthly summary."""
    allocations = Allocation.objects.filter(**scope, month=month, currency=currency)
    monthly = MonthlyEarning.objects.filter(**scope, month=month, currency=currency)
    return (
        allocations.filter(condition).aggregate(s=Sum(amount, default=ZERO))["s"],
        monthly.filter(condition).aggregate(s=Sum(amount, default=ZERO))["s"],
    )


# --- the artist's statement -----------------------------------------------------------------


def test_the_statement_total_is_the_artist_amount_of_the_months_permitted_allocations(
    earned: World, artist_client: Client
) -> None:
    response = artist_client.get(artist_url("artist_statement", earned, "2026-10"))
    assert response.status_code == 200
    sections = {s.currency: s for s in response.context["sections"]}
    assert set(sections) == {"EUR", "USD"}
    scope, october = {"artist_id": earned.artist.pk}, date(2026, 10, 1)
    for currency, section in sections.items():
        from_allocations, from_summary = summed(scope, october, currency, "artist_amount")
        assert section.total["artist_paid"] == from_allocations == from_summary
        held = summed(scope, october, currency, "artist_amount", ~PERMITTED)
        assert section.total["artist_held"] == held[0] == held[1]
        gross = summed(scope, october, currency, "gross", Q())
        assert section.total["gross_total"] == gross[0] == gross[1]
        # The rows add up to the total.
        assert sum(r["artist_paid"] for r in section.rows) == section.total["artist_paid"]
        assert sum(r["gross_total"] for r in section.rows) == section.total["gross_total"]
    # 50.01 + 16.66 of report A, 2.00 of report B; 5.00 held for the undecided work.
    assert sections["EUR"].total["artist_paid"] == Decimal("68.67")
    assert sections["EUR"].total["artist_held"] == Decimal("5.00")
    page = response.content.decode()
    assert "€68.67 paid to you in EUR" in page
    assert "US$6.17 paid to you in USD" in page


def test_the_statement_has_a_row_per_usage_report_in_a_section_per_currency(
    earned: World, artist_client: Client
) -> None:
    response = artist_client.get(artist_url("artist_statement", earned, "2026-10"))
    sections = response.context["sections"]
    assert [s.currency for s in sections] == ["EUR", "USD"]  # most earned first
    eur = {r["reference"]: r for r in sections[0].rows}
    assert set(eur) == {"TS-2026-10-A", "TS-2026-10-B"}
    # Only the artist's four lines of report A, not the other artists'.
    assert (eur["TS-2026-10-A"]["line_count"], eur["TS-2026-10-A"]["unit_count"]) == (4, 1500)
    assert eur["TS-2026-10-A"]["gross_total"] == Decimal("150.34")
    assert eur["TS-2026-10-A"]["flagged_lines"] == 2
    assert sections[0].total["unlicensed_lines"] == 1
    assert [r["reference"] for r in sections[1].rows] == ["TS-2026-10-USD"]
    page = response.content.decode()
    assert "TS-2026-09" not in page  # September's report counts in September
    assert "1 line was not covered by any licence" in page
    assert "Tunesmith" in page and "1 Oct 2026 – 31 Oct 2026" in page


def test_a_month_without_earnings_says_so(earned: World, artist_client: Client) -> None:
    response = artist_client.get(artist_url("artist_statement", earned, "2026-07"))
    assert response.status_code == 200
    assert "No earnings in July 2026" in response.content.decode()
    assert response.context["sections"] == []


def test_an_impossible_month_is_not_found(earned: World, artist_client: Client) -> None:
    assert artist_client.get(f"/artists/{earned.artist.pk}/statements/2026-13/").status_code == 404
    assert (
        artist_client.get(f"/artists/{earned.artist.pk}/statements/2026-00.csv").status_code == 404
    )


def test_the_statement_is_printable_without_scripts(earned: World, artist_client: Client) -> None:
    page = artist_client.get(artist_url("artist_statement", earned, "2026-10")).content.decode()
    assert "Save as PDF" in page
    assert "onclick" not in page and "style=" not in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "<script" not in main


# --- the artist's list of statements -----------------------------------------------------


def test_the_statements_list_shows_each_month_and_currency_newest_first(
    earned: World, artist_client: Client
) -> None:
    response = artist_client.get(artist_url("artist_statements", earned))
    months = [(m["month"], m["currency"]) for m in response.context["months"]]
    assert months == [
        (date(2026, 10, 1), "EUR"),
        (date(2026, 10, 1), "USD"),
        (date(2026, 9, 1), "EUR"),
    ]
    october_eur = response.context["months"][0]
    assert (october_eur["artist_paid"], october_eur["artist_held"]) == (
        Decimal("68.67"),
        Decimal("5.00"),
    )
    page = response.content.decode()
    assert artist_url("artist_statement", earned, "2026-10") in page
    assert artist_url("artist_statement_csv", earned, "2026-09") in page


def test_an_artist_without_earnings_is_told_what_will_appear(
    world: World, artist_client: Client
) -> None:
    page = artist_client.get(artist_url("artist_statements", world)).content.decode()
    assert "No statements yet" in page


# --- the artist's CSV ---------------------------------------------------------------------

ARTIST_COLUMNS = [
    "report",
    "product",
    "period_start",
    "period_end",
    "isrc",
    "title",
    "use",
    "units",
    "currency",
    "gross",
    "artist_share",
    "label_share",
    "platform_share",
    "artist_amount",
    "label_amount",
    "platform_amount",
    "status",
]


def test_the_csv_streams_every_line_of_the_month_and_nothing_else(
    earned: World, artist_client: Client
) -> None:
    response = artist_client.get(artist_url("artist_statement_csv", earned, "2026-10"))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="statement-artist-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == ARTIST_COLUMNS
    october = Allocation.objects.filter(artist=earned.artist, month=date(2026, 10, 1))
    assert len(rows) == october.count() == 6
    by_key = {(r[0], r[4], r[6]): dict(zip(header, r, strict=True)) for r in rows}
    first = by_key[("TS-2026-10-A", earned.works[0].isrc, "training")]
    assert first == {
        "report": "TS-2026-10-A",
        "product": "tunesmith",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "isrc": earned.works[0].isrc,
        "title": "Night Drive 0",
        "use": "training",
        "units": "1200",
        "currency": "EUR",
        "gross": "100.01",
        "artist_share": "50.00",
        "label_share": "30.00",
        "platform_share": "20.00",
        "artist_amount": "50.01",
        "label_amount": "30.00",
        "platform_amount": "20.00",
        "status": "permitted",
    }
    unlicensed = by_key[("TS-2026-10-A", earned.works[0].isrc, "lyrics")]
    assert [unlicensed[k] for k in ("artist_share", "artist_amount", "status")] == [
        "",
        "",
        "unpermitted",
    ]
    assert by_key[("TS-2026-10-A", earned.works[2].isrc, "training")]["status"] == "unpermitted"
    isrcs = {r[4] for r in rows}
    assert isrcs <= {w.isrc for w in earned.works}  # no other artist's line


def test_a_use_with_its_own_shares_shows_them_in_the_csv(
    earned: World, artist_client: Client
) -> None:
    LicenceShare.objects.create(
        licence=earned.licence,
        use_type=earned.style,
        artist_share=Decimal(70),
        label_share=Decimal(20),
        platform_share=Decimal(10),
    )
    submit(
        earned.product,
        [line(earned.works[1], use="style_generation", gross="10.00")],
        reference="TS-2026-10-STYLE",
    )
    header, *rows = csv_rows(
        artist_client.get(artist_url("artist_statement_csv", earned, "2026-10"))
    )
    style = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == "TS-2026-10-STYLE")
    shares = [style[k] for k in ("artist_share", "label_share", "platform_share")]
    assert shares == ["70.00", "20.00", "10.00"]
    assert style["artist_amount"] == "7.00"


def test_the_csv_of_a_month_without_earnings_is_just_the_header(
    earned: World, artist_client: Client
) -> None:
    rows = csv_rows(artist_client.get(artist_url("artist_statement_csv", earned, "2026-07")))
    assert rows == [ARTIST_COLUMNS]


# --- the label's statements ---------------------------------------------------------------


def test_the_label_statement_has_a_row_per_report_and_artist_and_reconciles(
    earned: World, manager_client: Client
) -> None:
    response = manager_client.get(label_url("label_statement", earned, "2026-10"))
    assert response.status_code == 200
    sections = {s.currency: s for s in response.context["sections"]}
    eur = sections["EUR"]
    rows = {(r["reference"], r["artist_name"]) for r in eur.rows}
    assert rows == {
        ("TS-2026-10-A", "Ada Lane"),
        ("TS-2026-10-A", "Bo Reed"),
        ("TS-2026-10-B", "Ada Lane"),
    }
    scope, october = {"label_id": earned.label.pk}, date(2026, 10, 1)
    for currency, section in sections.items():
        for amount, key in (("artist_amount", "artist_paid"), ("label_amount", "label_paid")):
            from_allocations, from_summary = summed(scope, october, currency, amount)
            assert section.total[key] == from_allocations == from_summary
    # 30.00 + 10.00 (report A, Ada), 1.20 (report B), 15.00 (report A, Bo Reed).
    assert eur.total["label_paid"] == Decimal("56.20")
    # Ada's undecided work: 5.00 to her, 3.00 to the label, both held.
    assert eur.total["shares_held"] == Decimal("8.00")
    page = response.content.decode()
    assert "Cy Moss" not in page  # the other label's artist
    assert "€56.20 paid to Northern Lights Records in EUR" in page


def test_the_label_csv_has_every_line_of_its_works_with_the_artist(
    earned: World, manager_client: Client
) -> None:
    header, *rows = csv_rows(
        manager_client.get(label_url("label_statement_csv", earned, "2026-10"))
    )
    assert header == [*ARTIST_COLUMNS[:4], "artist", *ARTIST_COLUMNS[4:]]
    assert len(rows) == Allocation.objects.filter(label=earned.label, month="2026-10-01").count()
    assert {r[4] for r in rows} == {"Ada Lane", "Bo Reed"}
    assert earned.outsider_works[0].isrc not in {r[5] for r in rows}


def test_the_label_statements_list_shows_artists_and_label_paid_and_held(
    earned: World, manager_client: Client
) -> None:
    response = manager_client.get(label_url("label_statements", earned))
    assert response.status_code == 200
    october_eur = response.context["months"][0]
    assert (october_eur["month"], october_eur["currency"]) == (date(2026, 10, 1), "EUR")
    assert october_eur["label_paid"] == Decimal("56.20")
    assert october_eur["shares_held"] == Decimal("8.00")
    assert label_url("label_statement", earned, "2026-10") in response.content.decode()


def test_a_label_month_without_earnings_says_so(earned: World, manager_client: Client) -> None:
    response = manager_client.get(label_url("label_statement", earned, "2025-12"))
    assert response.status_code == 200
    assert "No earnings in December 2025" in response.content.decode()


def test_a_label_without_earnings_is_told_what_will_appear(world: World) -> None:
    client = logged_in(world.other_manager)
    response = client.get(reverse("label_statements", args=[world.other_label.pk]))
    assert "No statements yet" in response.content.decode()


# --- nobody else's --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["artist_statements", "artist_statement", "artist_statement_csv"])
def test_another_artists_statements_are_not_found(earned: World, name: str) -> None:
    month = None if name == "artist_statements" else "2026-10"
    url = artist_url(name, earned, month)
    for user in (earned.other_artist_user, earned.outsider_user, earned.manager):
        assert logged_in(user).get(url).status_code == 404


@pytest.mark.parametrize("name", ["label_statements", "label_statement", "label_statement_csv"])
def test_another_labels_statements_are_not_found(earned: World, name: str) -> None:
    month = None if name == "label_statements" else "2026-10"
    url = label_url(name, earned, month)
    for user in (earned.other_manager, earned.artist_user):
        assert logged_in(user).get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(earned: World) -> None:
    response = Client().get(artist_url("artist_statement", earned, "2026-10"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- cost ---------------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_statement_pages_cost_the_same_queries_whatever_the_volume(
    earned: World, artist_client: Client, manager_client: Client
) -> None:
    urls = [
        (artist_client, artist_url("artist_statements", earned)),
        (artist_client, artist_url("artist_statement", earned, "2026-10")),
        (artist_client, artist_url("artist_statement_csv", earned, "2026-10")),
        (manager_client, label_url("label_statements", earned)),
        (manager_client, label_url("label_statement", earned, "2026-10")),
        (manager_client, label_url("label_statement_csv", earned, "2026-10")),
    ]
    before = [queries_for(client, url) for client, url in urls]
    more = [f.WorkFactory(primary_artist=earned.artist) for _ in range(30)]
    more += [f.WorkFactory(primary_artist=earned.other_artist) for _ in range(10)]
    for n, currency in enumerate(["EUR", "USD", "GBP"]):
        submit(
            earned.product,
            [line(work, gross="1.00") for work in more],
            reference=f"TS-BULK-{n}",
            currency=currency,
        )
    after = [queries_for(client, url) for client, url in urls]
    assert after == before
