"""A fixed today for tests whose data carry dates.

Usage reports are accepted only for periods that have ended, and tests report fixed
months ("October 2026") or set a licence to start "30 days ago": on another date they
would be refused, or cover other months. A module whose tests depend on the date imports
the autouse fixture below, and each of its tests runs on TODAY:

    from tests.clock import fixed_today  # noqa: F401 (autouse)
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

# After every month the suite reports (up to November 2026); noon UTC, far from a change
# of date.
TODAY = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_today() -> Iterator[None]:
    """Each test starts on TODAY, and the clock runs on from there, so waits and timeouts
    behave; a test may still travel elsewhere inside it."""
    with time_machine.travel(TODAY, tick=True):
        yield
