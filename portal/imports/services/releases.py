"""Releases, their identifiers and tracks, set-based, and the take-downs that name them.

A release is found by any of its identifiers (GRid, ICPN, a proprietary id in its
namespace), within the label; one with none by the label, title and date. Take-downs
mark the release here, in the file's transaction; the works they withdraw are worked
out after it commits (`withdrawable`), through consent's services.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from portal.catalogue.models import Release, ReleaseIdentifier, Track, Work
from portal.imports import records
from portal.imports.services.among import among
from portal.imports.services.report import Report

IdKey = tuple[str, str, str]  # kind, namespace, value


def _keys(ids: Iterable[records.ReleaseId]) -> list[IdKey]:
    return [(str(i.kind), i.namespace, i.value) for i in ids]


def _found(label_id: int, ids: set[IdKey]) -> dict[IdKey, int]:
    """The releases these identifiers name, within the label (one query)."""
    if not ids:
        return {}
    rows = (
        ReleaseIdentifier.objects.order_by()
        .filter(among("value", {value for _, _, value in ids}), label_id=label_id)
        .values_list("kind", "namespace", "value", "release_id")
    )
    return {(k, n, v): pk for k, n, v, pk in rows if (k, n, v) in ids}


@dataclass
class Merged:
    """One release as the batch says it, however many items named it."""

    title: str
    release_date: date | None
    ids: list[IdKey] = field(default_factory=list)
    tracks: dict[str, records.Track] = field(default_factory=dict)  # ISRC -> where


def _merge(releases: list[records.Release], found: dict[IdKey, int]) -> dict[object, Merged]:
    merged: dict[object, Merged] = {}
    for release in releases:
        keys = _keys(release.ids)
        known = next((found[k] for k in keys if k in found), None)
        key: object = ("release", known) if known else (keys[0] if keys else None)
        if key is None:
            key = ("untitled", release.title, release.release_date)
        one = merged.setdefault(key, Merged(release.title, release.release_date))
        one.title, one.release_date = release.title, release.release_date
        one.ids += [k for k in keys if k not in one.ids]
        for track in release.tracks:
            one.tracks.setdefault(track.isrc, track)
    return merged


def releases_write(
    *, label_id: int, releases: list[records.Release], work_ids: dict[str, int], report: Report
) -> set[int]:
    """Create or update these releases, add identifiers and tracks they lack. Tracks name
    works by ISRC: those the file wrote (`work_ids`), or of the label's catalogue; one the
    catalogue lacks (its recording was rejected) is left out. Returns the ids of works
    now on a live release that are withdrawn: the file releases them again.

    About ten statements for the batch.
    """
    found = _found(label_id, {k for r in releases for k in _keys(r.ids)})
    merged = _merge(releases, found)
    untitled = {(m.title, m.release_date) for key, m in merged.items() if not m.ids}
    by_title: dict[tuple[str, date | None], int] = {}
    if untitled:
        # By title and date together: a catalogue holds many releases of one title
        # ("Greatest Hits"), and reading them all for every batch grows with the label.
        same = Q()
        for title, day in untitled:
            same |= Q(title=title, release_date=day)
        for pk, title, day in (
            Release.objects.filter(label_id=label_id)
            .filter(same)
            .filter(identifiers__isnull=True)
            .order_by("pk")
            .values_list("pk", "title", "release_date")
        ):
            by_title.setdefault((title, day), pk)
    target: dict[object, int | None] = {}
    for key, one in merged.items():
        known = next((found[k] for k in one.ids if k in found), None)
        target[key] = known or (
            by_title.get((one.title, one.release_date)) if not one.ids else None
        )
    rows = Release.objects.order_by().filter(among("id", [pk for pk in target.values() if pk]))
    stored = {
        pk: (title, day, withdrawn)
        for pk, title, day, withdrawn in rows.values_list(
            "pk", "title", "release_date", "withdrawn_at"
        )
    }
    new_keys = [key for key, pk in target.items() if pk is None]
    created = Release.objects.bulk_create(
        [
            Release(label_id=label_id, title=merged[k].title, release_date=merged[k].release_date)
            for k in new_keys
        ]
    )
    for key, release in zip(new_keys, created, strict=True):
        target[key] = release.pk
    ids: dict[object, int] = {key: pk for key, pk in target.items() if pk is not None}
    report.tally.releases_created += len(created)
    changed = [
        Release(pk=pk, title=merged[key].title, release_date=merged[key].release_date)
        for key, pk in target.items()
        if pk in stored and stored[pk][:2] != (merged[key].title, merged[key].release_date)
    ]
    if changed:
        Release.objects.bulk_update(changed, ["title", "release_date"])
    report.tally.releases_updated += len(changed)
    again = [pk for pk, (_, _, withdrawn) in stored.items() if withdrawn is not None]
    if again:
        Release.objects.filter(pk__in=again).update(withdrawn_at=None)
    ReleaseIdentifier.objects.bulk_create(
        [
            ReleaseIdentifier(
                release_id=ids[key], label_id=label_id, kind=kind, namespace=ns, value=value
            )
            for key, one in merged.items()
            for kind, ns, value in one.ids
            if (kind, ns, value) not in found
        ],
        ignore_conflicts=True,
    )
    return _tracks_write(label_id=label_id, merged=merged, target=target, work_ids=work_ids)


def _tracks_write(
    *,
    label_id: int,
    merged: dict[object, Merged],
    target: dict[object, int | None],
    work_ids: dict[str, int],
) -> set[int]:
    wanted = {isrc for one in merged.values() for isrc in one.tracks}
    works = dict(work_ids)
    missing = wanted - works.keys()
    if missing:
        works.update(
            Work.objects.order_by()
            .filter(among("isrc", missing), label_id=label_id)
            .values_list("isrc", "pk")
        )
    release_ids = [pk for pk in target.values() if pk]
    tracks = Track.objects.order_by().filter(among("release_id", release_ids))
    existing = {
        (release_id, work_id): (pk, disc, number)
        for pk, release_id, work_id, disc, number in tracks.values_list(
            "pk", "release_id", "work_id", "disc", "number"
        )
    }
    new, moved = [], []
    on_releases: set[int] = set()
    for key, one in merged.items():
        release_id = target[key]
        assert release_id is not None
        for isrc, track in one.tracks.items():
            if isrc not in works:
                continue
            work_id = works[isrc]
            on_releases.add(work_id)
            row = existing.get((release_id, work_id))
            if row is None:
                new.append(
                    Track(
                        release_id=release_id, work_id=work_id, disc=track.disc, number=track.number
                    )
                )
            elif row[1:] != (track.disc, track.number):
                moved.append(Track(pk=row[0], disc=track.disc, number=track.number))
    Track.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    if moved:
        Track.objects.bulk_update(moved, ["disc", "number"], batch_size=1000)
    if not on_releases:
        return set()
    return set(
        Work.objects.order_by()
        .filter(among("id", on_releases), withdrawn_at__isnull=False)
        .values_list("pk", flat=True)
    )


def takedowns_mark(
    *, label_id: int, takedowns: list[records.Takedown], at: datetime, report: Report
) -> set[int]:
    """Mark the releases these take-downs name as withdrawn; returns the ids of the works
    they carry, which `withdrawable` narrows once the file has committed. A take-down
    naming no release of the label is a warning."""
    found = _found(label_id, {k for t in takedowns for k in _keys(t.ids)})
    release_ids: set[int] = set()
    for takedown in takedowns:
        named = {found[k] for k in _keys(takedown.ids) if k in found}
        if not named:
            report.warn(
                where=takedown.where,
                isrc="",
                code="unknown_release",
                message="The take-down names no release of the label's catalogue.",
            )
        release_ids |= named
    if not release_ids:
        return set()
    Release.objects.filter(pk__in=release_ids, withdrawn_at__isnull=True).update(withdrawn_at=at)
    return set(Track.objects.filter(release_id__in=release_ids).values_list("work_id", flat=True))


def out_of_step(*, label_id: int) -> tuple[set[int], set[int]]:
    """The label's works whose state lags its releases: live ones that only withdrawn
    releases carry, and withdrawn ones a live release carries. Both empty unless a
    withdrawal or reinstatement was lost after its file committed (a worker killed in
    between, an error): the releases are the record, so this finds what is owed."""
    on_withdrawn = Track.objects.filter(
        release__label_id=label_id, release__withdrawn_at__isnull=False
    ).values_list("work_id", flat=True)
    carried_live = Track.objects.filter(
        release__label_id=label_id,
        release__withdrawn_at__isnull=True,
        work__withdrawn_at__isnull=False,
    ).values_list("work_id", flat=True)
    return set(withdrawable(work_ids=set(on_withdrawn))), set(carried_live)


def withdrawable(*, work_ids: Iterable[int]) -> list[int]:
    """Those of these works that no live release still carries."""
    ids = list(work_ids)
    carried = Track.objects.filter(work_id__in=ids, release__withdrawn_at__isnull=True)
    return sorted(
        Work.objects.filter(pk__in=ids, withdrawn_at__isnull=True)
        .exclude(pk__in=carried.values("work_id"))
        .values_list("pk", flat=True)
    )
