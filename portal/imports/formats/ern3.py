"""DDEX ERN 3.8.x (3.8, 3.8.1, 3.8.2, 3.8.3): the NewReleaseMessage, and the
PurgeReleaseMessage as in ERN 4.

ERN 3.8 names its parties inline: each display artist and contributor carries its own
PartyName and PartyId, and most of what a recording or release says sits in a
DetailsByTerritory block (the Worldwide one, else the first, is read). What is read:

- `ResourceList/SoundRecording`: SoundRecordingId/ISRC, the display title (the
  details' Title of TitleType DisplayTitle, else ReferenceTitle), the details'
  DisplayArtists in SequenceNumber order (ArtistRole MainArtist or Artist: an owner;
  FeaturedArtist: a credit) with their FullName and ISNI (a PartyId marked IsISNI or
  in the ISNI namespace), ResourceContributors and IndirectResourceContributors (the
  composers and lyricists) with their roles (`roles.py`; IsFeaturedArtist makes a
  performer featured), the ISWC (IndirectSoundRecordingId/ISWC), the Duration and the
  ℗ year (the details' PLine/Year).
- `ReleaseList/Release`: title, ReleaseId(s) (GRid, ICPN, ProprietaryId), release date
  (the details' ReleaseDate, else OriginalReleaseDate, else GlobalReleaseDate), tracks
  from the details' ResourceGroup, else its ReleaseResourceReferenceList. A release of
  ReleaseType TrackRelease is not read, as in ERN 4.
- `DealList/ReleaseDeal`: a deal whose DealTerms say TakeDown `true` takes the releases
  it names down (a `Takedown` each, after the release itself).
"""

from collections.abc import Iterator

from portal.imports.formats import assemble, ddex
from portal.imports.formats.assemble import RawPerson, RawRecording, RawRelease
from portal.imports.formats.xml import Document, Element, Node, find_all, sequence, text
from portal.imports.records import IdKind, Item, Recording, Role

RECORDING = "ResourceList/SoundRecording"
RELEASE = "ReleaseList/Release"
DEAL = "DealList/ReleaseDeal"
OWNERS = ("MainArtist", "Artist")


def read(document: Document) -> Iterator[Item]:
    if document.root == "PurgeReleaseMessage":
        yield from ddex.purged(document)
        return
    isrc_of: dict[str, str] = {}
    # Releases by reference, for the deals after them; track releases are not read.
    releases: dict[str, list[tuple[IdKind, str, str]]] = {}
    track_releases: set[str] = set()
    for node in document.nodes([RECORDING, RELEASE, DEAL]):
        element = node.element
        if node.path == RECORDING:
            for item in assemble.recording(_recording(node)):
                if isinstance(item, Recording):
                    isrc_of[text(element, "ResourceReference")] = item.isrc
                yield item
        elif node.path == RELEASE:
            reference = text(element, "ReleaseReference")
            details = _details(element, "ReleaseDetailsByTerritory")
            types = {text(found, ".") for found in element.iterfind("ReleaseType")}
            if details is not None:
                types |= {text(found, ".") for found in details.iterfind("ReleaseType")}
            if "TrackRelease" in types:
                track_releases.add(reference)
                continue
            releases[reference] = ddex.release_ids(element)
            yield from assemble.release(_release(node, details, isrc_of))
        else:
            yield from _takedowns(node, releases, track_releases)


def _details(element: Element, path: str) -> Element | None:
    """The Worldwide details, else the first."""
    found = element.findall(path)
    for details in found:
        if "Worldwide" in (text(code, ".") for code in details.iterfind("TerritoryCode")):
            return details
    return found[0] if found else None


def _title(element: Element, details: Element | None) -> str:
    if details is not None:
        for title in details.iterfind("Title"):
            if title.get("TitleType") == "DisplayTitle" and (shown := text(title, "TitleText")):
                return shown
    return text(element, "ReferenceTitle/TitleText")


def _person(element: Element, role: Role = Role.PERFORMER) -> RawPerson:
    isni = ""
    for party_id in element.iterfind("PartyId"):
        if party_id.get("IsISNI") == "true" or party_id.get("Namespace", "").upper() == "ISNI":
            isni = (party_id.text or "").strip()
            break
    return RawPerson(ddex.preferred_text(element, "PartyName", "FullName"), isni, role)


def _recording(node: Node) -> RawRecording:
    element = node.element
    details = _details(element, "SoundRecordingDetailsByTerritory")
    raw = RawRecording(
        where=node.where,
        isrc=text(element, "SoundRecordingId/ISRC"),
        title=_title(element, details),
        iswc=text(element, "IndirectSoundRecordingId/ISWC"),
        duration=text(element, "Duration"),
    )
    if details is None:
        return raw
    raw.p_line_year = text(details, "PLine/Year")
    for artist in sorted(details.iterfind("DisplayArtist"), key=lambda a: sequence(a, 0)):
        roles = {text(found, ".") for found in artist.iterfind("ArtistRole")}
        if roles & set(OWNERS) or not roles:
            raw.artists.append(_person(artist))
        elif "FeaturedArtist" in roles:
            raw.contributors.append(_person(artist, Role.FEATURED))
    if not raw.artists and (name := text(details, "DisplayArtistName")):
        raw.artists.append(RawPerson(name))
    contributors = [
        (found, "ResourceContributorRole") for found in details.iterfind("ResourceContributor")
    ] + [
        (found, "IndirectResourceContributorRole")
        for found in details.iterfind("IndirectResourceContributor")
    ]
    for contributor, path in sorted(contributors, key=lambda pair: sequence(pair[0], 0)):
        featured = text(contributor, "IsFeaturedArtist") == "true"
        for role in ddex.roles(find_all(contributor, path)):
            shown = Role.FEATURED if featured and role == Role.PERFORMER else role
            raw.contributors.append(_person(contributor, shown))
    return raw


def _release(node: Node, details: Element | None, isrc_of: dict[str, str]) -> RawRelease:
    element = node.element
    dates = [text(element, "GlobalReleaseDate"), text(element, "GlobalOriginalReleaseDate")]
    if details is not None:
        dates[:0] = [text(details, "ReleaseDate"), text(details, "OriginalReleaseDate")]
    return RawRelease(
        where=node.where,
        title=_title(element, details),
        ids=ddex.release_ids(element),
        release_date=next((day for day in dates if day), ""),
        tracks=ddex.tracks(
            details.findall("ResourceGroup") if details is not None else [],
            isrc_of,
            [
                text(found, ".")
                for found in element.iterfind(
                    "ReleaseResourceReferenceList/ReleaseResourceReference"
                )
            ],
        ),
    )


def _takedowns(
    node: Node, releases: dict[str, list[tuple[IdKind, str, str]]], track_releases: set[str]
) -> Iterator[Item]:
    if not any(text(terms, "TakeDown") == "true" for terms in node.element.iter("DealTerms")):
        return
    for found in node.element.iterfind("DealReleaseReference"):
        reference = text(found, ".")
        if reference in releases:
            yield from assemble.takedown(node.where, releases[reference])
        elif reference not in track_releases:
            yield assemble.rejected(
                node.where,
                "unknown_release",
                f"The take-down deal names release {reference[:40]!r}, which the message "
                "does not carry.",
            )
