"""Works and their credits from a batch of recordings, set-based: a few statements per
batch whatever its size, never a save() per work.

A work is keyed by its ISRC and belongs to the importing label. What the file says of
it is hashed (`Work.import_digest`): the same again is recognised as unchanged without
reading its credits back, which is what makes a re-import of a whole catalogue cheap.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.catalogue.models import Credit, Work
from portal.consent.services.moves import Move, answers_of_moved_clear
from portal.consent.services.tallies import groups_recount, work_counts_add
from portal.imports.records import Person, Recording, Role
from portal.imports.services.among import among
from portal.imports.services.artists import Roster
from portal.imports.services.report import Report
from portal.text import name_control_in

TITLE_MAX = Work._meta.get_field("title").max_length or 300
NAME_MAX = Credit._meta.get_field("name").max_length or 200
ELSEWHERE = (
    "This ISRC is in another label's catalogue: the recording was not imported. "
    "Ask the portal's staff if it should be yours."
)
# Made once: `json.dumps` with an option makes an encoder per call, half a digest's cost.
_JSON = json.JSONEncoder(ensure_ascii=False)


def digest_of(recording: Recording) -> str:
    """SHA-256 over what the file says of the work: title, artists, contributors,
    identifiers, duration and ℗ year."""
    said = [
        recording.title,
        [[p.name, p.isni] for p in recording.artists],
        [[p.name, p.isni, str(p.role)] for p in recording.contributors],
        recording.iswc,
        None if recording.duration is None else recording.duration.total_seconds(),
        recording.p_line_year,
    ]
    return hashlib.sha256(_JSON.encode(said).encode()).hexdigest()


def credits_of(recording: Recording) -> list[Person]:
    """The display artists as performers, then the contributors, each (name, role) once."""
    people = [Person(p.name, p.isni, Role.PERFORMER) for p in recording.artists]
    people += recording.contributors
    seen: set[tuple[str, str]] = set()
    credits = []
    for person in people:
        if (person.name, person.role) not in seen:
            seen.add((person.name, person.role))
            credits.append(person)
    return credits


def fault_of(recording: Recording) -> str | None:
    """Why the catalogue cannot hold this recording as the file says it, or None."""
    if not recording.title.strip():
        return "The recording has no title."
    if len(recording.title) > TITLE_MAX:
        return f"The title is longer than {TITLE_MAX} characters."
    if not recording.artists:
        return "The recording names no display artist."
    for text in [recording.title] + [p.name for p in recording.artists + recording.contributors]:
        if name_control_in(text) is not None:
            return "A title or name holds a control character."
    for person in recording.artists + recording.contributors:
        if not person.name.strip() or len(person.name) > NAME_MAX:
            return f"An artist or contributor's name is empty or over {NAME_MAX} characters."
    return None


@dataclass
class Written:
    """What a batch of recordings became."""

    work_ids: dict[str, int] = field(default_factory=dict)  # ISRC -> work, every one kept
    created: list[int] = field(default_factory=list)
    grown: Counter[int] = field(default_factory=Counter)  # primary artist -> works created


FIELDS = ("title", "primary_artist_id", "iswc", "duration", "p_line_year")
LABELS = {
    "title": "title",
    "primary_artist_id": "artist",
    "iswc": "ISWC",
    "duration": "duration",
    "p_line_year": "℗ year",
}


def _shown(name: str, value: object) -> str:
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"
    return "none" if value in (None, "") else str(value)


def _changes(before: dict[str, object], after: dict[str, object], names: dict[int, str]) -> str:
    said = []
    for name in FIELDS:
        old, new = before[name], after[name]
        if old != new:
            if name == "primary_artist_id":
                said.append(f"artist now {names.get(int(new), new)}")  # type: ignore[call-overload]
            else:
                said.append(f"{LABELS[name]} {_shown(name, old)} → {_shown(name, new)}")
    return "; ".join(said) or "credits changed"


def works_write(
    *,
    label_id: int,
    recordings: list[Recording],
    roster: Roster,
    report: Report,
    shown_on: dict[str, tuple[str, date | None]] | None = None,
) -> Written:
    """Create, update or recognise as unchanged the works of these recordings.

    About eight statements for the batch: the works by ISRC, the roster's lookup and
    insert, the works' insert and update, the changed works' credits deleted, every
    new credit inserted, the report's lines. New works take their release's title and
    date from `shown_on` (ISRC -> release). An ISRC another label holds is rejected
    (that label is not named); so is a recording the catalogue cannot hold as said.
    """
    shown_on = shown_on or {}
    latest: dict[str, Recording] = {}
    for recording in recordings:
        fault = fault_of(recording)
        if fault:
            report.reject(
                where=recording.where, isrc=recording.isrc, code="invalid_recording", message=fault
            )
        else:
            latest[recording.isrc] = recording  # said twice in a batch: the last says it
    found = Work.objects.order_by().filter(among("isrc", latest))
    existing = {
        row[0]: row for row in found.values_list("isrc", "pk", "label_id", "import_digest", *FIELDS)
    }
    written = Written()
    fresh: list[tuple[Recording, str]] = []
    changed: list[tuple[Recording, str, int, tuple[object, ...]]] = []
    for isrc, recording in latest.items():
        digest = digest_of(recording)
        row = existing.get(isrc)
        if row is None:
            fresh.append((recording, digest))
        elif row[2] != label_id:
            report.reject(
                where=recording.where, isrc=isrc, code="isrc_elsewhere", message=ELSEWHERE
            )
        elif row[3] == digest:
            report.tally.works_unchanged += 1
            written.work_ids[isrc] = row[1]
        else:
            changed.append((recording, digest, row[1], row[4:]))
    if not fresh and not changed:
        return written
    roster.resolve(p for r, *_ in fresh + changed for p in r.artists)

    def values(recording: Recording, digest: str) -> dict[str, object]:
        return {
            "title": recording.title,
            "primary_artist_id": roster.artist_id(recording.artists[0]),
            "iswc": recording.iswc,
            "duration": recording.duration,
            "p_line_year": recording.p_line_year,
            "import_digest": digest,
        }

    created = Work.objects.bulk_create(
        [
            Work(
                isrc=r.isrc,
                label_id=label_id,
                release_title=shown_on.get(r.isrc, ("", None))[0][:300],
                release_date=shown_on.get(r.isrc, ("", None))[1],
                **values(r, digest),
            )
            for r, digest in fresh
        ],
        batch_size=1000,
    )
    for work in created:
        written.work_ids[work.isrc] = work.pk
        written.created.append(work.pk)
        written.grown[work.primary_artist_id] += 1
    report.tally.works_created += len(created)
    # The label's pages count works per artist; see `consent.services.tallies`.
    work_counts_add({(label_id, artist): n for artist, n in written.grown.items()})
    updates = []
    moved: set[tuple[int, int]] = set()
    credited: dict[int, Move] = {}
    names = {pk: name for name, ids in roster.by_name.items() for pk, _ in ids}
    for recording, digest, work_id, stored in changed:
        after = values(recording, digest)
        before = dict(zip(FIELDS, stored, strict=True))
        was, now = before["primary_artist_id"], after["primary_artist_id"]
        if was != now:
            moved |= {(label_id, int(str(was))), (label_id, int(str(now)))}
            credited[work_id] = ((int(str(was)), label_id), (int(str(now)), label_id))
        work = Work(pk=work_id, **after)
        updates.append(work)
        written.work_ids[recording.isrc] = work_id
        report.updated(
            where=recording.where,
            isrc=recording.isrc,
            work_id=work_id,
            message=_changes(before, after, names),
        )
    if updates:
        Work.objects.bulk_update(updates, [*FIELDS, "import_digest"], batch_size=1000)
        Credit.objects.filter(work_id__in=[w.pk for w in updates]).delete()
        # A recording now credited to another artist loses the previous artist's answers
        # (they were never the new artist's), and the tallies follow.
        answers_of_moved_clear(moves=credited)
        groups_recount(groups=moved)
    report.tally.works_updated += len(updates)
    by_isrc = {r.isrc: r for r, *_ in fresh + changed}
    Credit.objects.bulk_create(
        [
            Credit(
                work_id=written.work_ids[isrc], name=p.name, isni=p.isni, role=p.role, position=i
            )
            for isrc, recording in by_isrc.items()
            if isrc in written.work_ids
            for i, p in enumerate(credits_of(recording))
        ],
        batch_size=2000,
    )
    return written
