"""How far a running import is. A file is imported in one transaction, so nothing it
writes is visible until it commits; the progress of the file being read is kept in the
shared cache instead (Redis, or the process's own memory when tasks run in-process)."""

import contextlib
from dataclasses import asdict, dataclass

from django.core.cache import cache

TTL = 24 * 3600


@dataclass(frozen=True, slots=True)
class Progress:
    files_done: int = 0
    files_total: int = 0
    bytes_done: int = 0  # of every file, those done and the one being read
    bytes_total: int = 0
    recordings: int = 0  # read so far, in every file

    @property
    def percent(self) -> int:
        if not self.bytes_total:
            return 0
        return min(100, self.bytes_done * 100 // self.bytes_total)


def _key(import_id: int) -> str:
    return f"imports:progress:{import_id}"


def progress_record(import_id: int, progress: Progress) -> None:
    """Best effort: a cache that is down costs the progress bar, never the import."""
    # Progress is a display: the import goes on whatever the cache does.
    with contextlib.suppress(Exception):
        cache.set(_key(import_id), asdict(progress), TTL)


def progress_of(import_id: int) -> Progress | None:
    try:
        stored = cache.get(_key(import_id))
    except Exception:  # shown as "working", without figures
        return None
    return Progress(**stored) if isinstance(stored, dict) else None
