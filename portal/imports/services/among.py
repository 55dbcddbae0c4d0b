"""Filters by the thousands of values a batch names. On PostgreSQL they go as one array
(`column = ANY(%s)`): with `__in`, Django, psycopg and the server each handle one
placeholder per value, which costs a re-import more than the statements themselves.
Elsewhere (SQLite) they are `__in`. `consent.lookups.AnyOf` does the same for foreign
keys."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models


class _AnyOf(models.Lookup):
    """`column = ANY(%s)`, the values one array parameter (PostgreSQL's)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        kind = "bigint" if isinstance(field, models.IntegerField | models.ForeignKey) else "text"
        return f"{lhs} = ANY(%s::{kind}[])", [*lhs_params, self.rhs]


def among(name: str, values: Iterable[str] | Iterable[int]) -> models.Q | _AnyOf:
    """A filter: the field `name` holds one of `values`."""
    listed = list(values)
    if connection.vendor != "postgresql":
        return models.Q(**{f"{name}__in": listed})
    return _AnyOf(models.F(name), listed)
