"""The rows the migrations seed (the five use types), for tests that rely on them.

A transactional test ends by flushing every table, so those rows are gone for the tests
after it and, with --reuse-db, for every later run on that database. A module that needs
them imports the autouse fixture below, which puts them back as the migration would:

    from tests.seeded import use_types_seeded  # noqa: F401 (autouse)
"""

import importlib

import pytest
from django.apps import apps

# The migration's own code, so the rows are exactly what a migrated database has.
_INITIAL_USE_TYPES = importlib.import_module("portal.licensing.migrations.0002_initial_use_types")


@pytest.fixture(autouse=True)
def use_types_seeded(db: None) -> None:
    _INITIAL_USE_TYPES.create(apps, None)
