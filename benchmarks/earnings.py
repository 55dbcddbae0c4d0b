"""Earnings at scale: a usage report of 100,000 lines going in, and an artist's earnings
page coming out.

- Ingest (a label of 100,000 works): one report of 100,000 lines, the most a report may
  have, from tunesmith: training on every work of the label. It goes in as the API takes
  it: the JSON body decoded (`parse_json`), validated (`usage_report_parse`), then
  stored, allocated and summed (`usage_report_submit`). Its period is this month up to
  yesterday (a period must have ended), so its lines are checked against a real
  permission history: the demo's consents and the bench's own earlier answers. Wall time per
  step, lines/s and statements; then the same again under tracemalloc for the peak
  memory. Aims: under 30 s and under 500 MB.
- Page (an artist with 10,000 works): twelve months of usage from the demo products,
  ingested the same way (a report a month from each: tunesmith's of 12,000 lines,
  stemify's of 15,000), of which at least 130,000 lines are flagged (`FLAGGED_USAGE`: use
  nobody permitted, and a few breaches of conditions), then the artist's earnings page
  (`artist_earnings`): median and p95 server time over 30 requests, and its queries.
  Aim: p95 under 200 ms. Then the page's own sort link for works, if it has one, and
  the CSV export (`artist_earnings_csv`).
  Anything but a 200 is a crash: the bench says so and exits non-zero.

Alone: `python -m benchmarks.earnings` seeds a fresh database at 500 (10,000 works per
artist) for the page, then tops it up to 2,500 (a label of 100,000 works) for the
ingest; with BENCH_SCALE set, both run at that scale.
"""

import html
import json
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from benchmarks.measure import QueryCounter, Series, Wall, duration, ms, once, requests

INGEST_LINES = 100_000
INGEST_USES = ("training", "style_generation")  # a second use when the label is smaller
PAGE_SAMPLES = 30
# The artist's usage behind the page, a report a month from each product: (product, use,
# how many of the artist's works, the first by id). Both sides said yes to it before its
# first month (`page_consents`), as a product reports what it may use; the few songs the
# demo's artist answered otherwise are flagged. Echovox's reports are the demo's own, up
# to its suspension.
PAGE_USAGE = (
    ("tunesmith", "style_generation", 10_000),
    ("stemify", "lyrics", 5_000),
)
# Use the artist's page flags, in the same reports: remixes of works nobody was asked
# about (Ada said yes to her first release, the label to half of it), and training on
# works where only the label said yes (the odd ones) or where Ada's yes carries conditions
# the lines do not show kept (breached). At 10,000 works, 132,000 lines a year; the page
# was measured at 0.5-1 s with 130,000.
FLAGGED_USAGE = (
    ("stemify", "stems_remix", 10_000),
    ("tunesmith", "training", 2_000),
)
FLAGGED_WANTED = 130_000
RATE = Decimal("0.012")
CENT = Decimal("0.01")
HREF = re.compile(r'href="([^"]*)"')


# ------------------------------------------------------------------------------
# Usage reports as a product sends them
# ------------------------------------------------------------------------------
def report_body(reference: str, start: date, end: date, lines: list[tuple[str, str, str]]) -> bytes:
    """A usage report as JSON bytes; `lines` are (ISRC, use, credit)."""
    rows = []
    for n, (isrc, use, credit) in enumerate(lines):
        units = 50 + (n * 37) % 2000
        gross = str((units * RATE).quantize(CENT))
        rows.append({"isrc": isrc, "use": use, "units": units, "gross": gross, "credit": credit})
    body = {
        "reference": reference,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "currency": "USD",
        "lines": rows,
    }
    return json.dumps(body).encode()


def credited(works: Any) -> list[tuple[str, str]]:
    """(ISRC, "Artist — Title") of the works, in id order."""
    return [
        (isrc, f"{artist} \u2014 {title}")
        for isrc, title, artist in works.order_by("pk").values_list(
            "isrc", "title", "primary_artist__name"
        )
    ]


@dataclass
class Ingest:
    """One report through decode, validation and store-and-allocate."""

    lines: int = 0
    decode: float = 0.0
    validate: float = 0.0
    store: float = 0.0
    statements: int = 0
    compliance: dict[str, int] = field(default_factory=dict)
    peak: float | None = None  # bytes, under tracemalloc

    @property
    def total(self) -> float:
        return self.decode + self.validate + self.store


def ingest(product: Any, body: bytes) -> Ingest:
    """Decode, validate and submit `body` as the usage-report endpoint does; timed."""
    from django.db import connection

    from portal.api.http import parse_json
    from portal.earnings.services import usage_report_submit
    from portal.earnings.validation import usage_report_parse

    figures, counter = Ingest(), QueryCounter()
    with connection.execute_wrapper(counter):
        begin = time.perf_counter()
        data = parse_json(body)
        decoded = time.perf_counter()
        parsed = usage_report_parse(data)
        validated = time.perf_counter()
        submitted = usage_report_submit(product=product, parsed=parsed)
        stored = time.perf_counter()
    if not submitted.created:
        raise RuntimeError(f"report {parsed.reference!r} was already stored")
    figures.lines = submitted.lines
    figures.decode, figures.validate = decoded - begin, validated - decoded
    figures.store, figures.statements = stored - validated, counter.count
    return figures


def under_tracemalloc(run: Callable[[], Ingest]) -> Ingest:
    tracemalloc.start()
    try:
        figures = run()
        figures.peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return figures


def compliance_of(product: Any, reference: str) -> dict[str, int]:
    from django.db.models import Count

    from portal.earnings.models import Allocation

    return dict(
        Allocation.objects.filter(report__product=product, report__reference=reference)
        .values("compliance")
        .annotate(n=Count("pk"))
        .values_list("compliance", "n")
    )


# ------------------------------------------------------------------------------
# Ingest
# ------------------------------------------------------------------------------
@dataclass
class IngestFigures:
    works: int = 0
    timed: Ingest | None = None
    measured: Ingest | None = None


def ingest_lines(demo: Any) -> tuple[int, list[tuple[str, str, str]]]:
    """Up to INGEST_LINES (ISRC, use, credit): every work of the label for training, then
    for a second use if the label has fewer works than that."""
    works = credited(demo.label.works.all())[:INGEST_LINES]
    lines = [(isrc, use, credit) for use in INGEST_USES for isrc, credit in works]
    return len(works), lines[:INGEST_LINES]


def ingest_report(figures: IngestFigures, demo: Any) -> None:
    from django.utils import timezone

    # A period must have ended: the month up to yesterday.
    end = timezone.now().date() - timedelta(days=1)
    figures.works, lines = ingest_lines(demo)
    reference = f"bench-ingest-{time.time():.0f}"
    body = report_body(reference, end.replace(day=1), end, lines)
    figures.timed = ingest(demo.product, body)
    figures.timed.compliance = compliance_of(demo.product, reference)
    # The same lines again under another reference, for the peak memory alone.
    body = report_body(f"{reference}-memory", end.replace(day=1), end, lines)
    figures.measured = under_tracemalloc(partial(ingest, demo.product, body))


def measure_ingest(report: Any, demo: Any) -> None:
    figures = IngestFigures()
    try:
        ingest_report(figures, demo)
    finally:
        report.sections.append(ingest_section(figures))


# ------------------------------------------------------------------------------
# The earnings page
# ------------------------------------------------------------------------------
@dataclass
class PageFigures:
    works: int = 0
    flagged: int = 0
    setup: list[Wall] = field(default_factory=list)
    rows: list[tuple[Series, str]] = field(default_factory=list)
    export: Wall | None = None
    notes: list[str] = field(default_factory=list)


def first_works(demo: Any, count: int) -> Any:
    from django.db.models import Subquery

    return demo.artist.works.filter(
        pk__in=Subquery(demo.artist.works.order_by("pk").values("pk")[:count])
    )


def page_consents(demo: Any, timeline: Any) -> Wall:
    """Both sides' yes for PAGE_USAGE where nobody has answered, recorded as given the day
    after the demo's own answers, before the usage (`now=`, as consents are imported)."""
    from portal.consent.models import Answer, Decision, Side
    from portal.consent.services import decisions_set
    from portal.licensing.models import Product, UseType

    def run() -> str:
        given, changed = timeline.consents + timedelta(days=1), 0
        for slug, use, count in PAGE_USAGE:
            product, use_type = Product.objects.get(slug=slug), UseType.objects.get(slug=use)
            for actor, side in (
                (demo.manager, Side.RIGHTS_HOLDER),
                (demo.artist_user, Side.ARTIST),
            ):
                answered = Decision.objects.filter(product=product, use_type=use_type, side=side)
                changed += decisions_set(
                    actor=actor,
                    product=product,
                    use_type=use_type,
                    side=side,
                    answer=Answer.GRANTED,
                    works=first_works(demo, count).exclude(pk__in=answered.values("work_id")),
                    note="Benchmark: consents given before the usage",
                    now=given,
                ).changed
                given += timedelta(hours=1)
        return f"{changed:,} answers"

    return once("consents for the page's usage, dated before it", demo.works(), run)


def page_usage(demo: Any, timeline: Any) -> Wall:
    """A year of the artist's usage, permitted (PAGE_USAGE) and flagged (FLAGGED_USAGE):
    a report a month from each product, ingested."""
    from portal.licensing.models import Product

    usage = PAGE_USAGE + FLAGGED_USAGE

    def run() -> str:
        reports = lines = 0
        for slug in dict.fromkeys(slug for slug, _, _ in usage):
            product = Product.objects.get(slug=slug)
            chosen = [
                (isrc, use, credit)
                for product_slug, use, count in usage
                if product_slug == slug
                for isrc, credit in credited(first_works(demo, count))
            ]
            for month in timeline.months:
                end = (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
                body = report_body(f"bench-page-{month:%Y-%m}", month, end, chosen)
                lines += ingest(product, body).lines
                reports += 1
        return f"{reports} reports, {lines:,} lines"

    return once("usage for the page, ingested", demo.works(), run)


def flagged_lines(demo: Any) -> int:
    """The artist's flagged report lines, every month: what the page's held figures and
    its list of use without permission are read from."""
    from portal.earnings.models import Allocation, Compliance

    return int(
        Allocation.objects.filter(artist=demo.artist)
        .exclude(compliance=Compliance.PERMITTED)
        .count()
    )


def analyse() -> None:
    """Planner statistics for the rows just written, as a live database has them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def ok(name: str, response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{name} answered HTTP {response.status_code}, not 200")
    return response


def sort_links(page: bytes, address: str) -> dict[str, str]:
    """The page's own links that sort its table of works: sort value -> address."""
    found = {}
    for href in HREF.findall(page.decode()):
        link = urlsplit(urljoin(address, html.unescape(href)))
        sort = parse_qs(link.query).get("sort")
        if link.path == address and sort and "page" not in parse_qs(link.query):
            found[sort[0]] = f"{link.path}?{link.query}"
    return found


def earnings_pages(figures: PageFigures, demo: Any, client: Any) -> None:
    from django.urls import reverse

    address = reverse("artist_earnings", kwargs={"artist_id": demo.artist.pk})
    page = ok("the earnings page", client.get(address)).content
    cases = [("earnings page, last 12 months", address, "aim: p95 under 200 ms")]
    sorts = sort_links(page, address)
    if not sorts:
        figures.notes.append("the page has no link that sorts its works: not timed")
    for sort, target in sorted(sorts.items()):
        cases.append((f"earnings page, works by {sort}", target, "the page's own sort link"))
    for name, target, note in cases:
        series = requests(name, figures.works, lambda i, t=target: client.get(t), PAGE_SAMPLES)
        if series.statuses != {200}:
            raise RuntimeError(f"{name} answered HTTP {sorted(series.statuses)}, not 200")
        figures.rows.append((series, note))


def earnings_export(figures: PageFigures, demo: Any, client: Any) -> None:
    from django.urls import reverse

    address = reverse("artist_earnings_csv", kwargs={"artist_id": demo.artist.pk})

    def run() -> str:
        response = ok("the earnings CSV export", client.get(address))
        chunks = response.streaming_content if response.streaming else [response.content]
        lines = size = 0
        for chunk in chunks:
            lines += chunk.count(b"\n")
            size += len(chunk)
        return f"{max(lines - 1, 0):,} rows, {size / 1024:,.0f} KiB of CSV"

    figures.export = once("earnings export, CSV", figures.works, run)


def measure_page(report: Any, demo: Any) -> None:
    from benchmarks.run import client_for
    from portal.demo.history import Timeline

    figures, timeline = PageFigures(works=demo.works()), Timeline.ending_last_month()
    try:
        figures.setup.append(page_consents(demo, timeline))
        figures.setup.append(page_usage(demo, timeline))
        figures.flagged = flagged_lines(demo)
        analyse()
        client = client_for(demo.artist_user)
        earnings_pages(figures, demo, client)
        earnings_export(figures, demo, client)
    finally:
        report.sections.append(page_section(figures))


# ------------------------------------------------------------------------------
# The printed sections
# ------------------------------------------------------------------------------
def _aim(met: bool) -> str:
    return "met" if met else "MISSED"


def _mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def ingest_section(figures: IngestFigures) -> str:
    lines = ["", "Usage report ingest (tunesmith, one report, this month up to yesterday)"]
    timed, measured = figures.timed, figures.measured
    if timed is None:
        lines.append("  no figures (see the crash below)")
        return "\n".join(lines)
    rate = timed.lines / timed.total if timed.total else 0
    split = ", ".join(f"{n:,} {name}" for name, n in sorted(timed.compliance.items()))
    lines += [
        f"  report     {timed.lines:,} lines over {figures.works:,} works of the label ({split})",
        f"  {'step':<44}{'wall':>12}",
        f"  {'decode the JSON body (parse_json)':<44}{duration(timed.decode):>12}",
        f"  {'validate (usage_report_parse)':<44}{duration(timed.validate):>12}",
        f"  {'store, allocate, sum (usage_report_submit)':<44}{duration(timed.store):>12}",
        f"  {'in all':<44}{duration(timed.total):>12}  {rate:,.0f} lines/s, "
        f"{timed.statements:,} statements (COPY not counted)",
    ]
    aims = f"  aims: {_aim(timed.total < 30)} (under 30 s)"
    if measured is not None and measured.peak is not None:
        lines.append(
            f"  the same lines again under tracemalloc (slower): {duration(measured.total)}, "
            f"peak {_mib(measured.peak)} allocated"
        )
        aims += f", {_aim(measured.peak < 500 * 2**20)} (peak under 500 MB)"
    lines.append(aims)
    return "\n".join(lines)


def page_section(figures: PageFigures) -> str:
    usage = ", ".join(
        f"{slug} {use} for up to {n:,} works" for slug, use, n in PAGE_USAGE + FLAGGED_USAGE
    )
    lines = [
        "",
        f"Artist earnings page ({figures.works:,} works; a report a month for a year: "
        f"{usage}; echovox the demo's, up to its suspension)",
        f"  flagged    {figures.flagged:,} of the artist's report lines (the issue's scale: "
        f"{FLAGGED_WANTED:,}{'' if figures.flagged >= FLAGGED_WANTED else '; fewer here'})",
    ]
    for wall in figures.setup:
        lines.append(f"  set-up     {wall.name}: {wall.note} in {duration(wall.seconds)}")
    if figures.rows:
        lines.append(
            f"  {'request':<44}{'n':>4}{'median':>11}{'p95':>11}{'queries':>9}{'KiB':>8}  note"
        )
    for series, note in figures.rows:
        lines.append(
            f"  {series.name:<44}{len(series.seconds):>4}{ms(series.median):>11}"
            f"{ms(series.p95):>11}{series.query_range:>9}{series.size / 1024:>8,.0f}  {note}"
        )
    if figures.export is not None:
        export = figures.export
        lines.append(
            f"  {export.name:<44}{'1':>4}{duration(export.seconds):>11}{'':>11}"
            f"{export.queries:>9}{'':>8}  {export.note}"
        )
    if figures.rows:
        page = figures.rows[0][0]
        lines.append(f"  earnings page p95 {ms(page.p95)} ({_aim(page.p95 < 0.2)}: under 200 ms)")
    if not figures.rows:
        lines.append("  no page figures (see the crash below)")
    lines += [f"  note: {note}" for note in figures.notes]
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks.api import standalone
    from benchmarks.run import LABEL_SCALE, LARGE_SCALE

    sys.exit(standalone(measure_page, measure_ingest, scales=(LARGE_SCALE, LABEL_SCALE)))
