"""What DDEX ERN 3.8 and 4.x share: telling the versions apart, release identifiers, a
release's tracks from its ResourceGroup, the PurgeReleaseMessage, and choosing among a
value's territorial or language variants."""

import re
from collections.abc import Iterator, Mapping

from portal.imports.formats import assemble
from portal.imports.formats.roles import roles_of
from portal.imports.formats.xml import Document, Element, find_all, sequence, text
from portal.imports.records import IdKind, Item, Role, Track, Unreadable

ERN_3 = "ern3"
ERN_4 = "ern4"
MESSAGES = ("NewReleaseMessage", "PurgeReleaseMessage")
_NAMESPACE = re.compile(r"https?://ddex\.net/xml/ern/(\d+)/?")
_DECLARED = re.compile(r"ern/(\d+)")


def version_of(document: Document) -> str:
    """ERN_3 (3.8.x) or ERN_4 (4.1 to 4.3), by the root's namespace, whatever its prefix;
    a root in no namespace is taken at its MessageSchemaVersionId's word."""
    if document.root not in MESSAGES:
        raise Unreadable(
            f"The file is XML but not a DDEX ERN message: its root element is "
            f"<{document.root[:60]}>, not <NewReleaseMessage> or <PurgeReleaseMessage>."
        )
    found = _NAMESPACE.fullmatch(document.namespace)
    if found is None and not document.namespace:
        found = _DECLARED.search(document.attrib.get("MessageSchemaVersionId", ""))
    if found is None:
        raise Unreadable(
            f"The message's namespace ({document.namespace[:100] or 'none'}) is not DDEX "
            "ERN's (http://ddex.net/xml/ern/43 and the like)."
        )
    digits = found.group(1)
    if digits.startswith("38"):
        return ERN_3
    if digits.startswith("4"):
        return ERN_4
    shown = f"{digits[0]}.{digits[1:]}" if len(digits) > 1 else digits
    raise Unreadable(f"ERN {shown} is not read: send ERN 3.8 or 4.1 to 4.3.")


def preferred(element: Element, path: str) -> Element | None:
    """Of a value given several times (by territory or language), the default one: marked
    IsDefault, else Worldwide or for no territory in particular, else the first."""
    return preferred_of(find_all(element, path))


def preferred_of(found: list[Element]) -> Element | None:
    """`preferred` among elements already found."""
    if len(found) <= 1:
        return found[0] if found else None
    for candidate in found:
        if candidate.get("IsDefault") == "true":
            return candidate
    for candidate in found:
        territory = candidate.get("ApplicableTerritoryCode") or text(candidate, "TerritoryCode")
        if territory in ("", "Worldwide"):
            return candidate
    return found[0]


def preferred_text(element: Element, path: str, inner: str = "") -> str:
    return preferred_text_of(find_all(element, path), inner)


def preferred_text_of(found: list[Element], inner: str = "") -> str:
    """The text of `preferred_of(found)`, or of its `inner` element."""
    chosen = preferred_of(found)
    if chosen is None:
        return ""
    return text(chosen, inner) if inner else (chosen.text or "").strip()


def roles(found: list[Element]) -> list[Role]:
    """Each role these elements give, mapped (`roles.py`); a UserDefined one by its
    UserDefinedValue."""
    mapped: list[Role] = []
    for one in found:
        name = (one.text or "").strip()
        if name == "UserDefined":
            name = one.get("UserDefinedValue", "")
        mapped.extend(role for role in roles_of(name) if role not in mapped)
    return mapped


def release_ids(element: Element) -> list[tuple[IdKind, str, str]]:
    """Every GRid, ICPN and proprietary id of the element's ReleaseId(s)."""
    ids: list[tuple[IdKind, str, str]] = []
    for release_id in element.iterfind("ReleaseId"):
        ids.extend((IdKind.GRID, grid.text or "", "") for grid in release_id.iter("GRid"))
        ids.extend((IdKind.ICPN, icpn.text or "", "") for icpn in release_id.iter("ICPN"))
        ids.extend(
            (IdKind.PROPRIETARY, own.text or "", own.get("Namespace", ""))
            for own in release_id.iter("ProprietaryId")
        )
    return ids


def tracks(
    groups: list[Element], isrc_of: Mapping[str, str], references: list[str]
) -> tuple[Track, ...]:
    """The recordings a release carries, by disc and number.

    The release's ResourceGroup stands for the release: the groups directly in it are its
    discs (numbered by their SequenceNumber, else their order), and each item's
    SequenceNumber is its track number on the disc. Items directly in the release's group
    are on disc 1; groups deeper than the discs (sides, a work's movements) number their
    items on from the disc's last track. Without a ResourceGroup (ERN 3.8 allows it), the
    release's resource references are disc 1 in order. References to anything but a
    recording read from the message (an image, a rejected recording) are left out.
    """
    found: dict[str, Track] = {}
    last: dict[int, int] = {}

    def add(reference: str, disc: int, number: int | None) -> None:
        isrc = isrc_of.get(reference)
        if isrc is None or isrc in found:
            return
        number = number if number is not None else last.get(disc, 0) + 1
        last[disc] = max(last.get(disc, 0), number)
        found[isrc] = Track(isrc=isrc, disc=disc, number=number)

    def walk(group: Element, disc: int, numbered: bool) -> None:
        for position, item in enumerate(group.iterfind("ResourceGroupContentItem"), start=1):
            number = sequence(item, position) if numbered else None
            add(text(item, "ReleaseResourceReference"), disc, number)
        for sub in group.iterfind("ResourceGroup"):
            walk(sub, disc, numbered=False)

    for group in groups:
        for position, item in enumerate(group.iterfind("ResourceGroupContentItem"), start=1):
            add(text(item, "ReleaseResourceReference"), 1, sequence(item, position))
        for position, disc_group in enumerate(group.iterfind("ResourceGroup"), start=1):
            walk(disc_group, sequence(disc_group, position), numbered=True)
    if not groups:
        for reference in references:
            add(reference, 1, None)
    return tuple(found.values())


def purged(document: Document) -> Iterator[Item]:
    """A PurgeReleaseMessage: the release it names is taken down."""
    for node in document.nodes(["PurgedRelease"]):
        yield from assemble.takedown(node.where, release_ids(node.element))
