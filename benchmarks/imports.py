"""Catalogue imports at a major label's scale: a million recordings in, the same million
again (nothing changed), and a 20-track album withdrawn from that catalogue with its
permission changes delivered to a webhook receiver.

- Import: RECORDINGS recordings (400 per BENCH_SCALE unit: 1,000,000 at the default
  2,500) as one CSV in the documented header, 20 recordings per release, through
  `import_run` as `import_catalogue` runs it. Aim: under 10 minutes, peak RSS of the
  process under 500 MB.
- Re-import of the same file, nothing changed. Aim: under 3 minutes.
- Withdrawal: both sides grant one album's 20 works to a product with a webhook; a
  take-down of the album is imported and its 20 changes delivered to a receiver on
  loopback. Aim: under 2 seconds from the import's start to the receiver's last receipt.

While the readers (`portal.imports.formats`) are not there, the recordings are handed to
the writer as the CSV reader would yield them, so the figures are the writer's alone;
the report says which. Figures only: nothing here fails on speed.

Alone: `BENCH_SCALE=250 DATABASE_URL=postgres://... python -m benchmarks.imports`
(250 is 100,000 recordings).
"""

import csv
import io
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from benchmarks.measure import duration

PER_SCALE = 400
ALBUM = 20
HEADER = "isrc,title,artist,artist_isni,release,release_date,iswc,duration,contributors"


def recordings_wanted() -> int:
    return PER_SCALE * int(os.environ.get("BENCH_SCALE") or 2500)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _isrc(n: int) -> str:
    return f"QZBEN{n:07d}"


def _row(n: int) -> list[str]:
    album = n // ALBUM
    return [
        _isrc(n),
        f"Song {n}",
        f"Bench Artist {album % 5000}",
        "",
        f"Album {album}",
        (date(2000, 1, 1) + timedelta(days=album % 9000)).isoformat(),
        "",
        f"{3 + n % 3}:{n % 60:02d}",
        f"composer:Writer {n % 997}|producer:Producer {n % 313}",
    ]


def csv_write(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        out.write(HEADER + "\n")
        for n in range(count):
            writer.writerow(_row(n))


def items_of(count: int) -> Iterator[Any]:
    """What the CSV reader yields for `csv_write`'s file: each album's rows, then it."""
    from portal.imports.records import Person, Recording, Release, Role, Track

    tracks: list[Track] = []
    for n in range(count):
        isrc, title, artist, _, release, day, _, length, _ = _row(n)
        minutes, seconds = length.split(":")
        yield Recording(
            where=f"row {n + 2}",
            isrc=isrc,
            title=title,
            artists=(Person(artist),),
            contributors=(
                Person(f"Writer {n % 997}", role=Role.COMPOSER),
                Person(f"Producer {n % 313}", role=Role.PRODUCER),
            ),
            duration=timedelta(minutes=int(minutes), seconds=int(seconds)),
        )
        tracks.append(Track(isrc, 1, len(tracks) + 1))
        if len(tracks) == ALBUM or n == count - 1:
            yield Release(
                where=f"row {n + 2}",
                title=release,
                release_date=date.fromisoformat(day),
                tracks=tuple(tracks),
            )
            tracks = []


def readers_ready() -> bool:
    from portal.imports import formats

    return hasattr(formats, "read")


@dataclass
class Figures:
    recordings: int
    source: str = ""
    runs: list[tuple[str, float, float, str]] = field(default_factory=list)  # name, s, MiB, note


def import_once(label: Any, path: Path, count: int) -> Any:
    from portal.imports.models import CatalogueImport, ImportFile
    from portal.imports.services.run import import_run

    catalogue_import = CatalogueImport.objects.create(
        label=label, source=CatalogueImport.Source.COMMAND
    )
    ImportFile.objects.create(
        catalogue_import=catalogue_import, name=str(path), size=path.stat().st_size
    )
    if readers_ready():
        return import_run(
            catalogue_import=catalogue_import,
            open_file=lambda f: open(f.name, "rb"),
        )

    def read(stream: BinaryIO, *, name: str = "") -> Iterator[Any]:
        return items_of(count)

    return import_run(
        catalogue_import=catalogue_import,
        open_file=lambda f: nullcontext(io.BytesIO()),
        read=read,
    )


def timed(figures: Figures, name: str, run: Any) -> Any:
    print(f"  {name}...", file=sys.stderr)
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    figures.runs.append(
        (name, seconds, peak_rss_mib(), f"{figures.recordings / seconds:,.0f} rows/s")
    )
    return result


def withdrawal(figures: Figures, label: Any) -> None:
    """Grant one album both ways for a product with a webhook; then time its take-down's
    import and the delivery of its 20 changes to a receiver."""
    from portal.catalogue.models import Release, ReleaseIdentifier, Work
    from portal.consent.models import Answer, Side
    from portal.consent.services import decisions_set
    from portal.delivery.receiver import Receiver
    from portal.delivery.services import deliveries_send_due, endpoint_create
    from portal.imports.models import CatalogueImport, ImportFile
    from portal.imports.records import IdKind, ReleaseId, Takedown
    from portal.imports.services.files import file_import
    from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType

    album = Release.objects.filter(label=label).order_by("pk").first()
    assert album is not None
    ReleaseIdentifier.objects.create(
        release=album, label=label, kind=ReleaseIdentifier.Kind.ICPN, value="0000000000017"
    )
    use, _ = UseType.objects.get_or_create(slug="training", defaults={"name": "Training"})
    licensee = Licensee.objects.create(name="Bench AI")
    product = Product.objects.create(
        licensee=licensee, name="Bench", slug="bench", status=Product.Status.ACTIVE
    )
    ProductUse.objects.create(product=product, use_type=use)
    licence = Licence.objects.create(
        licensee=licensee,
        label=label,
        starts_on=date(2000, 1, 1),
        artist_share=Decimal("50.00"),
        label_share=Decimal("30.00"),
        platform_share=Decimal("20.00"),
    )
    licence.use_types.set([use])
    works = Work.objects.filter(tracks__release=album)
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        decisions_set(
            actor=None, product=product, use_type=use, side=side, answer=Answer.GRANTED, works=works
        )
    receiver = Receiver(secret=None).start()
    try:
        from standardwebhooks.webhooks import Webhook

        receiver.webhook = Webhook(endpoint_create(product=product, url=receiver.url)[1])
        deliveries_send_due(product_id=product.pk)  # the grants, delivered beforehand
        before = len(receiver.received)
        catalogue_import = CatalogueImport.objects.create(
            label=label, source=CatalogueImport.Source.COMMAND
        )
        import_file = ImportFile.objects.create(catalogue_import=catalogue_import, name="purge.xml")
        takedown = Takedown("/PurgeReleaseMessage", (ReleaseId(IdKind.ICPN, "0000000000017"),))
        started = time.perf_counter()
        file_import(catalogue_import=catalogue_import, import_file=import_file, items=[takedown])
        deliveries_send_due(product_id=product.pk)
        seconds = time.perf_counter() - started
        carried = sum(len(r.seqs) for r in receiver.received[before:])
    finally:
        receiver.stop()
    figures.runs.append(
        (
            f"withdraw a {ALBUM}-track album, deliver",
            seconds,
            peak_rss_mib(),
            f"{carried} changes received",
        )
    )


def measure(figures: Figures) -> None:
    from portal.catalogue.models import Label, Work

    label = Label.objects.create(name="Bench Catalogue Records")
    count = figures.recordings
    with tempfile.TemporaryDirectory(prefix="consent-bench-imports-") as tmp:
        path = Path(tmp) / "catalogue.csv"
        csv_write(path, count)
        figures.source = (
            f"one CSV of {path.stat().st_size / 2**20:,.0f} MiB through formats.read"
            if readers_ready()
            else "the CSV's records handed to the writer (no readers yet)"
        )
        first = timed(figures, "import", lambda: import_once(label, path, count))
        assert first.works_created == Work.objects.filter(label=label).count()
        again = timed(figures, "import again, unchanged", lambda: import_once(label, path, count))
        assert again.works_unchanged == count, again.works_unchanged
    withdrawal(figures, label)


def section(figures: Figures) -> str:
    aims = {
        "import": (600, "under 10 min"),
        "import again, unchanged": (180, "under 3 min"),
    }
    lines = [
        f"\nCatalogue imports: {figures.recordings:,} recordings ({figures.source})",
        f"  {'run':<40}{'wall':>12}{'peak RSS':>12}  note",
    ]
    for name, seconds, rss, note in figures.runs:
        limit, aim = aims.get(name, (2, "under 2 s"))
        met = "met" if seconds < limit else "MISSED"
        lines.append(
            f"  {name:<40}{duration(seconds):>12}{rss:>9,.0f} MiB  {note}; aim {aim}: {met}"
        )
    rss_met = "met" if max(r[2] for r in figures.runs) < 500 else "MISSED"
    lines.append(f"  peak RSS aim under 500 MB: {rss_met}")
    return "\n".join(lines)


def run_section(report: Any) -> None:
    """For `benchmarks.run`: the section, or why it was skipped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        report.notes.append("catalogue imports skipped: they need PostgreSQL (DATABASE_URL)")
        return
    figures = Figures(recordings_wanted())
    measure(figures)
    report.sections.append(section(figures))


def main() -> int:
    from benchmarks.database import fresh_database, prepare_environment

    tmpdir = prepare_environment()
    import django

    django.setup()
    figures = Figures(recordings_wanted())
    with fresh_database(tmpdir):
        measure(figures)
    print(section(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
