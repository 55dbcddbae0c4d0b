"""DDEX ERN 4.1, 4.2 and 4.3: the NewReleaseMessage and the PurgeReleaseMessage.

A NewReleaseMessage lists its parties (PartyList), then its resources (ResourceList),
then its releases (ReleaseList), and names parties and resources by reference. What is
read:

- `PartyList/Party`: PartyReference, the name (PartyName/FullName) and ISNI
  (PartyId/ISNI), kept by reference for the recordings that follow.
- `ResourceList/SoundRecording`: the ISRC (`SoundRecordingEdition/ResourceId/ISRC` in
  4.2 and 4.3, `ResourceId/ISRC` in 4.1), the display title (DisplayTitleText, else
  DisplayTitle/TitleText), the display artists in their SequenceNumber order (a
  MainArtist or Artist is an owner, a FeaturedArtist a credit), the contributors and
  their roles (`roles.py`; HasMadeFeaturedContribution makes a performer featured), the
  ISWC (WorkId/ISWC), the Duration and the ℗ year (PLine/Year). A recording whose
  display artists name no party of the list is credited to its DisplayArtistName.
- `ReleaseList/Release`: its title, ReleaseId (GRid, ICPN, ProprietaryId and its
  Namespace), ReleaseDate (else OriginalReleaseDate) and its tracks from the
  ResourceGroup (`ddex.tracks`). `TrackRelease`s are not read: each repeats one track
  of a release the message carries, and the portal's works are the recordings
  themselves.
- A PurgeReleaseMessage's `PurgedRelease/ReleaseId`: a `Takedown`.

Deals are not read: whether a release may be sold is not the portal's concern.
"""

from collections.abc import Iterator

from portal.imports.formats import assemble, ddex
from portal.imports.formats.assemble import RawPerson, RawRecording, RawRelease
from portal.imports.formats.xml import Children, Document, Element, Node, sequence, text
from portal.imports.records import Item, Recording, Role

PARTY = "PartyList/Party"
RECORDING = "ResourceList/SoundRecording"
RELEASE = "ReleaseList/Release"
OWNERS = ("MainArtist", "Artist")


def read(document: Document) -> Iterator[Item]:
    if document.root == "PurgeReleaseMessage":
        yield from ddex.purged(document)
        return
    parties: dict[str, RawPerson] = {}
    isrc_of: dict[str, str] = {}
    for node in document.nodes([PARTY, RECORDING, RELEASE]):
        if node.path == PARTY:
            reference = text(node.element, "PartyReference")
            parties[reference] = _party(node.element)
        elif node.path == RECORDING:
            said = Children(node.element)
            for item in assemble.recording(_recording(node.where, said, parties)):
                if isinstance(item, Recording):
                    isrc_of[said.text("ResourceReference")] = item.isrc
                yield item
        else:
            yield from assemble.release(_release(node, isrc_of))


def _party(element: Element) -> RawPerson:
    name = ddex.preferred_text(element, "PartyName", "FullName")
    isni = next((isni for found in element.iterfind("PartyId/ISNI") if (isni := found.text)), "")
    return RawPerson(name, isni or "")


def _recording(where: str, said: Children, parties: dict[str, RawPerson]) -> RawRecording:
    """The recording whose children are `said`."""
    edition = _edition(said)
    raw = RawRecording(
        where=where,
        isrc=edition.text("ResourceId/ISRC"),
        title=ddex.preferred_text_of(said.all("DisplayTitleText"))
        or ddex.preferred_text_of(said.all("DisplayTitle"), "TitleText"),
        iswc=said.text("WorkId/ISWC"),
        duration=said.text("Duration"),
        p_line_year=_p_line_year(edition, said),
    )
    for artist in _in_sequence(said.all("DisplayArtist")):
        shown = Children(artist)
        person = _named(shown.text("ArtistPartyReference"), parties, raw)
        if person is None:
            continue
        if shown.text("DisplayArtistRole") in (*OWNERS, ""):
            raw.artists.append(person)
        else:  # FeaturedArtist, and any other role a display artist is given
            raw.contributors.append(RawPerson(person.name, person.isni, Role.FEATURED))
    if not raw.artists and (name := ddex.preferred_text_of(said.all("DisplayArtistName"))):
        raw.artists.append(RawPerson(name))
    for contributor in _in_sequence(said.all("Contributor")):
        credited = Children(contributor)
        person = _named(credited.text("ContributorPartyReference"), parties, raw)
        if person is not None:
            flags = credited.all("HasMadeFeaturedContribution")
            featured = bool(flags) and flags[0].text == "true"
            for role in ddex.roles(credited.all("Role")):
                shown_as = Role.FEATURED if featured and role == Role.PERFORMER else role
                raw.contributors.append(RawPerson(person.name, person.isni, shown_as))
    return raw


def _in_sequence(found: list[Element]) -> list[Element]:
    return sorted(found, key=lambda one: sequence(one, 0)) if len(found) > 1 else found


def _named(reference: str, parties: dict[str, RawPerson], raw: RawRecording) -> RawPerson | None:
    person = parties.get(reference)
    if person is None:
        raw.warnings.append(
            assemble.warning(
                raw.where,
                "unknown_party",
                f"The recording names party {reference[:40]!r}, which the PartyList does "
                "not hold; it was left out.",
            )
        )
    return person


def _edition(said: Children) -> Children:
    """Where the ISRC and ℗ line are: the stereo edition of a 4.2+ recording (an immersive
    one may carry an ISRC of its own), else the recording itself (4.1)."""
    editions = [Children(edition) for edition in said.all("SoundRecordingEdition")]
    for edition in editions:
        if edition.text("Type") in ("", "NonImmersiveEdition"):
            return edition
    return editions[0] if editions else said


def _p_line_year(edition: Children, said: Children) -> str:
    for lines in (edition.all("PLine"), said.all("PLine")):
        if (line := ddex.preferred_of(lines)) is not None:
            return text(line, "Year")
    return ""


def _release(node: Node, isrc_of: dict[str, str]) -> RawRelease:
    element = node.element
    return RawRelease(
        where=node.where,
        title=ddex.preferred_text(element, "DisplayTitleText")
        or ddex.preferred_text(element, "DisplayTitle", "TitleText"),
        ids=ddex.release_ids(element),
        release_date=ddex.preferred_text(element, "ReleaseDate")
        or ddex.preferred_text(element, "OriginalReleaseDate"),
        tracks=ddex.tracks(element.findall("ResourceGroup"), isrc_of, []),
    )
