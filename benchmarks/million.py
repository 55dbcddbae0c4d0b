"""A label of a million works: the roster, the catalogue and its answers, filled fast.

`million_fill` tops up the demo world (`seed_demo --scale 1`: its logins, the three
products asking for five uses, the licences) with ~300 more artists on Northern Lights
Records and enough works to make the label hold `works` (1,000,000 by default), written
by COPY in chunks rather than through the write path, which would take an hour. The
answers follow what opt-in looks like: most (work, use) cells unanswered; artists vary
from silent to engaged; of their answers most are yes, some no, a few yes with an expiry
(some already past); the label answered fewer cells, mostly where the artist said yes.
Effective permissions are judged by the portal's own rule (`consent.facts.verdicts_for`)
and announced as they would have been (`AnnouncedPermission`, one `PermissionChange`
each, numbered after the product's counter). The ledger is left alone: these answers
stand for consents given before the portal, as an import of history would, and the chain
still verifies.

Deterministic for a given size (a seeded generator). Alone, on the bench database:

    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.million [WORKS]

fills a fresh database and prints what it made, then the label home's, the roster view's
and the product page's figures (median, p95, queries), each p95 against its aim. `make
bench` runs `measure` at the end, at BENCH_LABEL_WORKS (250,000 by default; 1000000 for
the figures the issue asks for).
"""

import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import StringIO
from itertools import islice
from types import SimpleNamespace
from typing import Any

MILLION = 1_000_000
ARTISTS = 300
PASSWORD = "bench-only-password"
LABEL = "Northern Lights Records"
MANAGER = "manager@demo.test"
CHUNK = 50_000
TRACKS_PER_RELEASE = 10
SEED = 20261207

FIRST = (
    "Ada", "Bo", "Cleo", "Dev", "Esme", "Finn", "Gia", "Hugo", "Iris", "Jude", "Kai",
    "Lena", "Milo", "Nora", "Otis", "Pia", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Vic",
    "Wren", "Xavi", "Yara", "Zed",
)  # fmt: skip
LAST = (
    "Abbott", "Baptiste", "Calloway", "Dimitrov", "Eze", "Fontaine", "Greer", "Haddad",
    "Ito", "Jansen", "Kowalski", "Lindqvist", "Mbeki", "Novak", "Okafor", "Park",
)  # fmt: skip
WORDS = (
    "Midnight", "Paper", "Golden", "Silver", "Quiet", "Electric", "Hollow", "Velvet",
    "Moon", "Harbour", "Rivers", "Light", "Highway", "Letters", "Garden", "Satellite",
    "Morning", "Echo", "Lanterns", "Shoreline", "Heart", "Window", "Station", "Tide",
)  # fmt: skip


@dataclass
class Million:
    """What the fill made, and whom the scenarios act as."""

    label: Any
    manager: Any
    products: list[Any]
    works: int
    artists: int
    decisions: int
    permitted: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.works:,} works across {self.artists:,} artists, {self.decisions:,} "
            f"answers, {self.permitted:,} cells permitted, in {self.seconds:,.0f} s"
        )


def _sequence_past(model: Any) -> int:
    """Reserve ids past the table's largest, so rows can be COPYed with their ids."""
    from django.db.models import Max

    top = model.objects.aggregate(top=Max("pk"))["top"] or 0
    return int(top)


def _sequence_reset(*models: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


def _shares(rng: random.Random, artists: int, total: int) -> list[int]:
    """Works per artist, skewed as rosters are: a few big catalogues, many small ones."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(artists)]
    rng.shuffle(weights)
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    counts[0] += total - sum(counts)
    return counts


def _artists_make(rng: random.Random, label: Any, count: int) -> list[tuple[int, float]]:
    """The roster's new artists, with how engaged each is (the share of cells they answer)."""
    from portal.catalogue.models import Artist

    pairs = len(FIRST) * len(LAST)
    names = [
        f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]}"
        + (f" {i // pairs + 1}" if i >= pairs else "")
        for i in range(count)
    ]
    made = Artist.objects.bulk_create(
        [Artist(name=name, label=label) for name in names], batch_size=1000
    )
    return [(artist.pk, min(0.9, rng.betavariate(0.8, 1.8))) for artist in made]


def _cells(
    rng: random.Random, engagement: float, now: datetime
) -> tuple[tuple[str, datetime | None] | None, tuple[str, datetime | None] | None]:
    """One (work, use) cell's answers: (artist side, label side), each (answer, expiry)."""
    from portal.consent.models import Answer

    artist: tuple[str, datetime | None] | None = None
    if rng.random() < engagement:
        if rng.random() < 0.85:
            roll = rng.random()
            expiry = None
            if roll < 0.02:
                expiry = now - timedelta(days=rng.randint(1, 200))
            elif roll < 0.05:
                expiry = now + timedelta(days=rng.randint(30, 700))
            artist = (Answer.GRANTED, expiry)
        else:
            artist = (Answer.DENIED, None)
    if artist is None:
        odds, yes = 0.04, 0.6
    elif artist[0] == Answer.GRANTED:
        odds, yes = 0.45, 0.95
    else:
        odds, yes = 0.2, 0.3
    label: tuple[str, datetime | None] | None = None
    if rng.random() < odds:
        label = (Answer.GRANTED if rng.random() < yes else Answer.DENIED, None)
    return artist, label


def _plan(counts: list[int], artists: list[tuple[int, float]]) -> Iterator[tuple[int, float, int]]:
    """(artist id, engagement, index within the artist's catalogue) for every new work."""
    for (artist_id, engagement), count in zip(artists, counts, strict=True):
        for index in range(count):
            yield artist_id, engagement, index


def million_fill(*, works: int = MILLION, artists: int = ARTISTS) -> Million:
    """Make the demo label hold `works` works across the demo's and `artists` more artists,
    with answers and announced permissions; VACUUM ANALYZE afterwards. For a fresh database."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.catalogue.models import Label, Release, Track, Work
    from portal.consent.bulk import insert_rows
    from portal.consent.facts import Answers, verdicts_for
    from portal.consent.models import (
        AnnouncedPermission,
        Cause,
        ChangeCounter,
        Decision,
        PermissionChange,
        Side,
    )
    from portal.consent.rules import SideAnswer
    from portal.consent.services.tallies import tallies_rewrite
    from portal.licensing.models import Product

    started = time.perf_counter()
    call_command("seed_demo", password=PASSWORD, scale=1, stdout=StringIO())
    label = Label.objects.get(name=LABEL)
    manager = User.objects.get(email=MANAGER)
    products = list(
        Product.objects.filter(licensee__licences__label=label)
        .distinct()
        .prefetch_related("uses")
        .order_by("pk")
    )
    rng = random.Random(SEED)
    now = timezone.now()
    wanted = max(0, works - label.works.count())
    decisions = permitted = 0
    with transaction.atomic():
        roster = _artists_make(rng, label, artists)
        counts = _shares(rng, artists, wanted) if wanted else [0] * artists
        counters = {
            product.pk: ChangeCounter.objects.get_or_create(product=product)[0]
            for product in products
        }
        work_id = _sequence_past(Work)
        release_id = _sequence_past(Release)
        serial = 0
        plan = _plan(counts, roster)
        # A release's tracks may straddle two chunks; its title and date carry over.
        release_title, released = "", date(1995, 1, 1)
        while chunk := list(islice(plan, CHUNK)):
            work_rows, release_rows, track_rows = [], [], []
            pairs: list[tuple[int, int]] = []
            engagements: dict[int, float] = {}
            for artist_id, engagement, index in chunk:
                work_id += 1
                serial += 1
                if index % TRACKS_PER_RELEASE == 0:
                    release_id += 1
                    released = date(1995, 1, 1) + timedelta(days=rng.randint(0, 365 * 30))
                    release_title = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
                    release_rows.append(
                        {
                            "id": release_id,
                            "label_id": label.pk,
                            "title": release_title,
                            "release_date": released,
                            "withdrawn_at": None,
                        }
                    )
                work_rows.append(
                    {
                        "id": work_id,
                        "isrc": f"QZM{serial // 10**7:02d}{serial % 10**7:07d}",
                        "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {index + 1}",
                        "primary_artist_id": artist_id,
                        "label_id": label.pk,
                        "iswc": "",
                        "release_title": release_title,
                        "release_date": released,
                        "duration": timedelta(seconds=rng.randint(120, 360)),
                        "p_line_year": released.year,
                        "withdrawn_at": None,
                        "import_digest": "",
                    }
                )
                track_rows.append(
                    {
                        "release_id": release_id,
                        "work_id": work_id,
                        "disc": 1,
                        "number": index % TRACKS_PER_RELEASE + 1,
                    }
                )
                pairs.append((work_id, label.pk))
                engagements[work_id] = engagement
            insert_rows(Release, release_rows)
            insert_rows(Work, work_rows)
            insert_rows(Track, track_rows)
            for product in products:
                decision_rows, announced_rows, change_rows = [], [], []
                for use in product.uses.all():
                    answers: Answers = {}
                    judged: list[tuple[int, int]] = []
                    for wid, _ in pairs:
                        artist_answer, label_answer = _cells(rng, engagements[wid], now)
                        for side, given, actor in (
                            (Side.ARTIST, artist_answer, None),
                            (Side.RIGHTS_HOLDER, label_answer, manager.pk),
                        ):
                            if given is None:
                                continue
                            answers[(wid, use.use_type_id, side)] = SideAnswer(*given)
                            decision_rows.append(
                                {
                                    "product_id": product.pk,
                                    "work_id": wid,
                                    "use_type_id": use.use_type_id,
                                    "side": side,
                                    "answer": given[0],
                                    "expires_at": given[1],
                                    "decided_by_id": actor,
                                    "decided_at": now - timedelta(days=rng.randint(1, 300)),
                                }
                            )
                        # Only a cell both sides answered can be permitted.
                        if artist_answer and label_answer:
                            judged.append((wid, label.pk))
                    verdicts = verdicts_for(
                        product=product,
                        works=judged,
                        use_type_ids=[use.use_type_id],
                        now=now,
                        answers=answers,
                        withdrawn=(),
                        disputed=(),
                    )
                    counter = counters[product.pk]
                    for (wid, use_id), verdict in verdicts.items():
                        if not verdict.permitted:
                            continue
                        counter.last += 1
                        announced_rows.append(
                            {
                                "product_id": product.pk,
                                "work_id": wid,
                                "use_type_id": use_id,
                                "permitted": True,
                                "reasons": [],
                                "lapses_at": verdict.lapses_at,
                            }
                        )
                        change_rows.append(
                            {
                                "product_id": product.pk,
                                "seq": counter.last,
                                "work_id": wid,
                                "use_type_id": use_id,
                                "permitted": True,
                                "reasons": [],
                                "cause": Cause.DECISION,
                                "at": now,
                            }
                        )
                insert_rows(Decision, decision_rows)
                insert_rows(AnnouncedPermission, announced_rows)
                insert_rows(PermissionChange, change_rows)
                decisions += len(decision_rows)
                permitted += len(announced_rows)
            print(f"  {serial:,} of {wanted:,} works", file=sys.stderr)
        for counter in counters.values():
            ChangeCounter.objects.filter(pk=counter.pk).update(last=counter.last)
        _sequence_reset(Work, Release)
    # The works and answers came in past the write path: count them once, as
    # `verify_tallies --repair` would.
    tallies_rewrite(label_id=label.pk)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone looks: statistics, and the
        # visibility map that lets the pages' index-only scans skip the table. Measured
        # straight after the fill without it, a page is slower by half while autovacuum
        # runs beside it. (VACUUM cannot run inside a transaction.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
    return Million(
        label=label,
        manager=manager,
        products=products,
        works=label.works.count(),
        artists=label.roster.count(),
        decisions=decisions,
        permitted=permitted,
        seconds=time.perf_counter() - started,
    )


def aims_section(report: Any, key: str, works: int, pages: list[str]) -> str:
    """The label's pages at this size, each p95 against its aim, in words to quote."""
    from benchmarks.label import LABEL_HOME_AIM, ROSTER_AIM
    from benchmarks.measure import ms, p95_against

    lines = ["", f"The label at {works:,} works (BENCH_LABEL_WORKS), each p95 against its aim:"]
    for name, aim in (
        (f"label home {key}", LABEL_HOME_AIM),
        *((f"roster {key} {case}", ROSTER_AIM) for case in ("page1", "search", "last")),
    ):
        if (series := report.series.get(name)) is not None:
            lines.append(
                f"  {series.name:<45} median {ms(series.median):>10}, {series.query_range} "
                f"queries, {p95_against(series, aim)}"
            )
    return "\n".join(lines + pages)


def measure(report: Any, works: int) -> None:
    """Top the bench's demo label up to `works` works (BENCH_LABEL_WORKS), then the label
    home and the roster view, as `benchmarks.label` measures them, and the label's product
    page under each filter, as `benchmarks.roster` does; each p95 against its aim."""
    from django.test import Client

    from benchmarks import label as label_stage
    from benchmarks.measure import Wall
    from benchmarks.roster import page_figures

    made = million_fill(works=works)
    report.setup.append(
        Wall("million_fill (COPY, then tallies)", 0, made.seconds, -1, made.summary())
    )
    demo = SimpleNamespace(label=made.label)
    client: Any = Client()
    client.force_login(made.manager)
    key = f"[{made.works:,}]"
    report.attempt(
        "label home, large",
        lambda: label_stage.label_home(report, demo, client, f"label home {key}"),
    )
    report.attempt(
        "roster, large", lambda: label_stage.roster(report, demo, client, f"roster {key}")
    )
    pages: list[str] = []
    report.attempt(
        "product page, large",
        lambda: pages.extend(page_figures(made.label, client, made.works)),
    )
    report.sections.append(aims_section(report, key, made.works, pages))


def main() -> int:
    """Fill a fresh database to WORKS (argument, default 1,000,000), then measure."""
    from benchmarks.database import fresh_database, prepare_environment
    from benchmarks.measure import series_line
    from benchmarks.run import Report

    size = int(sys.argv[1]) if len(sys.argv) > 1 else MILLION
    tmpdir = prepare_environment()
    import django

    django.setup()
    report = Report()
    with fresh_database(tmpdir) as database:
        print(f"Filling {size:,} works ({database.description})...", file=sys.stderr)
        measure(report, size)
    for wall in report.setup:
        print(f"{wall.name}: {wall.note}")
    for series in report.series.values():
        print(series_line(series))
    for section in report.sections:
        print(section)
    for failure in report.failures:
        print(failure, file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
