"""What every consent write shares: its error, the time it records, the chunks it works in."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import TypeVar

from django.utils import timezone

# Works per round of the write path: memory stays flat for any catalogue.
CHUNK = 5000
T = TypeVar("T")


class ConsentError(Exception):
    """A decision that cannot be made; the message is for the person who tried."""


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def recorded_at(now: datetime | None) -> datetime:
    """The time a write records: `now` when an import gives one, else the clock."""
    current = timezone.now()
    if now is None:
        return current
    if now > current:
        raise ConsentError("A decision cannot be recorded as of a time still to come.")
    return now
