"""Timing helpers: repeated calls with their query counts, and the figures we print."""

import math
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

SAMPLES = 30
WARM_UP = 2
# Past this, a scenario stops early (with at least MIN_SAMPLES) so the whole bench stays short.
BUDGET_SECONDS = 40.0
MIN_SAMPLES = 5


@dataclass
class Series:
    """Repeated measurements of one request or call."""

    name: str
    works: int
    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    size: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def query_range(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def requests(
    name: str,
    works: int,
    send: Callable[[int], HttpResponse],
    samples: int = SAMPLES,
) -> Series:
    """Call `send(i)` a few times to warm up, then `samples` times, timing each call and
    counting its queries. `i` counts every call, warm-ups included, so alternating
    requests stay alternating."""
    series = Series(name, works)
    for i in range(WARM_UP):
        send(i)
    started = time.perf_counter()
    for i in range(WARM_UP, WARM_UP + samples):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            response = send(i)
            series.seconds.append(time.perf_counter() - begin)
        series.queries.append(len(captured))
        series.statuses.add(response.status_code)
        series.size = len(response.content)
        spent = time.perf_counter() - started
        if spent > BUDGET_SECONDS and len(series.seconds) >= MIN_SAMPLES:
            break
    return series


def series_line(series: Series) -> str:
    """One series as a line: its median, p95, queries and statuses."""
    return (
        f"{series.name:<40} {series.works:>10,} works  median {ms(series.median):>10}  "
        f"p95 {ms(series.p95):>10}  {series.query_range} queries  "
        f"HTTP {','.join(map(str, sorted(series.statuses)))}"
    )


def p95_against(series: Series, aim: float) -> str:
    """The series' p95 against an aim in seconds, in words that can be quoted:
    "p95 48.7 ms (met: under 200 ms)"."""
    verdict = "met" if series.p95 < aim else "MISSED"
    return f"p95 {ms(series.p95)} ({verdict}: under {aim * 1000:,.0f} ms)"


@dataclass
class Wall:
    """One timed operation, with what it did."""

    name: str
    works: int
    seconds: float
    queries: int
    note: str = ""


class QueryCounter:
    """Counts statements without recording them. CaptureQueriesContext would also format
    each one's SQL, which for bulk inserts of thousands of rows costs more than the insert
    (on SQLite it even runs extra queries to quote the parameters)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def once(name: str, works: int, run: Callable[[], str]) -> Wall:
    """Time `run()` once; it returns a note on what it did (for example "10,000 changed")."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        begin = time.perf_counter()
        note = run()
        seconds = time.perf_counter() - begin
    return Wall(name, works, seconds, counter.count, note)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def duration(seconds: float) -> str:
    return f"{seconds:,.2f} s" if seconds >= 1 else ms(seconds)


def peak_rss_reset() -> bool:
    """Start the process's peak resident memory afresh (Linux 4.0+); False if it can't."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """The process's peak resident memory since the last reset (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
