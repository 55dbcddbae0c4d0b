"""The label manager's product page at roster scale: the page under each kind of filter,
the preview of a bulk answer over what a filter matches, and applying it as the worker
does (one transaction), with its peak memory.

In `make bench` it runs on the label of the bench's demo world. Alone, on a label of a
million works (`benchmarks.million`), in the database BENCH_DATABASE_NAME:

    ROSTER_WORKS=1000000 DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.roster

(`ROSTER_WORKS` defaults to 100,000.)
"""

import os
import re
import sys
import time
import uuid
from typing import Any

from benchmarks.measure import ms, p95_against, peak_rss_mib, peak_rss_reset, requests

PRODUCT = "tunesmith"
USE = "training"
# No aim is written for the product page: a page's, p95 under 200 ms.
PAGE_AIM = 0.200


def _filters(label: Any) -> list[tuple[str, dict[str, str]]]:
    from portal.catalogue.models import Release

    artist = label.roster.order_by("pk").first()
    release = Release.objects.filter(label=label).order_by("pk").first()
    return [
        ("no filter", {}),
        ("artist", {"artist": str(artist.pk)} if artist else {}),
        ("artist said yes", {"use": USE, "artist_answer": "yes"}),
        ("artist said no", {"use": USE, "artist_answer": "no"}),
        ("artist expired", {"use": USE, "artist_answer": "expired"}),
        ("label not yet", {"use": USE, "label_answer": "none"}),
        ("artist yes, label not yet", {"use": USE, "artist_answer": "yes", "label_answer": "none"}),
        ("state waiting, any use", {"state": "waiting"}),
        ("state permitted", {"use": USE, "state": "permitted"}),
        ("release", {"release": str(release.pk)} if release else {}),
        ("title search", {"q": "moon"}),
        ("sort by artist", {"sort": "artist"}),
        ("sort by release date, newest", {"sort": "-release_date"}),
        ("artist yes, page 100", {"use": USE, "artist_answer": "yes", "page": "100"}),
    ]


def page_figures(label: Any, client: Any, works: int) -> list[str]:
    from django.urls import reverse

    address = reverse(
        "matrix", kwargs={"kind": "labels", "party_id": label.pk, "product_slug": PRODUCT}
    )
    lines = []
    for name, params in _filters(label):
        series = requests(
            f"product page: {name}", works, lambda i, p=params: client.get(address, p), samples=20
        )
        lines.append(
            f"  product page, {name:<30} median {ms(series.median):>10}, "
            f"{series.query_range} queries, HTTP {sorted(series.statuses)}, "
            f"{p95_against(series, PAGE_AIM)}"
        )
    return lines


def bulk_figures(label: Any, client: Any, manager: Any, works: int) -> list[str]:
    """Preview, then apply as the worker does, a yes over every work waiting for the label
    for training (under opt-in, most of the catalogue)."""
    from django.urls import reverse
    from django.utils import timezone

    from portal.consent.access import label_party
    from portal.consent.models import BulkAnswer, Decision, Side
    from portal.consent.selectors.filtering import WorkFilter
    from portal.consent.services.bulk_answers import bulk_answer_run, bulk_scope
    from portal.licensing.models import Product, UseType

    product = Product.objects.get(slug=PRODUCT)
    use_type = UseType.objects.get(slug=USE)
    address = reverse(
        "bulk", kwargs={"kind": "labels", "party_id": label.pk, "product_slug": PRODUCT}
    )
    scope = {
        "use": USE,
        "filter-use": USE,
        "filter-label_answer": "none",
        "scope": "filtered",
        "answer": "granted",
    }
    lines = []
    begin = time.perf_counter()
    response = client.post(address, scope)
    preview = time.perf_counter() - begin
    found = re.search(rb'name="expected" value="(\d+)"', response.content)
    total = int(found.group(1)) if found else 0
    lines.append(
        f"  bulk preview over {total:,} matching works: {ms(preview)} (HTTP {response.status_code})"
    )
    party = label_party(manager, label.pk)
    job = BulkAnswer.objects.create(
        product=product,
        use_type=use_type,
        party_kind=party.plural,
        party_id=party.pk,
        side=Side.RIGHTS_HOLDER,
        answer="granted",
        scope=bulk_scope(
            f=WorkFilter(use_type_id=use_type.pk, label_answer="none"),
            selected=None,
            other_granted=False,
        ),
        requested_by=manager,
        token=uuid.uuid4().hex,
        expected=total,
        created_at=timezone.now(),
    )
    before = Decision.objects.filter(product=product, side=Side.RIGHTS_HOLDER).count()
    # Peak RSS, not tracemalloc: tracing every allocation made the run three times slower.
    rss_reset = peak_rss_reset()
    begin = time.perf_counter()
    done = bulk_answer_run(job_id=job.pk)
    applied = time.perf_counter() - begin
    rss = peak_rss_mib()
    after = Decision.objects.filter(product=product, side=Side.RIGHTS_HOLDER).count()
    assert done is not None
    lines.append(
        f"  bulk apply (worker path, one transaction): {applied:,.1f} s, {done.status}, "
        f"{done.changed:,} changed, {done.flipped:,} permissions flipped, "
        f"{after - before:,} new decisions; peak RSS {rss:,.0f} MiB"
        f"{'' if rss_reset else ' (of the whole run: it could not be reset)'}"
    )
    return lines


def measure(report: Any, demo: Any, client_for: Any) -> None:
    """In `make bench`: the product page and a bulk answer on the demo label."""
    works = demo.label.works.count()
    client = client_for(demo.manager)
    lines = [f"Product page at roster scale ({works:,} works on the label):"]
    lines += page_figures(demo.label, client, works)
    lines += bulk_figures(demo.label, client, demo.manager, works)
    report.sections.append("\n".join(lines))


def main() -> int:
    from benchmarks.database import fresh_database, prepare_environment

    size = int(os.environ.get("ROSTER_WORKS") or 100_000)
    tmpdir = prepare_environment()
    import django

    django.setup()
    from benchmarks.million import million_fill

    with fresh_database(tmpdir) as database:
        print(f"Filling {size:,} works ({database.description})...", file=sys.stderr)
        made = million_fill(works=size)
        print(made.summary())
        from django.test import Client

        client: Any = Client()
        client.force_login(made.manager)
        from benchmarks import label as label_stage
        from benchmarks.measure import series_line
        from benchmarks.run import Report

        report = Report()
        label_stage.label_home(report, made, client)
        label_stage.roster(report, made, client)
        for series in report.series.values():
            print(series_line(series), flush=True)
        print(f"Product page at roster scale ({made.works:,} works on the label):")
        for line in page_figures(made.label, client, made.works):
            print(line, flush=True)
        for line in bulk_figures(made.label, client, made.manager, made.works):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
