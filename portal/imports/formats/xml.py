"""XML read safely and as a stream.

Entities, the billion laughs among them, and external entities can only be declared in
a document type declaration (DTD), and a DTD can only stand before the root element.
So the file is read up to its root element by `defusedxml`, with DTDs forbidden: a
file that declares one is refused there, before anything is expanded or fetched. The
same bytes and the rest of the file then go through lxml's parser (libxml2), told to
expand no entity, load no DTD and fetch nothing: without a DTD, an entity reference
is a well-formedness error to it, and a DTD after the root element a syntax error.

The file is fed in chunks. The parser reports only the ends of the elements that make
up DDEX's lists (`LIST_ITEMS`), so Python sees a few events per record rather than two
per element: four times faster over a million recordings. Each record a reader asks
for (a `SoundRecording`, a `Release`) is handed over complete and then dropped from the
tree with everything before it, so memory holds one record at a time whatever the
file's length.

Tags are compared by local name: a sender may write `<ern:NewReleaseMessage>`,
`<x:NewReleaseMessage>` or a default namespace, and may or may not qualify the child
elements. A record's elements are renamed to their local names before it is handed
over, so readers use plain paths (`ResourceId/ISRC`).
"""

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, NoReturn, TypeAlias, cast
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser as DefusedParser
from lxml import etree

from portal.imports.records import Unreadable

CHUNK = 64 * 1024
# A root element further in than this is not a catalogue file's.
PROLOG_LIMIT = 1024 * 1024
# DDEX messages nest a dozen levels; libxml2 refuses more than this (without its "huge"
# option), before the parser's work can grow with them.
MAX_DEPTH = 256
# The elements DDEX's lists hold, below the message's root: the ends the parser reports.
# Those not asked for are dropped as the next record ends, so a long deal list does
# not pile up either.
LIST_ITEMS = frozenset(
    {"Party", "SoundRecording", "Video", "Image", "Text", "SheetMusic", "Software"}
    | {"Release", "TrackRelease", "ReleaseDeal", "MusicalWork", "PurgedRelease"}
)
Element: TypeAlias = etree._Element
# expat's codes (the prolog) for a document that stops before it ends.
_ENDS_EARLY = {3, 5, 6}  # no element found, unclosed token, partial character
# libxml2's, met when the data runs out.
_CUT_SHORT = {
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY,
    etree.ErrorTypes.ERR_TAG_NOT_FINISHED,
    etree.ErrorTypes.ERR_GT_REQUIRED,
    etree.ErrorTypes.ERR_LTSLASH_REQUIRED,
    etree.ErrorTypes.ERR_ATTRIBUTE_NOT_FINISHED,
    etree.ErrorTypes.ERR_LITERAL_NOT_FINISHED,
    etree.ErrorTypes.ERR_COMMENT_NOT_FINISHED,
    etree.ErrorTypes.ERR_CDATA_NOT_FINISHED,
    etree.ErrorTypes.ERR_PI_NOT_FINISHED,
    etree.ErrorTypes.ERR_NAME_REQUIRED,
}
# libxml2's errors in the words people meet them in.
_REASONS = {
    etree.ErrorTypes.ERR_TAG_NAME_MISMATCH: "mismatched tag",
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY: "undefined entity",
    etree.ErrorTypes.ERR_DOCUMENT_END: "junk after document element",
    etree.ErrorTypes.ERR_INVALID_CHAR: "invalid character",
}


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


@dataclass(frozen=True, slots=True)
class Node:
    """A complete record element, where the file has it."""

    path: str  # below the root: "ResourceList/SoundRecording"
    element: Element
    where: str  # "/NewReleaseMessage/ResourceList/SoundRecording[3]"


class Document:
    """An XML document being read: its root is known once `open_document` returns; its
    records come from `nodes`, once."""

    def __init__(self, tag: str, attrib: dict[str, str], stream: IO[bytes], head: list[bytes]):
        self.root = local(tag)
        self.namespace = namespace(tag)
        self.attrib = attrib
        self._stream = stream
        self._head = head

    def nodes(self, wanted: Iterable[str]) -> Iterator[Node]:
        """Yield each element whose path below the root is in `wanted` (two levels down),
        complete, then drop it and what came before it."""
        wanted = frozenset(wanted)
        names = {path.rpartition("/")[2] for path in wanted} | LIST_ITEMS
        parser = etree.XMLPullParser(
            events=("end",),
            tag=[f"{{*}}{name}" for name in sorted(names)],
            # lxml expands only the entities a document declares, and no DTD gets this
            # far to declare one; nothing is loaded or fetched.
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
            collect_ids=False,
        )
        chunks = itertools.chain(self._head, iter(lambda: self._stream.read(CHUNK), b""))
        counts: Counter[str] = Counter()
        chunk = b""
        try:
            for chunk in itertools.chain(chunks, [b""]):
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for _, element in cast(Iterator[tuple[str, Element]], parser.read_events()):
                    parent = element.getparent()
                    if parent is None:
                        continue  # the root
                    root = parent.getparent()
                    if root is None:  # one level down
                        path = local(element.tag)
                    elif root.getparent() is None:  # two
                        path = f"{local(parent.tag)}/{local(element.tag)}"
                    else:
                        continue  # deeper: part of a record, handed over with it
                    if path in wanted:
                        counts[path] += 1
                        if element.tag[0] == "{":
                            for inner in element.iter():
                                inner.tag = local(inner.tag)
                        yield Node(path, element, f"/{self.root}/{path}[{counts[path]}]")
                    # Let go of the record, its earlier siblings and the lists before it.
                    element.clear()
                    while element.getprevious() is not None:
                        del parent[0]
                    while root is not None and parent.getprevious() is not None:
                        del root[0]
        except etree.XMLSyntaxError as exc:
            _refuse(exc, at_end=not chunk)


class _Root(Exception):
    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        super().__init__(tag)
        self.tag = tag
        self.attrib = attrib


class _RootFinder:
    """The target of the prolog's parse: it stops the parser at the root element."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _Root(tag, dict(attrib))

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


def open_document(stream: IO[bytes]) -> Document:
    """Read up to the root element, refusing a DTD, and return the document whose
    records are still to be read."""
    prolog = DefusedParser(target=_RootFinder(), forbid_dtd=True)
    head: list[bytes] = []
    try:
        while sum(map(len, head)) <= PROLOG_LIMIT:
            chunk = stream.read(CHUNK)
            if not chunk:
                prolog.close()
                break
            head.append(chunk)
            prolog.feed(chunk)
    except _Root as root:
        return Document(root.tag, root.attrib, stream, head)
    except (DefusedXmlException, ParseError) as exc:
        _refuse(exc)
    raise Unreadable("No XML element starts in the file's first MiB.")


def _refuse(exc: Exception, *, at_end: bool = False) -> NoReturn:
    """The parser's error told as a person would want it."""
    if isinstance(exc, DefusedXmlException):
        raise Unreadable(
            "The file declares a document type (<!DOCTYPE>). DDEX messages have none, and "
            "one can define entities that expand to gigabytes or read other files, so the "
            "file is refused."
        ) from exc
    if isinstance(exc, ParseError):  # the prolog's parser
        line, column = exc.position
        cut, reason = exc.code in _ENDS_EARLY, str(exc).partition(":")[0]
    else:
        assert isinstance(exc, etree.XMLSyntaxError)
        # The exception's own code and place (its error_log holds the thread's earlier ones).
        code = exc.code  # type: ignore[attr-defined]  # lxml-stubs lack it; lxml sets it
        line, column = exc.position
        if code == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "depth" in exc.msg:
            raise Unreadable(
                f"The XML nests deeper than {MAX_DEPTH} elements.", where=f"line {line}"
            ) from exc
        cut = at_end and code in _CUT_SHORT
        reason = _REASONS.get(code) or exc.msg.partition(",")[0]
    if cut:
        raise Unreadable(
            "The file ends before its XML does: it looks cut short (an upload or a copy "
            "that did not finish?).",
            where=f"line {line}",
        ) from exc
    raise Unreadable(
        f"The file is not well-formed XML ({reason}).", where=f"line {line}, column {column}"
    ) from exc


def find(element: Element, path: str) -> Element | None:
    """The first element at `path` (tag names, `ResourceId/ISRC`, or `.` for the element
    itself) below `element`, in document order, as `find` has it. Walked here: a record's
    elements have a few children each, which Python compares faster than lxml sets up a
    search, and readers ask a dozen of them a record."""
    if path == ".":
        return element
    head, _, rest = path.partition("/")
    for child in element:
        if child.tag == head:
            if not rest:
                return child
            if (found := find(child, rest)) is not None:
                return found
    return None


def find_all(element: Element, path: str) -> list[Element]:
    """Every element at `path` below `element`, in document order, as `findall` has it."""
    head, _, rest = path.partition("/")
    found = [child for child in element if child.tag == head]
    return [inner for child in found for inner in find_all(child, rest)] if rest else found


def text(element: Element, path: str) -> str:
    """The text at `path` below `element`, trimmed; empty when it is not there."""
    found = find(element, path)
    return "" if found is None else (found.text or "").strip()


class Children:
    """An element's children by tag, from one pass over them: a record asked for a dozen
    values is read once, where a search per value would read it a dozen times."""

    __slots__ = ("_by_tag",)

    def __init__(self, element: Element) -> None:
        by_tag: dict[str, list[Element]] = {}
        for child in element:
            if (same := by_tag.get(child.tag)) is None:
                by_tag[child.tag] = [child]
            else:
                same.append(child)
        self._by_tag = by_tag

    def all(self, tag: str) -> list[Element]:
        return self._by_tag.get(tag, [])

    def text(self, path: str) -> str:
        """As `text(element, path)`: the first in document order, trimmed, or empty."""
        head, _, rest = path.partition("/")
        for child in self.all(head):
            found = find(child, rest) if rest else child
            if found is not None:
                return (found.text or "").strip()
        return ""


def sequence(element: Element, default: int) -> int:
    """`SequenceNumber`, as an attribute (ERN 4 artists and contributors) or a child."""
    value = (element.get("SequenceNumber") or text(element, "SequenceNumber")).strip()
    return int(value) if value.isdigit() and len(value) < 6 else default
