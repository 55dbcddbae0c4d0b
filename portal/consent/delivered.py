"""Whether the product has received a change: the proof, under each cell of the matrix,
that a "no" was heard.

Delivery knows, and delivery builds on consent, so consent asks through this hook: the
delivery app registers its reader when it is ready. Without one, cells say nothing about
delivery.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

Pair = tuple[int, int]  # (work id, use type id)


class ReceivedAt(Protocol):
    def __call__(
        self, *, product_id: int, pairs: Iterable[Pair]
    ) -> dict[Pair, datetime | None]: ...


_readers: list[ReceivedAt] = []


def received_at_register(reader: ReceivedAt) -> None:
    """Have `reader` answer `received_at` (registering the same one again changes nothing)."""
    if reader not in _readers:
        _readers.append(reader)


def received_at(*, product_id: int, pairs: Iterable[Pair]) -> dict[Pair, datetime | None]:
    """For (work id, use type id) pairs, when the product acknowledged the latest change of
    each, or None while it is on its way; pairs with nothing to say are absent. Costs what
    the registered reader costs (delivery's: three queries)."""
    pairs = list(pairs)
    found: dict[Pair, datetime | None] = {}
    for reader in _readers:
        found |= reader(product_id=product_id, pairs=pairs)
    return found
