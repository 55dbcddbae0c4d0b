"""Reading stays within a small, fixed amount of memory, however long the file: a
generated catalogue of 50,000 recordings is read under tracemalloc.

What does grow with an ERN file is the map from each recording's reference to its ISRC
(the releases that name them come after the recordings), a few hundred bytes per
recording; the bound leaves room for it and is still a fraction of the file's size.

tracemalloc sees Python's allocations only; the XML tree lives in libxml2's, so an ERN
file's reading is also held to the growth of the process's resident memory (Linux)."""

import tracemalloc
from collections import Counter
from pathlib import Path

from benchmarks.catalogue_files import csv_file, ern_files
from portal.imports.formats import read

RECORDINGS = 50_000
MiB = 1024 * 1024


def peak_while_reading(path: Path) -> tuple[Counter[str], int]:
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            kinds = Counter(type(item).__name__ for item in read(stream))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return kinds, peak


def status(key: str) -> int:
    """A size from /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(key)


def resident_growth_while_reading(path: Path) -> int:
    """How far the process's resident memory rose above where it stood: the peak is
    reset first (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = status("VmRSS")
    with path.open("rb") as stream:
        for _ in read(stream):
            pass
    return status("VmHWM") - before


def test_an_ern_file_of_50_000_recordings_is_read_in_a_few_megabytes(tmp_path: Path) -> None:
    [path] = ern_files(tmp_path, RECORDINGS, albums_per_file=10_000)

    kinds, peak = peak_while_reading(path)

    assert kinds["Recording"] == RECORDINGS
    assert kinds["Problem"] == 0
    size = path.stat().st_size
    assert size > 60 * MiB
    assert peak < 24 * MiB, f"peak {peak / MiB:.1f} MiB reading {size / MiB:.0f} MiB"
    growth = resident_growth_while_reading(path)
    assert growth < 24 * MiB, f"RSS grew {growth / MiB:.1f} MiB reading {size / MiB:.0f} MiB"


def test_a_csv_of_50_000_recordings_is_read_in_constant_memory(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "catalogue.csv", RECORDINGS)

    kinds, peak = peak_while_reading(path)

    assert kinds["Recording"] == RECORDINGS
    assert kinds["Problem"] == 0
    assert peak < 4 * MiB, f"peak {peak / MiB:.1f} MiB"
