"""The rows the migrations seed (the five use types, which of them a withdrawal must
reach the next model, and the conditions a yes can carry), for tests that rely on them.

A transactional test ends by flushing every table, so those rows are gone for the tests
after it and, with --reuse-db, for every later run on that database. A module that needs
them imports the autouse fixture below, which puts them back as the migration would:

    from tests.seeded import use_types_seeded  # noqa: F401 (autouse)
"""

import importlib

import pytest
from django.apps import apps

# The migrations' own code, so the rows are exactly what a migrated database has.
_INITIAL_USE_TYPES = importlib.import_module("portal.licensing.migrations.0002_initial_use_types")
_CONDITIONS = importlib.import_module("portal.licensing.migrations.0008_conditions")
_OBLIGES = importlib.import_module("portal.licensing.migrations.0010_use_obliges_exclusion")


def vocabulary_seed() -> None:
    """The conditions a yes can carry, as their migration seeds them."""
    _CONDITIONS.create(apps, None)


@pytest.fixture(autouse=True)
def use_types_seeded(db: None) -> None:
    _INITIAL_USE_TYPES.create(apps, None)
    _OBLIGES.training_obliges(apps, None)
    vocabulary_seed()
