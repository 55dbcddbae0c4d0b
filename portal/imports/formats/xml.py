"""XML read safely and as a stream.

Entities, the billion laughs among them, and external entities can only be declared in
a document type declaration (DTD), and a DTD can only stand before the root element.
So the file is read up to its root element by `defusedxml`, with DTDs forbidden: a
file that declares one is refused there, before anything is expanded or fetched. The
same bytes and the rest of the file then go through the standard library's C parser
(`XMLPullParser`), which is three times faster: without a DTD, an entity reference is
a well-formedness error to it, and a DTD after the root element a syntax error.

The file is fed in chunks, and each record a reader asks for (a `SoundRecording`, a
`Release`) is handed over complete and then dropped from the tree, so memory holds one
record at a time whatever the file's length.

Tags are compared by local name: a sender may write `<ern:NewReleaseMessage>`,
`<x:NewReleaseMessage>` or a default namespace, and may or may not qualify the child
elements. A record's elements are renamed to their local names before it is handed
over, so readers use plain paths (`ResourceId/ISRC`).
"""

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, NoReturn, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser as DefusedParser

from portal.imports.records import Unreadable

CHUNK = 64 * 1024
# A root element further in than this is not a catalogue file's.
PROLOG_LIMIT = 1024 * 1024
# DDEX messages nest a dozen levels; thousands would only make the parser's work grow.
MAX_DEPTH = 100
# expat's codes for a document that stops before it ends.
_ENDS_EARLY = {3, 5, 6}  # no element found, unclosed token, partial character


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
        """Yield each element whose path below the root is in `wanted` (two levels down
        at most), complete, then drop it; everything else is dropped as it ends."""
        wanted = frozenset(wanted)
        parser = XMLPullParser(events=("start", "end"))
        chunks = itertools.chain(self._head, iter(lambda: self._stream.read(CHUNK), b""))
        # This loop sees every element twice: it does as little as it can for those
        # deeper than the records.
        depth = 0
        names: list[str] = ["", "", "", ""]
        open_elements: list[Element | None] = [None, None, None, None]
        counts: Counter[str] = Counter()
        try:
            for chunk in itertools.chain(chunks, [b""]):
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for event, element in cast(Iterator[tuple[str, Element]], parser.read_events()):
                    if event == "start":
                        depth += 1
                        if depth <= 3:
                            names[depth] = local(element.tag)
                            open_elements[depth] = element
                        elif depth > MAX_DEPTH:
                            raise Unreadable(f"The XML nests deeper than {MAX_DEPTH} elements.")
                        continue
                    depth -= 1
                    if depth > 2 or depth == 0 or (depth == 2 and names[2] in wanted):
                        continue  # inside a record, or the root's own end
                    path = "/".join(names[2 : depth + 2])
                    if path in wanted:
                        counts[path] += 1
                        if element.tag[0] == "{":
                            for inner in element.iter():
                                inner.tag = local(inner.tag)
                        yield Node(path, element, f"/{self.root}/{path}[{counts[path]}]")
                    # The record's list (or the root) lets go of what it holds so far.
                    parent = open_elements[depth]
                    assert parent is not None
                    parent.clear()
        except ParseError as exc:
            _refuse(exc)


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


def _refuse(exc: Exception) -> NoReturn:
    """The parser's error told as a person would want it."""
    if isinstance(exc, DefusedXmlException):
        raise Unreadable(
            "The file declares a document type (<!DOCTYPE>). DDEX messages have none, and "
            "one can define entities that expand to gigabytes or read other files, so the "
            "file is refused."
        ) from exc
    assert isinstance(exc, ParseError)
    line, column = exc.position
    if exc.code in _ENDS_EARLY:
        raise Unreadable(
            "The file ends before its XML does: it looks cut short (an upload or a copy "
            "that did not finish?).",
            where=f"line {line}",
        ) from exc
    reason = str(exc).partition(":")[0]
    raise Unreadable(
        f"The file is not well-formed XML ({reason}).", where=f"line {line}, column {column}"
    ) from exc


def text(element: Element, path: str) -> str:
    """The text at `path` below `element`, trimmed; empty when it is not there."""
    return (element.findtext(path) or "").strip()


def sequence(element: Element, default: int) -> int:
    """`SequenceNumber`, as an attribute (ERN 4 artists and contributors) or a child."""
    value = (element.get("SequenceNumber") or element.findtext("SequenceNumber") or "").strip()
    return int(value) if value.isdigit() and len(value) < 6 else default
