"""`work__any_of=[ids]`, `pk__any_of=[ids]`: a lookup for filtering by thousands of ids
in one parameter.

Registered on every foreign key and integer field (primary keys included) when this
module is imported (`ConsentConfig.ready`); the write path, the facts and delivery's
readers use it.
"""

from typing import Any

from django.db import models


class AnyOf(models.Lookup):
    """`work__any_of=[ids]`: `= ANY(array)` on PostgreSQL, one parameter however many ids.

    `__in` sends one placeholder per id, which Django, psycopg and the server each parse;
    the write path filters by thousands of ids per statement.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        if not ids:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]


models.ForeignKey.register_lookup(AnyOf)
models.IntegerField.register_lookup(AnyOf)
