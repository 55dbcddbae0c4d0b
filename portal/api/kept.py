"""Answers this web process gave to single checks, kept with the stamps they were read
under (`AnswerStamp`, and the product's version), so that the same question asked again
costs one cheap read of the stamps instead of the check's whole statement and rule.

A kept answer is given again only if the stamps read now, with the key still valid, are
the ones it was read under: any committed change behind any answer of the product (or of
every product) moves a stamp in its own transaction, so the next check in any process
reads the new state. The clock is the one cause no transaction stamps, so each answer is
kept only until the first instant the clock alone could change it (a permitted row's
lapse, a licence starting or ending, an answer expiring).

Only on PostgreSQL, whose triggers keep the stamps; only answers (200), never errors.
At most `KEPT_MAX` answers, the least recently asked forgotten first.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

KEPT_MAX = 50_000

# (key hash, ISRC as asked, use as asked)
Asked = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Kept:
    stamp: tuple[int, int, int]
    until: datetime | None
    body: bytes


_kept: "OrderedDict[Asked, Kept]" = OrderedDict()
_lock = threading.Lock()


def kept_answer(asked: Asked, now: datetime) -> Kept | None:
    """The answer kept for this question, unless the clock has reached its end."""
    with _lock:
        kept = _kept.get(asked)
        if kept is None:
            return None
        if kept.until is not None and now >= kept.until:
            del _kept[asked]
            return None
        _kept.move_to_end(asked)
        return kept


def keep(asked: Asked, kept: Kept) -> None:
    if connection.vendor != "postgresql":
        return
    with _lock:
        _kept[asked] = kept
        _kept.move_to_end(asked)
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)


def kept_forget() -> None:
    """Forget every kept answer (tests, to compare with a fresh read)."""
    with _lock:
        _kept.clear()
