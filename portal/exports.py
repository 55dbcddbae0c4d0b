"""CSV downloads, which people open in spreadsheets.

Text in them comes partly from others (titles, names, the credit lines products report),
so a cell that a spreadsheet would run as a formula ("=HYPERLINK(...)") is written as
text instead, with a leading apostrophe. Numbers, dates and decimals pass as they are.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object csv.writer can write one row to, returning it."""

    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> Any:
    """A value as a spreadsheet shows it: text that would start a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingHttpResponse:
    """`rows` streamed as CSV under a header row, as an attachment named `filename`."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(columns)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
