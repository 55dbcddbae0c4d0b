"""The scenarios and the printed report.

Everything runs in this process: the test client goes through the whole middleware stack,
views and templates, without a network or a server in between, so the figures are server
time. A view that does not exist yet is reported as skipped; a crash is reported and makes
the exit status non-zero, but the other scenarios still run.
"""

import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from benchmarks import api as api_stage
from benchmarks import delivery as delivery_stage
from benchmarks import earnings as earnings_stage
from benchmarks import imports as imports_stage
from benchmarks import label as label_scale
from benchmarks import load as load_stage
from benchmarks import manifests as manifests_stage
from benchmarks import million as million_stage
from benchmarks import roster as roster_stage
from benchmarks import snapshot as snapshot_stage
from benchmarks.database import fresh_database, prepare_environment
from benchmarks.measure import Series, Wall, duration, ms, once, requests

PASSWORD = "bench-only-password"
SMALL_SCALE = 1
LARGE_SCALE = 500
# Two roster artists at 20 works x 2,500: a label holding 100,000 works.
LABEL_SCALE = 2500
# The label home and roster at the end, with the label topped up by COPY to this many
# works; BENCH_LABEL_WORKS=1000000 for a label of a million (about five more minutes).
LABEL_WORKS = int(os.environ.get("BENCH_LABEL_WORKS") or 250_000)
SEARCH = "moon"
PRODUCT = "tunesmith"
USE = "training"


@dataclass
class Report:
    database: str = ""
    setup: list[Wall] = field(default_factory=list)
    series: dict[str, Series] = field(default_factory=dict)
    writes: list[Wall] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # Whole printed sections (benchmarks.api, benchmarks.delivery), in order.
    sections: list[str] = field(default_factory=list)

    def attempt(self, what: str, scenario: Callable[[], None]) -> None:
        """Run one scenario; a crash is recorded and the rest of the bench goes on."""
        try:
            scenario()
        except Exception:
            self.failures.append(f"{what}:\n{traceback.format_exc()}")
            print(f"  ! {what} crashed; continuing", file=sys.stderr)


def url(report: Report, name: str, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        note = f"skipped: no URL named {name!r} with {sorted(kwargs)} yet"
        if note not in report.notes:
            report.notes.append(note)
        return None


# ------------------------------------------------------------------------------
# The world
# ------------------------------------------------------------------------------
@dataclass
class Demo:
    """The demo logins and parties the scenarios act as."""

    artist_user: Any
    artist: Any
    manager: Any
    label: Any
    product: Any
    use_type: Any

    @classmethod
    def load(cls) -> "Demo":
        from portal.accounts.models import User
        from portal.catalogue.models import Artist, Label
        from portal.licensing.models import Product, UseType

        artist_user = User.objects.get(email="artist@demo.test")
        manager = User.objects.get(email="manager@demo.test")
        return cls(
            artist_user=artist_user,
            artist=Artist.objects.get(artistmembership__user=artist_user),
            manager=manager,
            label=Label.objects.get(labelmanager__user=manager),
            product=Product.objects.get(slug=PRODUCT),
            use_type=UseType.objects.get(slug=USE),
        )

    def works(self) -> int:
        return int(self.artist.works.count())


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def seed(report: Report, scale: int) -> None:
    from django.core.management import call_command

    def run() -> str:
        call_command("seed_demo", password=PASSWORD, scale=scale, stdout=StringIO())
        from portal.catalogue.models import Work

        return f"{20 * scale:,} works per artist, {Work.objects.count():,} in all"

    report.setup.append(once(f"seed_demo --scale {scale}", 20 * scale, run))
    # A live database has planner statistics; a freshly seeded one has none until
    # autovacuum gets round to it, and would be measured with plans no site runs.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# ------------------------------------------------------------------------------
# Scenarios
# ------------------------------------------------------------------------------
def rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def matrix_pages(report: Report, demo: Demo, size: str) -> None:
    """The product matrix as the artist sees it: page 1, a search, a filter, the last page."""
    address = url(report, "matrix", kind="artists", party_id=demo.artist.pk, product_slug=PRODUCT)
    if address is None:
        return
    from django.conf import settings

    client, works = client_for(demo.artist_user), demo.works()
    size_of_page = settings.PORTAL_PAGE_SIZE
    last_page = max(1, -(-works // size_of_page))
    matches = demo.artist.works.filter(title__icontains=SEARCH).count()
    cases = [
        ("page1", f"page 1 ({rows(min(works, size_of_page))})", {}),
        ("search", f'search "{SEARCH}" ({rows(min(matches, size_of_page))})', {"q": SEARCH}),
    ]
    if size == "large":
        cases += [
            ("waiting", "waiting for you", {"state": "waiting"}),
            ("last", f"last page ({last_page})", {"page": last_page}),
        ]
    for case, label, params in cases:
        report.series[f"matrix {case} [{size}]"] = requests(
            f"matrix, artist, {label}", works, lambda i, p=params: client.get(address, p)
        )


def label_matrix(report: Report, demo: Demo) -> None:
    address = url(report, "matrix", kind="labels", party_id=demo.label.pk, product_slug=PRODUCT)
    if address is None:
        return
    client = client_for(demo.manager)
    works = demo.label.works.count()
    report.series["label matrix"] = requests(
        "matrix, label manager, page 1", works, lambda i: client.get(address)
    )


def toggles(report: Report, demo: Demo, size: str) -> None:
    """One decision at a time, as the htmx cell sends it: yes, no, yes... for one work."""
    from portal.consent.models import Answer, Decision, Side

    work = demo.artist.works.order_by("title", "pk").first()
    address = url(
        report,
        "decide",
        kind="artists",
        party_id=demo.artist.pk,
        product_slug=PRODUCT,
        work_id=work.pk,
    )
    if address is None:
        return
    current = (
        Decision.objects.filter(
            product=demo.product, use_type=demo.use_type, side=Side.ARTIST, work=work
        )
        .values_list("answer", flat=True)
        .first()
    )
    # Start with the opposite of the current answer, so every request changes something.
    answers = (
        [Answer.DENIED, Answer.GRANTED]
        if current == Answer.GRANTED
        else [Answer.GRANTED, Answer.DENIED]
    )
    client = client_for(demo.artist_user)

    def send(i: int) -> Any:
        return client.post(
            address, {"use": USE, "answer": answers[i % 2]}, headers={"HX-Request": "true"}
        )

    report.series[f"toggle [{size}]"] = requests(
        "decide one work (htmx), yes/no alternating", demo.works(), send
    )


def bulk_preview(report: Report, demo: Demo) -> None:
    address = url(report, "bulk", kind="artists", party_id=demo.artist.pk, product_slug=PRODUCT)
    if address is None:
        return
    client = client_for(demo.artist_user)
    report.series["bulk preview"] = requests(
        "bulk preview (counts, nothing written)",
        demo.works(),
        lambda i: client.post(address, {"use": USE, "answer": "granted", "scope": "all"}),
        samples=10,
    )


def answered(demo: Demo, answer: str) -> int:
    from portal.consent.models import Decision, Side

    return int(
        Decision.objects.filter(
            product=demo.product,
            use_type=demo.use_type,
            side=Side.ARTIST,
            answer=answer,
            work__primary_artist=demo.artist,
        ).count()
    )


def bulk_actions(report: Report, demo: Demo) -> None:
    """The artist's "grant training for all works", then back to "no" for all."""
    address = url(report, "bulk", kind="artists", party_id=demo.artist.pk, product_slug=PRODUCT)
    if address is None:
        return
    client, works = client_for(demo.artist_user), demo.works()
    for answer in ("granted", "denied"):
        before = answered(demo, answer)

        def run(answer: str = answer, before: int = before) -> str:
            response = client.post(
                address, {"use": USE, "answer": answer, "scope": "all", "confirm": "yes"}
            )
            changed = answered(demo, answer) - before
            status = "" if response.status_code in (200, 302) else f"HTTP {response.status_code}, "
            return f"{status}{changed:,} answers changed"

        verb = "yes" if answer == "granted" else "no"
        report.writes.append(once(f"bulk view: {USE} {verb} for all works", works, run))


def service_calls(report: Report, demo: Demo) -> None:
    """decisions_set itself for the whole catalogue, without the view around it."""
    from portal.consent.models import Answer, Side
    from portal.consent.services import decisions_set

    works = demo.works()
    for answer in (Answer.GRANTED, Answer.DENIED):

        def run(answer: str = answer) -> str:
            outcome = decisions_set(
                actor=demo.artist_user,
                product=demo.product,
                use_type=demo.use_type,
                side=Side.ARTIST,
                answer=answer,
                works=demo.artist.works.all(),
            )
            return f"{outcome.changed:,} changed, {outcome.flipped:,} permissions flipped"

        verb = "yes" if answer == Answer.GRANTED else "no"
        report.writes.append(once(f"decisions_set: {USE} {verb}, all works", works, run))


def ledger_check(report: Report) -> None:
    from portal.consent import ledger
    from portal.consent.models import LedgerEntry

    entries = LedgerEntry.objects.count()

    def run() -> str:
        checked, broken = ledger.verify()
        return f"{checked:,} entries verify" if broken is None else f"BROKEN: {broken}"

    report.writes.append(once("ledger.verify(), whole chain", entries, run))


# ------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------
def _row(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    return (
        "  "
        + first.ljust(widths[0])
        + "".join(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))
    )


def _statuses(series: Series) -> str:
    return ",".join(str(s) for s in sorted(series.statuses))


def print_report(report: Report, total: float) -> None:
    import django

    print()
    print("Consent Portal benchmarks (server time, in-process through django.test.Client)")
    print(f"  database  {report.database}")
    print(
        f"  runtime   Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )

    print("\nSet-up")
    widths = [44, 8, 12, 10]
    print(_row(["step", "per artist", "wall", "queries"], widths) + "  note")
    for wall in report.setup:
        queries = f"{wall.queries:,}" if wall.queries >= 0 else "-"
        cells = [
            wall.name,
            f"{wall.works:,}" if wall.works else "-",
            duration(wall.seconds),
            queries,
        ]
        print(_row(cells, widths) + f"  {wall.note}")

    if report.series:
        print("\nRequests, product matrix and decisions (tunesmith)")
        widths = [44, 8, 4, 11, 11, 9, 8, 9]
        header = ["request", "works", "n", "median", "p95", "queries", "status", "KiB"]
        print(_row(header, widths))
        for series in report.series.values():
            cells = [
                series.name,
                f"{series.works:,}",
                str(len(series.seconds)),
                ms(series.median),
                ms(series.p95),
                series.query_range,
                _statuses(series),
                f"{series.size / 1024:,.0f}",
            ]
            print(_row(cells, widths))

    if report.writes:
        print("\nWhole-catalogue writes and checks (one run each)")
        widths = [44, 8, 12, 10, 14]
        print(_row(["operation", "works", "wall", "queries", "per 1k works"], widths) + "  note")
        for wall in report.writes:
            per_k = duration(wall.seconds / wall.works * 1000) if wall.works else "-"
            cells = [
                wall.name,
                f"{wall.works:,}",
                duration(wall.seconds),
                f"{wall.queries:,}",
                per_k,
            ]
            print(_row(cells, widths) + f"  {wall.note}")

    ratios = []
    for key, what in (
        ("matrix page1", "matrix page 1"),
        ("matrix search", "matrix search"),
        ("toggle", "one decision"),
    ):
        small, large = f"{key} [small]", f"{key} [large]"
        if small in report.series and large in report.series:
            s, g = report.series[small], report.series[large]
            flat = "same" if max(g.queries) <= max(s.queries) else "GROWS"
            ratios.append(
                f"  {what:<16} {s.works:,} -> {g.works:,} works: median x{g.median / s.median:.2f}"
                f", p95 x{g.p95 / s.p95:.2f}; queries {s.query_range} -> {g.query_range} ({flat})"
            )
    if ratios:
        print("\nHow it scales (large catalogue / small catalogue)")
        print("\n".join(ratios))

    for section in report.sections:
        print(section)

    for note in report.notes:
        print(f"\nNote: {note}")
    print(f"\nTotal {total:.0f} s. Figures only: nothing here fails on speed.")
    if report.failures:
        print(f"\n{len(report.failures)} scenario(s) crashed:", file=sys.stderr)
        for failure in report.failures:
            print(failure, file=sys.stderr)


def main() -> int:
    started = time.perf_counter()
    tmpdir = prepare_environment()
    import django

    django.setup()
    report = Report()
    print("Preparing a fresh database...", file=sys.stderr)
    begin = time.perf_counter()
    with fresh_database(tmpdir) as database:
        report.database = database.description
        report.setup.append(
            Wall("create and migrate a fresh database", 0, time.perf_counter() - begin, -1)
        )
        print(f"Seeding {SMALL_SCALE * 20} works per artist...", file=sys.stderr)
        seed(report, SMALL_SCALE)
        small = Demo.load()
        report.attempt("matrix, small", lambda: matrix_pages(report, small, "small"))
        report.attempt("toggle, small", lambda: toggles(report, small, "small"))

        print(f"Seeding {LARGE_SCALE * 20:,} works per artist...", file=sys.stderr)
        seed(report, LARGE_SCALE)
        large = Demo.load()
        print("Measuring the large catalogue...", file=sys.stderr)
        report.attempt("matrix, large", lambda: matrix_pages(report, large, "large"))
        report.attempt("label matrix", lambda: label_matrix(report, large))
        report.attempt("toggle, large", lambda: toggles(report, large, "large"))
        report.attempt("bulk preview", lambda: bulk_preview(report, large))
        report.attempt("bulk actions", lambda: bulk_actions(report, large))
        report.attempt("decisions_set", lambda: service_calls(report, large))
        report.attempt("ledger", lambda: ledger_check(report))
        print("Measuring the earnings page (12 months of usage)...", file=sys.stderr)
        report.attempt("earnings page", lambda: earnings_stage.measure_page(report, large))

        print(
            f"Seeding {LABEL_SCALE * 20:,} works per artist (a label of 100,000)...",
            file=sys.stderr,
        )
        seed(report, LABEL_SCALE)
        print("Measuring the label...", file=sys.stderr)
        label_scale.measure(report, Demo.load(), client_for)
        report.attempt("roster page", lambda: roster_stage.measure(report, Demo.load(), client_for))
        print("Measuring the machine API (gunicorn, wrk)...", file=sys.stderr)
        report.attempt("machine API", lambda: api_stage.measure(report, Demo.load()))
        print("Measuring webhook delivery (Celery worker, receiver)...", file=sys.stderr)
        report.attempt("webhook delivery", lambda: delivery_stage.measure(report, Demo.load()))
        print("Measuring a usage report of 100,000 lines...", file=sys.stderr)
        report.attempt("usage ingest", lambda: earnings_stage.measure_ingest(report, Demo.load()))
        print(
            "Measuring 50 artists at once for 60 s (gunicorn, worker, receiver)...", file=sys.stderr
        )
        report.attempt("load", lambda: load_stage.measure(report, Demo.load()))
        print("Measuring a training manifest of the label's works...", file=sys.stderr)
        report.attempt("training manifest", lambda: manifests_stage.measure(report, Demo.load()))
        print(
            f"Measuring catalogue imports ({imports_stage.recordings_wanted():,} recordings)...",
            file=sys.stderr,
        )
        report.attempt("catalogue imports", lambda: imports_stage.run_section(report))
        print(
            f"Measuring the label home and roster at {LABEL_WORKS:,} works (BENCH_LABEL_WORKS)...",
            file=sys.stderr,
        )
        report.attempt("label at scale", lambda: million_stage.measure(report, LABEL_WORKS))
        print(
            f"Measuring the permissions snapshot of {snapshot_stage.PAIRS:,} more pairs "
            "(SNAPSHOT_PAIRS)...",
            file=sys.stderr,
        )
        report.attempt("snapshot", lambda: snapshot_stage.measure(report, Demo.load()))
    print_report(report, time.perf_counter() - started)
    return 1 if report.failures else 0
