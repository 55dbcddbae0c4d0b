"""The demo's catalogue is counted as it is made, at any scale."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.consent.selectors.tallies import tallies_compare
from tests.seeded import use_types_seeded  # noqa: F401 (autouse: the demo uses them)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scale", [1, 2])
def test_the_demo_world_tallies_agree_with_a_recount_as_it_grows(scale: int) -> None:
    call_command("seed_demo", password="listen-to-the-artists", scale=1, stdout=StringIO())
    if scale > 1:
        call_command("seed_demo", password="listen-to-the-artists", scale=scale, stdout=StringIO())
    assert tallies_compare() is None
