"""A label at scale: 100,000 works on the roster. The home page, the roster view, one bulk
approval of the rights-holder side for the whole roster, and the CSV export of every work,
product and use. (`benchmarks.million` measures the home and roster again at a label of
up to a million works.)"""

import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.measure import once, requests

# The label home's aim at a million works (benchmarks/__init__.py); none is written for
# the roster view, so a page's: p95 under 200 ms.
LABEL_HOME_AIM = 0.150
ROSTER_AIM = 0.200


def peak_memory(run: Callable[[], str]) -> Callable[[], str]:
    """Wrap `run` so its note also says the peak memory it allocated (tracemalloc)."""

    def measured() -> str:
        tracemalloc.start()
        try:
            note = run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return f"{note}; peak {peak / 2**20:,.0f} MiB allocated (under tracemalloc)"

    return measured


def label_home(report: Any, demo: Any, client: Any, key: str = "label home") -> None:
    from django.urls import reverse

    works = demo.label.works.count()
    address = reverse("label_home", args=[demo.label.pk])
    report.series[key] = requests(
        "label home (pending, roster)", works, lambda i: client.get(address), samples=20
    )


def roster(report: Any, demo: Any, client: Any, key: str = "roster") -> None:
    """The roster view: its first page of artists, a search by name, its last page."""
    from django.urls import reverse

    from portal.consent.selectors.roster import ARTISTS_PER_PAGE

    works = demo.label.works.count()
    artists = demo.label.roster.count()
    address = reverse("label_roster", args=[demo.label.pk])
    last = max(1, -(-artists // ARTISTS_PER_PAGE))
    cases: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("page1", f"page 1 of {last} ({artists:,} artists)", {}),
        ("search", 'search "ada"', {"q": "ada"}),
        ("last", f"last page ({last})", {"page": last}),
    )
    for case, words, params in cases:

        def send(i: int, params: dict[str, Any] = params) -> Any:
            return client.get(address, params)

        report.series[f"{key} {case}"] = requests(f"roster, {words}", works, send, samples=20)


def bulk_approval(report: Any, demo: Any, client: Any) -> None:
    """The manager grants, then denies, training on the product for the whole roster."""
    from django.urls import reverse

    from portal.consent.models import LedgerEntry

    works = demo.label.works.count()
    address = reverse(
        "bulk", kwargs={"kind": "labels", "party_id": demo.label.pk, "product_slug": "tunesmith"}
    )
    # The demo label has already granted training: "no" changes every work (timed alone),
    # then "yes" changes them all back (measured for memory, under tracemalloc).
    for answer, measure in (("denied", False), ("granted", True)):

        def run(answer: str = answer) -> str:
            before = LedgerEntry.objects.count()
            response = client.post(
                address, {"use": "training", "answer": answer, "scope": "all", "confirm": "yes"}
            )
            written = LedgerEntry.objects.count() - before
            return f"HTTP {response.status_code}, {written:,} ledger entries"

        name = f"label bulk: training {'yes' if answer == 'granted' else 'no'}, whole roster"
        wall = once(name, works, peak_memory(run) if measure else run)
        entries = int(wall.note.split(", ")[1].split()[0].replace(",", ""))
        rate = entries / wall.seconds if wall.seconds else 0
        wall.note += f"; {rate:,.0f} ledger entries/s"
        report.writes.append(wall)


def export(report: Any, demo: Any, client: Any) -> None:
    """The whole roster's consent state as CSV, read to the end as a browser would."""
    from django.urls import reverse

    address = reverse("label_export", args=[demo.label.pk])
    works = demo.label.works.count()

    def run() -> str:
        response = client.get(address)
        lines = size = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        return f"{lines - 1:,} rows, {size / 2**20:,.0f} MiB of CSV"

    report.writes.append(once("label export, CSV (time)", works, run))
    report.writes.append(once("label export, CSV (memory)", works, peak_memory(run)))


def measure(report: Any, demo: Any, client_for: Callable[[Any], Any]) -> None:
    client = client_for(demo.manager)
    report.attempt("label home", lambda: label_home(report, demo, client))
    report.attempt("roster", lambda: roster(report, demo, client))
    report.attempt("label bulk", lambda: bulk_approval(report, demo, client))
    report.attempt("label export", lambda: export(report, demo, client))
