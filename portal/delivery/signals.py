"""Receivers of what the apps below delivery announce; connected in `DeliveryConfig.ready`."""

from collections.abc import Iterable
from typing import Any

from portal.delivery.services import deliveries_schedule


def changes_recorded_schedule(sender: Any, *, product_ids: Iterable[int], **kwargs: Any) -> None:
    """`portal.consent.signals.changes_recorded`: send these products' new changes once
    the transaction recording them commits (`deliveries_schedule`, which never raises)."""
    deliveries_schedule(product_ids=product_ids)
