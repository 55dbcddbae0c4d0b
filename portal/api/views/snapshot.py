"""The permissions snapshot: a product's whole permitted state as gzip'd NDJSON, for a
replica to start from before it follows the changes feed.

The body is `Content-Type: application/x-ndjson` with `Content-Encoding: gzip`, always
(whatever `Accept-Encoding` says: the contract is a gzip'd snapshot). HTTP clients that
decode content encodings (browsers, requests, httpx, `curl --compressed`) hand over NDJSON;
the others hand over the gzip stream, whose trailer tells a complete snapshot from one cut
short.
"""

import zlib
from collections.abc import Iterator

from django.http import HttpRequest, StreamingHttpResponse

from portal.api.guard import authenticate
from portal.api.http import ApiError, endpoint
from portal.api.schemas import SnapshotHead
from portal.api.snapshot import PermissionsSnapshot, product_slug
from portal.catalogue.identifiers import isrc_parsed
from portal.consent.changes import timestamp_json
from portal.shapes import quoted

NDJSON = "application/x-ndjson"
# zlib's window bits for a gzip wrapper (16 + the largest window).
GZIP = 31
# Level 6, zlib's default, compresses a snapshot about fourteenfold at well over the
# speed PostgreSQL reads it; higher levels cost more time than they save bytes.
LEVEL = 6
# What is sent at a time once compressed: large enough that writes are few.
CHUNK = 64 * 1024


class SnapshotBody:
    """The response body: compressed as it is read, and the snapshot closed when the
    response is (read to the end, or not: the server closes it when the client goes)."""

    def __init__(self, snapshot: PermissionsSnapshot, head: SnapshotHead) -> None:
        self.snapshot, self.head = snapshot, head

    def __iter__(self) -> Iterator[bytes]:
        gzip = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP)
        # The head goes at once, flushed: a client knows the seq before any row.
        yield gzip.compress(self.head.model_dump_json().encode() + b"\n") + gzip.flush(
            zlib.Z_SYNC_FLUSH
        )
        pending: list[bytes] = []
        size = 0
        for lines in self.snapshot.lines():
            lines.append("")
            out = gzip.compress("\n".join(lines).encode())
            if out:
                pending.append(out)
                size += len(out)
            if size >= CHUNK:
                yield b"".join(pending)
                pending, size = [], 0
        pending.append(gzip.flush())
        self.snapshot.close()
        yield b"".join(pending)

    def close(self) -> None:
        self.snapshot.close()


def snapshot(request: HttpRequest) -> StreamingHttpResponse:
    """Every (ISRC, use) the key's product may use now, with its conditions, after a
    head naming the change sequence number the rows are consistent with."""
    key = authenticate(request)
    raw = request.GET.get("from_isrc")
    from_isrc = None
    if raw is not None:
        from_isrc = isrc_parsed(raw)
        if from_isrc is None:
            raise ApiError(400, "invalid_isrc", f"`from_isrc` {quoted(raw)} is not a valid ISRC.")
    slug = product_slug(product_id=key.product_id)
    opened = PermissionsSnapshot(product_id=key.product_id, from_isrc=from_isrc)
    head = SnapshotHead(
        seq=opened.point.seq,
        product=slug,
        generated_at=timestamp_json(opened.point.generated_at),
        from_isrc=from_isrc,
    )
    response = StreamingHttpResponse(SnapshotBody(opened, head), content_type=NDJSON)
    response["Content-Encoding"] = "gzip"
    return response


snapshot_view = endpoint(GET=snapshot)
