"""The earnings chart's geometry, drawn on the server: bars by month, gridlines and the
labels under them, for templates/earnings/_chart.html."""

import math
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_compact_currency

# Where the plot sits in the SVG, in percent of its height: the month labels go below.
PLOT_TOP, PLOT_BOTTOM = 6.0, 82.0


def _nice_step(peak: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about four gridlines."""
    raw = peak / 4
    power = Decimal(10) ** math.floor(math.log10(raw))
    return next(
        power * m
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), 10)
        if power * m >= raw
    )


def _pct(value: float | Decimal) -> str:
    return f"{float(value):.3f}%"


def _axis_labels(months: list[date], locale: Locale) -> list[dict[str, str]]:
    """What to write under each bar, few enough to fit a phone: up to two years, at most
    a dozen month names with the year under the first of each year; longer, just the
    years, under their Januaries."""
    if len(months) > 24:
        return [{"label": "", "year": str(m.year) if m.month == 1 else ""} for m in months]
    every = math.ceil(len(months) / 12)
    labels, last_year = [], None
    for i, m in enumerate(months):
        shown = i % every == 0
        labels.append(
            {
                "label": format_skeleton("MMM", m, locale=locale) if shown else "",
                "year": str(m.year) if shown and m.year != last_year else "",
            }
        )
        last_year = m.year if shown else last_year
    return labels


def month_chart(
    months: list[dict[str, Any]],
    currency: str,
    locale: Locale,
    *,
    amount: str = "artist_paid",
    held: str = "artist_held",
) -> dict[str, Any]:
    """Geometry for templates/earnings/_chart.html from one row per month: a bar of
    `amount` with `held` stacked on it. Positions are percentages of the SVG, so it
    scales with the page while its text keeps its size."""
    peak = max((m[amount] + m[held] for m in months), default=Decimal(0))
    step = _nice_step(peak) if peak > 0 else Decimal(1)
    top = step * math.ceil(peak / step) if peak > 0 else step

    def y(value: Decimal) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * float(value / top)

    slot = 100 / len(months)
    labels = _axis_labels([m["month"] for m in months], locale)
    bars = []
    for i, m in enumerate(months):
        amount_top, held_top = y(m[amount]), y(m[amount] + m[held])
        bars.append(
            {
                "month": m["month"],
                "amount": m[amount],
                "held": m[held],
                "x": _pct(slot * (i + 0.18)),
                "width": _pct(slot * 0.64),
                "centre": _pct(slot * (i + 0.5)),
                "amount_y": _pct(amount_top),
                "amount_height": _pct(PLOT_BOTTOM - amount_top),
                "held_y": _pct(held_top),
                "held_height": _pct(amount_top - held_top),
                **labels[i],
            }
        )
    ticks = [
        {
            "y": _pct(y(step * k)),
            "label": format_compact_currency(step * k, currency, locale=locale, fraction_digits=1),
        }
        for k in range(1, int(top / step) + 1)
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "baseline": _pct(PLOT_BOTTOM),
        "first": months[0]["month"],
        "last": months[-1]["month"],
        "peak": max(bars, key=lambda bar: bar["amount"]),
        "held": any(m[held] for m in months),
    }
