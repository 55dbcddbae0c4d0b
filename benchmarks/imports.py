"""Catalogue imports at a major label's scale, from real files through the real readers:
a million recordings as DDEX ERN 4.3 messages and as one CSV, each imported and then
imported again unchanged, and a 20-track album withdrawn from that catalogue with its
permission changes delivered to a webhook receiver.

The files are `benchmarks.catalogue_files`' made-up catalogue of RECORDINGS recordings
(400 per BENCH_SCALE unit: 1,000,000 at the default 2,500). Each import is what
`python manage.py import_catalogue --label ... FILE...` does, run through that command
in this process: files opened where they are, read by `portal.imports.formats.read`,
written by `import_run`.

- ERN: every ERN file (about 15,000 recordings each) in one import. Aim: under 10
  minutes. Then the same files again, nothing changed. Aim: under 3 minutes.
- CSV: the same catalogue under another registrant (so no ISRC meets the ERN ones) as
  one CSV, into a second label; the same aims.
- Withdrawal: both sides grant one 20-track album of the ERN label to a product with a
  webhook; an ERN 4.3 PurgeReleaseMessage naming the album is imported and its 20
  changes delivered to a receiver on loopback. Aim: under 2 seconds from the import's
  start to the receiver's last receipt.

Each run's peak RSS is the process's high-water mark, reset before the run where Linux
allows (`/proc/self/clear_refs`; it starts again from the memory the process holds),
else the peak so far; aim: under 500 MB. Figures
only: nothing here fails on speed.

Alone: `BENCH_SCALE=250 DATABASE_URL=postgres://... python -m benchmarks.imports`
(250 is 100,000 recordings); `BENCH_IMPORTS=ern` runs the ERN imports only (no CSV, no
withdrawal), which is what to time when the ERN reader changes.
"""

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks import catalogue_files
from benchmarks.measure import duration, peak_rss_mib, peak_rss_reset

PER_SCALE = 400
ALBUM = 20
ERN_REGISTRANT, CSV_REGISTRANT = "BNH", "BNC"
RSS_AIM_BYTES = 500 * 10**6
IMPORT_AIM = (600.0, "under 10 min")
AGAIN_AIM = (180.0, "under 3 min")
WITHDRAWAL_AIM = (2.0, "under 2 s")


def recordings_wanted() -> int:
    return PER_SCALE * int(os.environ.get("BENCH_SCALE") or 2500)


def ern_only() -> bool:
    return os.environ.get("BENCH_IMPORTS", "").strip().lower() == "ern"


@dataclass(frozen=True)
class Run:
    name: str
    seconds: float
    rss_mib: float
    note: str
    aim: tuple[float, str]


@dataclass
class Figures:
    recordings: int
    sources: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    rss_per_run: bool = True


def import_files(label: Any, paths: list[Path]) -> Any:
    """`import_catalogue --label <id> FILE...`, its report discarded; the import."""
    from django.core.management import call_command

    from portal.imports.models import CatalogueImport

    call_command(
        "import_catalogue", "--label", str(label.pk), *map(str, paths), stdout=io.StringIO()
    )
    return CatalogueImport.objects.filter(label=label).latest("pk")


def timed(figures: Figures, name: str, aim: tuple[float, str], run: Callable[[], Any]) -> Any:
    """Run once; record wall time, rows/s over the catalogue and the run's peak RSS."""
    print(f"  {name}...", file=sys.stderr)
    figures.rss_per_run &= peak_rss_reset()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    note = f"{figures.recordings / seconds:,.0f} rows/s"
    figures.runs.append(Run(name, seconds, peak_rss_mib(), note, aim))
    return result


def import_twice(figures: Figures, kind: str, label: Any, paths: list[Path]) -> None:
    count = figures.recordings
    first = timed(figures, f"{kind}: import", IMPORT_AIM, lambda: import_files(label, paths))
    assert first.works_created == count, (kind, first.works_created)
    again = timed(
        figures, f"{kind}: again, unchanged", AGAIN_AIM, lambda: import_files(label, paths)
    )
    assert again.works_unchanged == count, (kind, again.works_unchanged)


def purge_write(path: Path, album: catalogue_files.Album) -> Path:
    """An ERN 4.3 PurgeReleaseMessage taking the album down."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ern:PurgeReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43" '
        'LanguageAndScriptCode="en">\n'
        "<MessageHeader><MessageId>BENCH-PURGE</MessageId>"
        "<MessageSender><PartyId>PADPIDA2099010101B</PartyId></MessageSender>"
        "<MessageCreatedDateTime>2025-02-01T00:00:00Z</MessageCreatedDateTime>"
        "</MessageHeader>\n"
        f"<PurgedRelease><ReleaseId><GRid>{album.grid}</GRid><ICPN>{album.icpn}</ICPN>"
        f"</ReleaseId><Title><TitleText>{album.title}</TitleText></Title></PurgedRelease>\n"
        "</ern:PurgeReleaseMessage>\n",
        encoding="utf-8",
    )
    return path


def withdrawal(figures: Figures, label: Any, directory: Path) -> None:
    """Grant one album both ways for a product with a webhook; then time its take-down's
    import and the delivery of its 20 changes to a receiver."""
    from standardwebhooks.webhooks import Webhook

    from portal.catalogue.models import Work
    from portal.consent.models import Answer, Side
    from portal.consent.services import decisions_set
    from portal.delivery.receiver import Receiver
    from portal.delivery.services import deliveries_send_due, endpoint_create
    from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType

    albums = catalogue_files.albums(figures.recordings, registrant=ERN_REGISTRANT)
    album = next(a for a in albums if len(a.tracks) == ALBUM)
    purge = purge_write(directory / "purge.xml", album)
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
    works = Work.objects.filter(label=label, isrc__in=[t.isrc for t in album.tracks])
    assert works.count() == ALBUM
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        decisions_set(
            actor=None, product=product, use_type=use, side=side, answer=Answer.GRANTED, works=works
        )
    receiver = Receiver(secret=None).start()
    try:
        receiver.webhook = Webhook(endpoint_create(product=product, url=receiver.url)[1])
        deliveries_send_due(product_id=product.pk)  # the grants, delivered beforehand
        before = len(receiver.received)

        def take_down() -> Any:
            taken_down = import_files(label, [purge])
            deliveries_send_due(product_id=product.pk)
            return taken_down

        name = f"withdraw a {ALBUM}-track album, deliver"
        taken_down = timed(figures, name, WITHDRAWAL_AIM, take_down)
        carried = sum(len(r.seqs) for r in receiver.received[before:])
    finally:
        receiver.stop()
    assert taken_down.works_withdrawn == ALBUM, taken_down.works_withdrawn
    figures.runs[-1] = replace(figures.runs[-1], note=f"{carried} changes received")


def measure(figures: Figures) -> None:
    from portal.catalogue.models import Label

    count = figures.recordings
    with tempfile.TemporaryDirectory(prefix="consent-bench-imports-") as tmp:
        directory = Path(tmp)
        print(f"  writing {count:,} recordings as ERN files and as a CSV...", file=sys.stderr)
        ern = catalogue_files.ern_files(directory / "ern", count, registrant=ERN_REGISTRANT)
        ern_mib = sum(p.stat().st_size for p in ern) / 2**20
        figures.sources = [f"ERN 4.3: {len(ern)} files, {ern_mib:,.0f} MiB"]
        ern_label = Label.objects.create(name="Bench ERN Records")
        import_twice(figures, "ERN", ern_label, ern)
        if ern_only():
            return
        table = catalogue_files.csv_file(
            directory / "catalogue.csv", count, registrant=CSV_REGISTRANT
        )
        figures.sources.append(f"CSV: one file, {table.stat().st_size / 2**20:,.0f} MiB")
        csv_label = Label.objects.create(name="Bench CSV Records")
        import_twice(figures, "CSV", csv_label, [table])
        withdrawal(figures, ern_label, directory)


def section(figures: Figures) -> str:
    rss_what = "reset before each run" if figures.rss_per_run else "the process's so far"
    lines = [
        f"\nCatalogue imports: {figures.recordings:,} recordings a label "
        f"({'; '.join(figures.sources)}); peak RSS {rss_what}",
        f"  {'run':<40}{'wall':>10}{'peak RSS':>12}  note",
    ]
    for run in figures.runs:
        limit, aim = run.aim
        met = "met" if run.seconds < limit else "MISSED"
        lines.append(
            f"  {run.name:<40}{duration(run.seconds):>10}{run.rss_mib:>8,.0f} MiB"
            f"  {run.note}; aim {aim}: {met}"
        )
    peak = max(run.rss_mib for run in figures.runs)
    rss_met = "met" if peak * 2**20 < RSS_AIM_BYTES else "MISSED"
    lines.append(f"  peak RSS {peak:,.0f} MiB; aim under 500 MB: {rss_met}")
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
