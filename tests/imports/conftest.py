import pytest

from portal.imports.services import run
from tests.imports.fakes import FakeRun


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> FakeRun:
    """The stand-in writer, where a test is about what calls it."""
    fake = FakeRun()
    monkeypatch.setattr(run, "import_run", fake)
    return fake
