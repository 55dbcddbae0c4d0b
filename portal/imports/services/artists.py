"""Matching the artists a file names to the label's roster: by ISNI, then by exact name;
a display artist matched by neither is created on the roster, marked for staff."""

from collections.abc import Iterable

from django.db.models import Q

from portal.catalogue.models import Artist
from portal.imports.records import Person


class Roster:
    """The label's roster as one file's import sees it. Looked up a batch at a time (one
    query for the names and ISNIs not seen before, one insert for those still missing)
    and remembered for the rest of the file, so a name repeated on every line of a
    catalogue costs one lookup. Lives no longer than the file's transaction: artists it
    created vanish if the file rolls back."""

    def __init__(self, *, label_id: int) -> None:
        self.label_id = label_id
        self.by_isni: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = {}  # name -> [(id, isni)]
        self.seen_names: set[str] = set()
        self.seen_isnis: set[str] = set()
        self.created: set[int] = set()
        self.matched: set[int] = set()

    def _find(self, person: Person) -> int | None:
        if person.isni and person.isni in self.by_isni:
            return self.by_isni[person.isni]
        # Two people may share a name: one whose ISNI differs from the file's is not them.
        for pk, isni in self.by_name.get(person.name, ()):
            if not isni or not person.isni or isni == person.isni:
                return pk
        return None

    def _remember(self, pk: int, name: str, isni: str) -> None:
        if isni:
            self.by_isni.setdefault(isni, pk)
        self.by_name.setdefault(name, []).append((pk, isni))

    def resolve(self, people: Iterable[Person]) -> None:
        """Make sure every one of these people has an artist on the roster."""
        people = list(people)
        names = {p.name for p in people} - self.seen_names
        isnis = {p.isni for p in people if p.isni} - self.seen_isnis
        if names or isnis:
            for pk, name, isni in (
                Artist.objects.filter(label_id=self.label_id)
                .filter(Q(name__in=names) | Q(isni__in=isnis))
                .order_by("pk")
                .values_list("pk", "name", "isni")
            ):
                self._remember(pk, name, isni)
            self.seen_names |= names
            self.seen_isnis |= isnis
        missing: dict[str, Person] = {}
        for person in people:
            if self._find(person) is None:
                missing.setdefault(person.isni or person.name, person)
        if not missing:
            return
        created = Artist.objects.bulk_create(
            [
                Artist(name=p.name, isni=p.isni, label_id=self.label_id, created_by_import=True)
                for p in missing.values()
            ]
        )
        for artist in created:
            self._remember(artist.pk, artist.name, artist.isni)
            self.created.add(artist.pk)

    def artist_id(self, person: Person) -> int:
        """The roster artist of someone `resolve` has seen; counted as matched unless this
        file created them."""
        pk = self._find(person)
        assert pk is not None, f"{person.name} was not resolved"
        if pk not in self.created:
            self.matched.add(pk)
        return pk
