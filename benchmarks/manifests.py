"""A training manifest at catalogue scale: every work of a label for training, sent to the
API in parts of 10,000 items (the most one call takes), then completed: each item judged
against the permission history when the model was trained, and the product's open
obligations settled. Aim: 1,000,000 items accepted and checked in under 2 minutes, in
constant memory.

The label is `benchmarks.million`'s (opt-in answers: most works never permitted, so most
items come back as not permitted: the common case, and the larger answer). Before the
manifest, a few hundred of its permitted works are withdrawn through the write path, so
obligations are open and the manifest breaches some of them.

Alone, on the bench database (it fills a fresh one first):

    MANIFEST_WORKS=1000000 DATABASE_URL=postgres://... python -m benchmarks.manifests

`make bench` runs `measure` on the demo label.
"""

import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.measure import duration, peak_rss_mib, peak_rss_reset

PART = 10_000
WITHDRAWN = 300
AIM = (120.0, "under 2 min")


def _withdraw_some(product: Any, label: Any) -> int:
    """Withdraw training of some permitted works through the write path: the obligations
    the manifest then settles."""
    from portal.catalogue.models import Work
    from portal.consent.models import AnnouncedPermission, Answer, Side
    from portal.consent.services import decisions_set
    from portal.licensing.models import UseType

    training = UseType.objects.get(slug="training")
    permitted = AnnouncedPermission.objects.filter(
        product=product, use_type=training, permitted=True, work__label=label
    ).values_list("work_id", flat=True)[:WITHDRAWN]
    works = Work.objects.filter(pk__in=list(permitted))
    return decisions_set(
        actor=None,
        product=product,
        use_type=training,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.DENIED,
        works=works,
    ).changed


def manifest_figures(label: Any) -> list[str]:
    """Send every work of `label` as one manifest in parts, complete it; the figures."""
    from django.test import Client

    from portal.api.services import api_key_issue
    from portal.catalogue.models import Work
    from portal.licensing.models import Product

    product = Product.objects.get(slug="tunesmith")
    withdrawn = _withdraw_some(product, label)
    client = Client(headers={"Authorization": f"Bearer {api_key_issue(product=product)[1]}"})
    reset = peak_rss_reset()
    started = time.perf_counter()
    manifest_id, sent, parts = None, 0, []
    isrcs = Work.objects.filter(label=label).order_by("pk").values_list("isrc", flat=True)
    batch: list[dict[str, str]] = []

    def send(batch: list[dict[str, str]]) -> None:
        nonlocal manifest_id, sent
        part_started = time.perf_counter()
        if manifest_id is None:
            body = {
                "model": "bench",
                "version": str(time.time()),
                # After the withdrawals: this model settles their obligations.
                "trained_at": datetime.now(UTC).isoformat(),
                "items": batch,
                "complete": False,
            }
            response = client.post(
                "/api/v1/training-manifests", json.dumps(body), content_type="application/json"
            )
            manifest_id = response.json()["id"]
        else:
            response = client.post(
                f"/api/v1/training-manifests/{manifest_id}/items",
                json.dumps({"items": batch}),
                content_type="application/json",
            )
        assert response.status_code == 202, response.content[:500]
        sent += len(batch)
        parts.append(time.perf_counter() - part_started)
        if len(parts) % 20 == 0:
            print(f"  {sent:,} items sent", file=sys.stderr, flush=True)

    for isrc in isrcs.iterator(chunk_size=PART):
        batch.append({"isrc": isrc, "use": "training"})
        if len(batch) == PART:
            send(batch)
            batch = []
    if batch:
        send(batch)
    sending = time.perf_counter() - started
    completed = time.perf_counter()
    response = client.post(f"/api/v1/training-manifests/{manifest_id}/complete")
    assert response.status_code == 200
    # Read as it streams, counting, as a product would: holding the answer here would
    # count its size against the server's memory, in this same process.
    unpermitted = breaches = size = 0
    marker, breaches_start, in_breaches = b'{"isrc"', b'"breaches":[', False
    for chunk in response.streaming_content:
        size += len(chunk)
        if not in_breaches and breaches_start in chunk:
            before, after = chunk.split(breaches_start, 1)
            unpermitted += before.count(marker)
            breaches += after.count(marker)
            in_breaches = True
        elif in_breaches:
            breaches += chunk.count(marker)
        else:
            unpermitted += chunk.count(marker)
    finished = time.perf_counter()
    total = finished - started
    parts.sort()
    aim, words = AIM
    rss = peak_rss_mib()
    return [
        f"  {sent:,} items in {len(parts)} parts of up to {PART:,} "
        f"({withdrawn} withdrawals open before it):",
        f"    sent in {duration(sending)} (a part: median {duration(parts[len(parts) // 2])}, "
        f"slowest {duration(parts[-1])})",
        f"    completed and checked in {duration(finished - completed)}: "
        f"{unpermitted:,} not permitted, {breaches:,} breaches ({size / 2**20:,.1f} MiB "
        "answer, streamed)",
        f"    in all {duration(total)} ({sent / total:,.0f} items/s): aim {words}: "
        f"{'met' if total < aim else 'NOT met'}",
        f"    peak RSS {rss:,.0f} MiB{'' if reset else ' (of the whole run)'}",
    ]


def measure(report: Any, demo: Any) -> None:
    """In `make bench`: a manifest of every work of the demo label."""
    lines = [f"Training manifest of {demo.label.works.count():,} works:"]
    lines += manifest_figures(demo.label)
    report.sections.append("\n".join(lines))


def main() -> int:
    from benchmarks.database import fresh_database, prepare_environment

    size = int(os.environ.get("MANIFEST_WORKS") or 100_000)
    tmpdir = prepare_environment()
    import django

    django.setup()
    from benchmarks.million import million_fill

    with fresh_database(tmpdir) as database:
        print(f"Filling {size:,} works ({database.description})...", file=sys.stderr)
        made = million_fill(works=size)
        print(made.summary(), flush=True)
        print(f"Training manifest of {made.works:,} works:")
        for line in manifest_figures(made.label):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
