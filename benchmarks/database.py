"""A database of the benchmarks' own: PostgreSQL at DATABASE_URL, else SQLite in a temp dir.

The environment is prepared before Django is set up, because settings read it at import.
On PostgreSQL the database is `consent_bench`, or BENCH_DATABASE_NAME when two benches
share a server.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SETTINGS = "config.settings.test"
POSTGRES_NAME = os.environ.get("BENCH_DATABASE_NAME") or "consent_bench"


@dataclass(frozen=True)
class Database:
    vendor: str
    description: str


def prepare_environment() -> str | None:
    """Point Django at the bench settings and, unless DATABASE_URL names a PostgreSQL
    server, at a temp SQLite file. Returns the temp dir to remove afterwards, if any.
    """
    # The bench never runs against whatever settings the shell happens to export.
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # A SQLite URL names someone's file; the bench makes its own rather than replace it.
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        return None
    tmpdir = tempfile.mkdtemp(prefix="consent-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
    return tmpdir


@contextmanager
def fresh_database(tmpdir: str | None) -> Iterator[Database]:
    """Create and migrate a dedicated database; drop it (or its temp dir) afterwards.

    On PostgreSQL that is POSTGRES_NAME on DATABASE_URL's server, so the database the URL
    names is never touched.
    """
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        settings_dict["TEST"]["NAME"] = POSTGRES_NAME
    else:
        # The temp file made by prepare_environment(), nothing else.
        assert tmpdir and str(settings_dict["NAME"]).startswith(tmpdir)
        settings_dict["TEST"]["NAME"] = settings_dict["NAME"]
    old_name = settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with connection.cursor():
            pass
        if connection.vendor == "postgresql":
            version = connection.cursor().connection.info.server_version
            major, minor = divmod(version, 10000)
            yield Database(
                "postgresql",
                f"PostgreSQL {major}.{minor} ({POSTGRES_NAME}, dropped afterwards)",
            )
        else:
            import sqlite3

            yield Database(
                connection.vendor,
                f"SQLite {sqlite3.sqlite_version} (a throwaway file in {tmpdir})",
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
