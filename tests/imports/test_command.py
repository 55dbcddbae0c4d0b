"""`manage.py import_catalogue`: a public contract. It imports now, prints the report and
exits 0 only when every file was imported; an unknown label or a missing file is refused
before anything is recorded."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.catalogue.models import Work
from portal.imports.models import CatalogueImport, ImportFile
from portal.imports.records import Recording
from tests.conftest import World
from tests.imports.fakes import FakeRun
from tests.imports.formats.messages import ern4_album, ern4_purge, items_of, of_type
from tests.processes import manage

CSV = b"isrc,title,artist\nUSRC17607839,Night Drive,Ada Lane\n"


ALBUM_ISRCS = [recording.isrc for recording in of_type(items_of(ern4_album()), Recording)]


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("import_catalogue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "catalogue.csv"
    good.write_bytes(CSV)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<NewReleaseMessage>")
    return {"good": good, "broken": broken}


def test_it_imports_the_files_where_they_are_and_exits_0(
    world: World, files: dict[str, Path], fake_run: FakeRun
) -> None:
    out = run_command("--label", "Northern Lights Records", str(files["good"]))
    made = CatalogueImport.objects.get()
    assert (made.label, made.source, made.requested_by) == (
        world.label,
        CatalogueImport.Source.COMMAND,
        None,
    )
    stored = made.files.get()
    assert (stored.name, stored.size, stored.file.name) == (str(files["good"]), len(CSV), "")
    assert fake_run.read == {str(files["good"]): CSV}  # opened by its path, not copied
    assert f"Import {made.pk} for Northern Lights Records: Imported" in out
    assert "works: 1 created, 0 updated" in out
    assert f"{files['good']} (CSV): Imported, 1 recordings" in out
    assert "First problems:" in out
    assert "Imported with a warning: " in out and "row 2 USRC17607839" in out


def test_the_label_may_be_named_by_its_id(
    world: World, files: dict[str, Path], fake_run: FakeRun
) -> None:
    run_command("--label", str(world.label.pk), str(files["good"]))
    assert CatalogueImport.objects.get().label == world.label


def test_a_file_not_imported_exits_non_zero_naming_its_reason(
    world: World, files: dict[str, Path], fake_run: FakeRun
) -> None:
    with pytest.raises(CommandError) as failed:
        run_command("--label", "Northern Lights Records", str(files["good"]), str(files["broken"]))
    assert str(failed.value) == (
        f"{files['broken']} was not imported: The file is not well-formed XML (line 3, column 1)."
    )
    assert CatalogueImport.objects.get().status == CatalogueImport.Status.FAILED


def test_an_unknown_label_or_a_missing_file_is_refused_and_nothing_recorded(
    world: World, files: dict[str, Path], fake_run: FakeRun, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="No label is named 'Nobody Records'"):
        run_command("--label", "Nobody Records", str(files["good"]))
    with pytest.raises(CommandError, match="No label is named '999999'"):
        run_command("--label", "999999", str(files["good"]))
    missing = tmp_path / "missing.csv"
    with pytest.raises(CommandError, match=r"missing\.csv: no such file\. Nothing was imported\."):
        run_command("--label", "Northern Lights Records", str(files["good"]), str(missing))
    with pytest.raises(CommandError, match="no such file"):
        run_command("--label", "Northern Lights Records", str(tmp_path))  # a directory
    assert not CatalogueImport.objects.exists() and not ImportFile.objects.exists()
    assert fake_run.calls == []


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the command's own process needs the suite's database, which SQLite keeps in memory",
)
def test_the_exit_status_is_the_processs_own(world: World, files: dict[str, Path]) -> None:
    """As operators call it: a process of its own, its exit status, its error on stderr."""
    result = manage("import_catalogue", "--label", "Nobody", str(files["good"]))
    assert result.returncode == 1
    assert "No label is named 'Nobody'" in result.stderr


def test_an_ern_delivery_is_imported_once_and_its_purge_withdraws_the_album(
    world: World, tmp_path: Path
) -> None:
    """The real readers and writer, as an operator runs them on a label's delivery."""
    album = tmp_path / "delivery.xml"
    album.write_text(ern4_album(), encoding="utf-8")
    out = run_command("--label", "Northern Lights Records", str(album))
    works = Work.objects.filter(label=world.label, isrc__in=ALBUM_ISRCS)
    assert set(works.values_list("isrc", flat=True)) == set(ALBUM_ISRCS)
    assert f"{album} (DDEX ERN 4): Imported" in out
    made = CatalogueImport.objects.latest("pk")
    assert made.works_created >= len(ALBUM_ISRCS) and made.status == CatalogueImport.Status.DONE

    again = run_command("--label", "Northern Lights Records", str(album))
    repeated = CatalogueImport.objects.latest("pk")
    assert (repeated.works_created, repeated.works_updated) == (0, 0)
    assert repeated.works_unchanged == made.works_created
    assert "0 created, 0 updated" in again

    purge = tmp_path / "purge.xml"
    purge.write_text(ern4_purge(), encoding="utf-8")
    run_command("--label", "Northern Lights Records", str(purge))
    withdrawn = CatalogueImport.objects.latest("pk")
    assert withdrawn.works_withdrawn > 0
    assert works.filter(withdrawn_at__isnull=False).count() == withdrawn.works_withdrawn
