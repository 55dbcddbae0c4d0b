"""Splitting a reported amount between the artist, the label and the platform.

The rule (largest remainder, in the currency's minor unit):

1. Each party's exact share is `gross * percent / 100`.
2. Each party first gets its exact share rounded down to the minor unit (the cent).
3. The cents left over (at most two) go one each to the parties whose shares lost the
   most in step 2; equal losses go to the artist first, then the label, then the
   platform.

So the three amounts always add up to the gross exactly, no party is ever more than one
cent from its exact share, and the same line always splits the same way.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Shares:
    """Percentages of gross that add up to 100."""

    artist: Decimal
    label: Decimal
    platform: Decimal

    def __post_init__(self) -> None:
        if self.artist + self.label + self.platform != HUNDRED or min(self.as_tuple()) < 0:
            raise ValueError(f"Shares must be 0 or more and add up to 100: {self}")

    def as_tuple(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.artist, self.label, self.platform)


@dataclass(frozen=True)
class Split:
    artist: Decimal
    label: Decimal
    platform: Decimal


def split(gross: Decimal, shares: Shares, places: int = 2) -> Split:
    """`gross` split by `shares` to `places` decimal places; the parts sum to `gross`."""
    unit = Decimal(1).scaleb(-places)
    if gross < 0 or gross != gross.quantize(unit):
        raise ValueError(f"{gross} is not a non-negative amount in units of {unit}")
    exact = [gross * percent / HUNDRED for percent in shares.as_tuple()]
    floors = [amount.quantize(unit, rounding=ROUND_FLOOR) for amount in exact]
    left = int((gross - sum(floors)) / unit)
    # Largest loss first; on a tie, the party's position (artist, label, platform).
    order = sorted(range(3), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:left]:
        floors[i] += unit
    return Split(*floors)
