"""What the earnings pages in admin share: which lines are flagged, and how money shows."""

from decimal import Decimal

from django.db.models import Q

from portal.earnings.models import Compliance

FLAGGED = ~Q(compliance=Compliance.PERMITTED)


def money_text(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:.2f} {currency}"
