"""A usage report uploaded as CSV, turned into the dict the JSON API takes.

Only the file's shape is checked here (encoding, header, quoting, one value per column);
what the values mean is left to `validation.usage_report_parse`, so a report is judged
the same way however it arrives. Each line keeps where it came from, so a mistake in
the report's line 0 can be shown as row 1 of the file (its line 2, under the header).
"""

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from portal.earnings.schemas import MAX_LINES, Mistake

COLUMNS = ("isrc", "use", "units", "gross", "credit")
HEADER = ",".join(COLUMNS)
MAX_PROBLEMS = 100
# A whole number that fits in a bigint becomes a number; anything else stays text, for
# the report's validation to refuse with the same message the API gives.
WHOLE = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Origin:
    """Where a report line came from: its data row (1 is the first under the header)
    and the file line it starts on (a quoted value may span lines; blank lines are
    skipped)."""

    row: int
    file_line: int

    def __str__(self) -> str:
        return f"Row {self.row} (line {self.file_line} of the file)"


@dataclass(frozen=True)
class Problem:
    """A mistake, at a row of the file (origin) or in the file or report as a whole."""

    origin: Origin | None
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.origin}, {self.field}" if self.field else str(self.origin)
        return f"{where}: {self.message}" if self.origin else self.message


class CsvInvalid(Exception):
    """The file cannot be read as a usage report; `problems` says why, row by row."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems, self.total = problems, total or len(problems)


def _refuse(message: str) -> CsvInvalid:
    return CsvInvalid([Problem(None, message)])


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from exc
    if "\x00" in text:
        raise _refuse("This is not a CSV file: it contains binary data.")
    return text


def _shown(values: list[str]) -> str:
    text = ",".join(values)
    return text if len(text) <= 80 else text[:77] + "..."


def _header(row: list[str]) -> list[str]:
    """The column names in the file's order; refuses a header that is not exactly the
    five columns, saying what is missing, unknown or repeated."""
    names = [name.strip().lower() for name in row]
    if sorted(names) == sorted(COLUMNS):
        return names
    if not set(names) & set(COLUMNS):
        raise _refuse(f"The first line must be the header {HEADER}; it is {_shown(row)!r}.")
    faults = []
    if missing := [name for name in COLUMNS if name not in names]:
        faults.append(f"lacks {', '.join(missing)}")
    if unknown := [name or "(blank)" for name in names if name not in COLUMNS]:
        faults.append(f"has {', '.join(unknown)}, which the upload does not take")
    if repeated := sorted({name for name in names if names.count(name) > 1} & set(COLUMNS)):
        faults.append(f"repeats {', '.join(repeated)}")
    raise _refuse(f"The header {'; '.join(faults)}. Use exactly these columns: {HEADER}.")


def _line(names: list[str], row: list[str]) -> dict[str, Any]:
    values = {name: value.strip() for name, value in zip(names, row, strict=True)}
    units = values["units"]
    return {**values, "units": int(units) if WHOLE.fullmatch(units) else units}


@dataclass(frozen=True)
class CsvReport:
    """The report as the JSON API takes it, and the origin of each of its lines."""

    data: dict[str, Any]
    origins: list[Origin]


def _rows(text: str) -> tuple[list[str], list[tuple[Origin, list[str]]]]:
    """The header and the non-blank rows under it, each with its origin."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[Origin, list[str]]] = []
    starts_on = 1
    try:
        for row in reader:
            if any(value.strip() for value in row):
                if header is None:
                    header = _header(row)
                elif len(rows) == MAX_LINES:
                    raise _refuse(
                        f"The file has more than {MAX_LINES:,} rows; split it into several reports."
                    )
                else:
                    rows.append((Origin(len(rows) + 1, starts_on), row))
            starts_on = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse(
            f"Line {reader.line_num} of the file cannot be read as CSV ({exc}). Check its "
            "quotes: a value with a comma or a quote in it goes in double quotes, and a "
            'quote inside it is doubled ("").'
        ) from exc
    if header is None:
        raise _refuse(f"The file is empty: it needs the header {HEADER} and a row per line.")
    if not rows:
        raise _refuse("The file has a header but no rows under it.")
    return header, rows


def usage_report_from_csv(
    *, reference: str, period_start: str, period_end: str, currency: str, data: bytes
) -> CsvReport:
    """The report a CSV file holds: UTF-8 (a BOM is fine), a header naming the columns
    isrc,use,units,gross,credit in any order, then one row per line; blank lines are
    skipped. Raises CsvInvalid naming each row of the wrong width (up to 100), or the
    one problem that stops the file being read at all."""
    header, rows = _rows(_text(data))
    problems = [
        Problem(origin, f"it has {len(row)} values; the header has {len(header)}.")
        for origin, row in rows
        if len(row) != len(header)
    ]
    if problems:
        raise CsvInvalid(problems[:MAX_PROBLEMS], len(problems))
    report = {
        "reference": reference,
        "period": {"start": period_start, "end": period_end},
        "currency": currency,
        "lines": [_line(header, row) for _, row in rows],
    }
    return CsvReport(report, [origin for origin, _ in rows])


# usage_report_parse names a repeated line by its index in the report.
REPEATS = re.compile(r"Repeats line (\d+):")


def _problem(detail: Mistake, origins: list[Origin]) -> Problem:
    line, field, message = detail["line"], detail["field"], detail["message"]
    if line is None:
        return Problem(None, message, field)
    if (repeated := REPEATS.match(message)) is not None:
        first = origins[int(repeated.group(1))]
        message = f"Repeats row {first.row} (line {first.file_line}): one row per ISRC and use."
    return Problem(origins[line], message, field)


def problems_in(details: list[Mistake], origins: list[Origin]) -> list[Problem]:
    """The report's validation mistakes (UsageReportInvalid.details), each about a line
    pinned to the row of the file that line came from."""
    return [_problem(detail, origins) for detail in details]
