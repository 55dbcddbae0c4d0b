"""The snapshot in memory that does not grow with the catalogue: the same peak for 8,000
permitted pairs as for 48,000, read from a server-side cursor and compressed as it goes.
(`make bench` streams millions over HTTP and prints the server's peak RSS.)"""

import tracemalloc
import zlib

import pytest
from django.db import connection
from django.test import RequestFactory

from portal.api.services import api_key_issue
from portal.api.views import snapshot as snapshot_views
from portal.catalogue.models import Work
from portal.consent.bulk import insert_rows
from portal.consent.models import AnnouncedPermission, ChangeCounter
from tests import factories as f
from tests.api.snapshots import SNAPSHOT
from tests.conftest import World

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a server-side cursor"),
    pytest.mark.django_db(transaction=True),
]


def permitted_pairs(world: World, works: int, start: int) -> int:
    """`works` more works, each permitted for training and style generation, written
    straight into the announced state (as an import of history would)."""
    made = f.bulk_works(label=world.label, n=works, start=start)
    rows = [
        {
            "product_id": world.product.pk,
            "work_id": work.pk,
            "use_type_id": use.pk,
            "permitted": True,
            "reasons": [],
            "conditions": [{"code": "non_commercial"}] if work.pk % 3 == 0 else [],
        }
        for work in made
        for use in (world.training, world.style)
    ]
    insert_rows(AnnouncedPermission, rows)
    ChangeCounter.objects.update_or_create(product=world.product, defaults={"last": len(rows)})
    return AnnouncedPermission.objects.filter(product=world.product).count()


def streamed(key: str) -> tuple[int, int, int]:
    """Read a snapshot as a client would, holding nothing: (lines, bytes, peak bytes
    allocated meanwhile)."""
    request = RequestFactory().get(SNAPSHOT, headers={"Authorization": f"Bearer {key}"})
    inflate = zlib.decompressobj(wbits=31)
    lines = size = 0
    tracemalloc.start()
    try:
        response = snapshot_views.snapshot_view(request)
        for part in response.streaming_content:
            size += len(part)
            # A snapshot compresses some twentyfold: inflated a piece at a time.
            while part:
                lines += inflate.decompress(part, 64 * 1024).count(b"\n")
                part = inflate.unconsumed_tail
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert inflate.eof
    return lines, size, peak


def test_memory_does_not_grow_with_the_number_of_pairs(world: World) -> None:
    key = api_key_issue(product=world.product)[1]
    small = permitted_pairs(world, 4_000, start=10_000)
    lines, small_size, small_peak = streamed(key)
    assert lines == small + 1
    large = permitted_pairs(world, 20_000, start=20_000)
    assert large == 6 * small
    lines, large_size, large_peak = streamed(key)
    assert lines == large + 1
    assert large_size > 4 * small_size
    # Six times the pairs, the same peak (a batch of rows and a part of the body).
    assert large_peak < small_peak * 1.25 + 256 * 1024, (small_peak, large_peak)
    assert Work.objects.count() > 24_000
