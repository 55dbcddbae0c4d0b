"""The permissions snapshot at catalogue scale: N permitted (ISRC, use) pairs streamed over
HTTP through the whole stack (gunicorn as the Procfile runs it, one sync worker), read as
a product would. Aim: 10,000,000 pairs in under 2 minutes, in memory that does not grow
with them.

The pairs are written straight into the announced state by INSERT ... SELECT (works of a
label of their own, each permitted for training and style generation for `tunesmith`,
one in ten with a condition), and the product's counter moved on by as many changes,
without the changes themselves: the snapshot reads the counter and the rows, never the
feed. Through the write path it would take hours.

Printed: the time to the head and to the end, rows/s, MB/s (compressed, and as NDJSON),
the server worker's RSS before, while (at each tenth of the rows) and at its peak.

Alone, on a fresh bench database (PostgreSQL and Redis):

    SNAPSHOT_PAIRS=10000000 DATABASE_URL=postgres://... REDIS_URL=redis://.../6 \\
        .venv/bin/python -m benchmarks.snapshot

`make bench` runs `measure` at SNAPSHOT_PAIRS (default 200,000).
"""

import os
import sys
import tempfile
import time
import zlib
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.measure import duration

PAIRS = int(os.environ.get("SNAPSHOT_PAIRS") or 200_000)
AIM = (10_000_000, 120.0)
LABEL = "Snapshot Bench Records"
USES = ("training", "style_generation")
READ = 1 << 16


def snapshot_fill(*, pairs: int) -> tuple[Any, int]:
    """Make `pairs` (rounded up to even) more permitted pairs for tunesmith; (the
    product, its seq)."""
    from django.db import connection, transaction
    from django.db.models import Max

    from portal.catalogue.models import Artist, Label, Work
    from portal.consent.models import AnnouncedPermission, ChangeCounter
    from portal.licensing.models import Product, UseType

    product = Product.objects.get(slug="tunesmith")
    label, _ = Label.objects.get_or_create(name=LABEL)
    artist, _ = Artist.objects.get_or_create(name="Snapshot Bench", label=label)
    uses = list(UseType.objects.filter(slug__in=USES).values_list("pk", flat=True))
    works = -(-pairs // len(uses))
    first = Work.objects.filter(label=label).count() + 1
    after = Work.objects.aggregate(top=Max("pk"))["top"] or 0
    quote = connection.ops.quote_name
    work_table, permission_table = (quote(m._meta.db_table) for m in (Work, AnnouncedPermission))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # ISRCs QZS + 9 digits: unique, and as the check constraint wants them.
        cursor.execute(
            f"INSERT INTO {work_table} (isrc, title, primary_artist_id, label_id, iswc, "  # noqa: S608
            "release_title, import_digest) "
            "SELECT 'QZS' || lpad((i / 10000000)::text, 2, '0') "
            "|| lpad((i %% 10000000)::text, 7, '0'), 'Take ' || i, %s, %s, '', '', '' "
            "FROM generate_series(%s, %s) AS i",
            [artist.pk, label.pk, first, first + works - 1],
        )
        cursor.execute(
            f"INSERT INTO {permission_table} (product_id, work_id, use_type_id, permitted, "  # noqa: S608
            "reasons, conditions) "
            "SELECT %s, w.id, u.id, true, '[]', "
            "CASE WHEN w.id %% 10 = 0 THEN '[{\"code\": \"non_commercial\"}]' ELSE '[]' "
            f"END::jsonb FROM {work_table} w CROSS JOIN unnest(%s::bigint[]) AS u(id) "
            "WHERE w.label_id = %s AND w.id > %s",
            [product.pk, uses, label.pk, after],
        )
        counter, _ = ChangeCounter.objects.get_or_create(product=product)
        seq = counter.last + works * len(uses)
        ChangeCounter.objects.filter(pk=counter.pk).update(last=seq)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.get_autocommit() else "ANALYZE")
    print(
        f"  filled {works * len(uses):,} pairs ({works:,} works) in "
        f"{time.perf_counter() - started:,.0f} s",
        file=sys.stderr,
    )
    return product, seq


def _rss_mib(pid: int, field: str) -> float:
    """VmRSS or VmHWM (peak) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _worker_of(base: str) -> int:
    """The pid of the one worker of the gunicorn listening at `base`."""
    port = f"127.0.0.1:{urlsplit(base).port}"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in b" ".join(command) and port.encode() in command:
            children = (entry / "task" / entry.name / "children").read_text().split()
            if children:
                return int(children[0])
    raise RuntimeError(f"no gunicorn worker found for {base}")


def streamed(base: str, key: str, seq: int, pairs: int) -> list[str]:
    """Read the snapshot as a product would (decompressing, counting lines); the figures."""
    worker = _worker_of(base)
    before = _rss_mib(worker, "VmRSS")
    split = urlsplit(base)
    http = HTTPConnection(split.hostname or "127.0.0.1", split.port, timeout=300)
    inflate = zlib.decompressobj(wbits=31)
    lines = compressed = inflated = 0
    samples: list[float] = []
    started = time.perf_counter()
    http.request("GET", "/api/v1/permissions/snapshot", headers={"Authorization": f"Bearer {key}"})
    response = http.getresponse()
    assert response.status == 200, response.read()[:500]
    head_at = None
    while chunk := response.read(READ):
        compressed += len(chunk)
        while chunk:
            out = inflate.decompress(chunk, 1 << 20)
            if head_at is None and b"\n" in out:
                head_at = time.perf_counter() - started
                assert out.startswith(b'{"seq":%d,' % seq), out[:200]
            lines += out.count(b"\n")
            inflated += len(out)
            chunk = inflate.unconsumed_tail
        if lines >= (len(samples) + 1) * (pairs + 1) / 10:
            samples.append(_rss_mib(worker, "VmRSS"))
    total = time.perf_counter() - started
    http.close()
    peak = _rss_mib(worker, "VmHWM")
    rows = lines - 1
    assert inflate.eof, "the snapshot was cut short"
    assert rows == pairs, (rows, pairs)
    aim_pairs, aim_seconds = AIM
    pace = total * aim_pairs / rows
    verdict = "met" if pace < aim_seconds else "NOT met"
    return [
        f"  {rows:,} pairs: head after {duration(head_at or 0)}, all in {duration(total)}",
        f"    {rows / total:,.0f} rows/s; {compressed / total / 1e6:,.1f} MB/s gzip'd "
        f"({compressed / 1e6:,.1f} MB), {inflated / total / 1e6:,.1f} MB/s as NDJSON "
        f"({inflated / 1e6:,.1f} MB)",
        f"    at this pace {aim_pairs:,} pairs take {duration(pace)}: aim under "
        f"{duration(aim_seconds)}: {verdict}",
        f"    server worker RSS: {before:,.0f} MiB before; at each tenth "
        + ", ".join(f"{s:,.0f}" for s in samples)
        + f" MiB; peak {peak:,.0f} MiB",
    ]


def snapshot_figures(demo: Any, pairs: int) -> list[str]:
    from benchmarks.api import gunicorn, issue_key, server_skip_reason

    reason = server_skip_reason()
    if reason:
        return [f"  skipped: {reason}"]
    product, seq = snapshot_fill(pairs=pairs)
    from django.db.models import Q
    from django.utils import timezone

    from portal.consent.models import AnnouncedPermission

    now = timezone.now()
    permitted = AnnouncedPermission.objects.filter(
        Q(lapses_at__isnull=True) | Q(lapses_at__gt=now), product=product, permitted=True
    ).count()
    key = issue_key(demo, "snapshot bench")
    with (
        tempfile.TemporaryDirectory(prefix="consent-snapshot-") as workdir,
        gunicorn(Path(workdir), workers=1) as base,
    ):
        return streamed(base, key, seq, permitted)


def measure(report: Any, demo: Any) -> None:
    """In `make bench`: SNAPSHOT_PAIRS more pairs for tunesmith, then the snapshot."""
    lines = ["Permissions snapshot over HTTP (gunicorn, one sync worker):"]
    lines += snapshot_figures(demo, PAIRS)
    report.sections.append("\n".join(lines))


def main() -> int:
    from benchmarks.api import standalone

    return standalone(measure, scales=[1])


if __name__ == "__main__":
    sys.exit(main())
