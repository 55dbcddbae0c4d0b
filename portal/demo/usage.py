"""A year of usage: each demo product reports, month by month, what it was permitted to
use at some time in the month (and its strays), through the same parsing and ingest as a
product's own report, so earnings, credits and compliance flags follow."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from portal.catalogue.models import Artist
from portal.consent.models import PermissionChange
from portal.demo.catalogue import designation, works_by_index
from portal.demo.history import Timeline
from portal.demo.specs import BREACHES, CENT, CONTEXT, CURRENCY, RATES, STRAYS
from portal.earnings.models import UsageReport
from portal.earnings.selectors import add_months
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Product


@dataclass(frozen=True, order=True)
class Used:
    """A work and a use, as a usage line names them and credits them."""

    isrc: str
    use: str
    title: str
    artist: str


Span = tuple[datetime, datetime | None]


def _permitted_spans(product: Product) -> dict[Used, list[Span]]:
    """When each (work, use) was permitted, read from the product's permission history:
    the changes feed a product follows to know what it may use."""
    spans: dict[Used, list[Span]] = {}
    history = (
        PermissionChange.objects.filter(product=product)
        .order_by("seq")
        .values_list(
            "permitted",
            "at",
            "work__isrc",
            "use_type__slug",
            "work__title",
            "work__primary_artist__name",
        )
    )
    for permitted, at, *names in history.iterator(chunk_size=5000):
        periods = spans.setdefault(Used(*names), [])
        if permitted:
            periods.append((at, None))
        elif periods and periods[-1][1] is None:
            periods[-1] = (periods[-1][0], at)
    return spans


def _strays(product: Product, artists: dict[str, Artist]) -> dict[int, list[Used]]:
    """The product's unpermitted use (STRAYS), by month of the history."""
    strays: dict[int, list[Used]] = {}
    for slug, artist_name, index, use, months in STRAYS:
        if slug != product.slug:
            continue
        artist = artists[artist_name]
        for isrc, title in works_by_index(artist.works.all(), range(index, index + 1)).values_list(
            "isrc", "title"
        ):
            for month in months:
                strays.setdefault(month, []).append(Used(isrc, use, title, artist.name))
    return strays


def _breaches(product: Product, artists: dict[str, Artist]) -> dict[tuple[int, str], dict]:
    """How the product says it used some works in some months otherwise than CONTEXT
    (BREACHES), by (month of the history, ISRC)."""
    said: dict[tuple[int, str], dict] = {}
    for slug, artist_name, index, _use, months, context in BREACHES:
        if slug != product.slug:
            continue
        works = works_by_index(artists[artist_name].works.all(), range(index, index + 1))
        for isrc in works.values_list("isrc", flat=True):
            for month in months:
                said[(month, isrc)] = context
    return said


def _line(used: Used, month: int, context: dict[str, object]) -> dict[str, object]:
    """One usage line, the same on every run: units vary by work and grow through the
    year; training is not credited per use, the other uses are; each line says how the
    use was made."""
    units = (400 + (designation(used.isrc) * 7919 + month * 104_729) % 2600) * (20 + month) // 20
    return {
        "isrc": used.isrc,
        "use": used.use,
        "units": units,
        "gross": str((units * RATES[used.use]).quantize(CENT)),
        "credit": "" if used.use == "training" else f"{used.artist} \u2014 {used.title}",
        "context": context,
    }


def usage_seed(
    *, product: Product, artists: dict[str, Artist], timeline: Timeline
) -> tuple[int, int]:
    """A monthly usage report from the product for each month of the history not reported
    yet: everything it was permitted to use at some time in the month, and its strays.
    A month it had no use in (Echovox while suspended) has no report. Returns (reports,
    lines) created."""
    done = set(UsageReport.objects.filter(product=product).values_list("reference", flat=True))
    months = [
        (index, month)
        for index, month in enumerate(timeline.months)
        if f"demo-{month:%Y-%m}" not in done
    ]
    reports = lines = 0
    if not months:
        return reports, lines
    spans, strays = _permitted_spans(product), _strays(product, artists)
    breaches = _breaches(product, artists)
    for index, month in months:
        start = datetime.combine(month, time.min, tzinfo=UTC)
        end = datetime.combine(add_months(month, 1), time.min, tzinfo=UTC)
        used = {
            used
            for used, periods in spans.items()
            if any(begin < end and (stop is None or stop > start) for begin, stop in periods)
        }
        used.update(strays.get(index, []))
        if not used:
            continue
        parsed = usage_report_parse(
            {
                "reference": f"demo-{month:%Y-%m}",
                "period": {
                    "start": month.isoformat(),
                    "end": (add_months(month, 1) - timedelta(days=1)).isoformat(),
                },
                "currency": CURRENCY,
                "lines": [
                    _line(one, index, CONTEXT | breaches.get((index, one.isrc), {}))
                    for one in sorted(used)
                ],
            }
        )
        submitted = usage_report_submit(product=product, parsed=parsed)
        reports += 1
        lines += submitted.lines
    return reports, lines
