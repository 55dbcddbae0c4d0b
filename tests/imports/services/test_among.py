"""Filtering by the thousands of values a batch names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.catalogue.models import Track, Work
from portal.imports.services.among import among
from tests.conftest import World
from tests.factories import bulk_works, isrc_for


def test_works_are_found_by_isrc_and_by_id_as_with_in(world: World) -> None:
    works = bulk_works(label=world.label, n=5, start=70_000)
    isrcs = [w.isrc for w in works[:3]] + [isrc_for(79_999)]  # one the catalogue lacks

    by_isrc = Work.objects.filter(among("isrc", isrcs)).values_list("pk", flat=True)
    by_id = Work.objects.filter(among("id", [works[3].pk, works[4].pk])).values_list(
        "pk", flat=True
    )

    assert set(by_isrc) == {w.pk for w in works[:3]}
    assert set(by_id) == {works[3].pk, works[4].pk}


def test_no_values_find_nothing(world: World) -> None:
    bulk_works(label=world.label, n=2, start=70_000)

    assert not Work.objects.filter(among("isrc", [])).exists()
    assert not Track.objects.filter(among("release_id", [])).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_on_postgresql_thousands_of_values_are_one_array(world: World) -> None:
    isrcs = [isrc_for(80_000 + n) for n in range(3000)]

    with CaptureQueriesContext(connection) as queries:
        list(Work.objects.filter(among("isrc", isrcs)).values_list("pk", flat=True))

    sql = queries.captured_queries[0]["sql"]
    assert "= ANY(" in sql
    assert " IN (" not in sql
