"""The writer: imports every waiting file of an import. Its body is the writer's; this
states the contract the task and the command call."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import BinaryIO

from portal.imports.models import CatalogueImport, ImportFile


def import_run(
    *,
    catalogue_import: CatalogueImport,
    open_file: Callable[[ImportFile], AbstractContextManager[BinaryIO]] | None = None,
) -> CatalogueImport:
    """Import every WAITING file of the import in position order, each in one transaction;
    marks the import RUNNING, then DONE or FAILED. Safe to call again on an import a
    killed worker left RUNNING: files already IMPORTED are skipped."""
    raise NotImplementedError
