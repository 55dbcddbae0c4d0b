"""`make audit`'s decisions, on advisory answers made up here (the advisory databases are
outside the system; `make audit` itself asks the real ones): a known vulnerability fails
it, an ignored one needs a reason, and nothing it could not look up is ever called clean."""

from pathlib import Path
from typing import Any

import pytest

from portal.ops import audit
from portal.ops.audit import (
    AuditConfigError,
    Verdict,
    ignores_load,
    project_verdict,
    verdict_of,
)

ADVISORY = {
    "id": "PYSEC-2099-1",
    "aliases": ["CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"],
    "fixed_in": ["6.1.4"],
    "withdrawn": None,
}


def project(latest: str, *vulnerabilities: dict[str, Any]) -> dict[str, Any]:
    """The parts of PyPI's project JSON the audit reads."""
    return {"info": {"version": latest}, "vulnerabilities": list(vulnerabilities)}


def test_a_known_vulnerability_in_the_installed_latest_release_is_found() -> None:
    verdict = project_verdict({"django": "6.1.3"}, {"django": project("6.1.3", ADVISORY)})
    assert verdict.audited == 1
    assert verdict.vulnerable == ["django 6.1.3: PYSEC-2099-1 (fixed in: 6.1.4)"]


def test_an_older_release_is_not_audited_rather_than_called_clean() -> None:
    verdict = project_verdict(
        {"django": "5.2.19", "redis": "8.2.0"},
        {"django": project("6.1.3"), "redis": project("8.2.0")},
    )
    assert verdict.audited == 1 and verdict.vulnerable == []
    assert verdict.unaudited == ["django 5.2.19 (not the latest release, 6.1.3)"]


def test_a_project_that_could_not_be_asked_is_not_audited() -> None:
    verdict = project_verdict({"django": "6.1.3"}, {"django": "URLError"})
    assert not verdict.conclusive
    assert verdict.unaudited == ["django 6.1.3 (URLError)"]


def test_a_withdrawn_advisory_does_not_count() -> None:
    withdrawn = {**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}
    verdict = project_verdict({"django": "6.1.3"}, {"django": project("6.1.3", withdrawn)})
    assert verdict.conclusive and verdict.vulnerable == []


def test_an_ignored_vulnerability_is_reported_with_its_reason_by_any_of_its_ids() -> None:
    ignored = {"CVE-2099-0001": "we never call the affected function"}
    from_pypi = project_verdict(
        {"django": "6.1.3"}, {"django": project("6.1.3", ADVISORY)}, ignored
    )
    from_pip_audit = verdict_of(
        {
            "dependencies": [
                {
                    "name": "django",
                    "version": "6.1.3",
                    "vulns": [
                        {"id": "GHSA-x", "aliases": ["cve-2099-0001"], "fix_versions": []},
                        {"id": "GHSA-y", "aliases": [], "fix_versions": []},
                    ],
                }
            ]
        },
        ignored,
    )
    for verdict in (from_pypi, from_pip_audit):
        assert verdict.ignored and "we never call the affected function" in verdict.ignored[0]
    assert from_pypi.vulnerable == []
    assert from_pip_audit.vulnerable == ["django 6.1.3: GHSA-y (fixed in: no fixed release yet)"]


def test_an_ignore_needs_a_reason(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.consent-portal.audit]\nignore = [{id = "GHSA-aaaa-bbbb-cccc", reason = " "}]\n'
    )
    with pytest.raises(AuditConfigError, match="needs an id and a reason"):
        ignores_load(config)
    config.write_text(
        "[tool.consent-portal.audit]\n"
        'ignore = [{id = "ghsa-aaaa-bbbb-cccc", reason = "test-only dependency"}]\n'
    )
    assert ignores_load(config) == {"GHSA-AAAA-BBBB-CCCC": "test-only dependency"}
    assert ignores_load() == {}  # the project's own list loads


# --- the whole run, its sources made up ------------------------------------------------------


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any] | str]:
    """pip-audit's databases unreachable; the project JSON answers from this dict."""
    answers: dict[str, dict[str, Any] | str] = {}
    monkeypatch.setattr(audit, "pip_audit", lambda service, ignored: (None, "ConnectionError"))
    monkeypatch.setattr(audit, "installed", lambda: {"django": "6.1.3", "redis": "8.1.0"})
    monkeypatch.setattr(audit, "project_json", lambda name: answers.get(name, "HTTP 404"))
    return answers


def test_the_fallback_source_fails_the_audit_on_a_known_vulnerability(
    offline: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    offline.update(django=project("6.1.3", ADVISORY), redis=project("8.2.0"))

    assert audit.main([]) == audit.VULNERABLE

    out = capsys.readouterr().out
    assert "per-release vulnerability databases could not be reached" in out
    assert "django 6.1.3: PYSEC-2099-1 (fixed in: 6.1.4)" in out
    assert "WARNING: 1 packages were NOT audited" in out and "redis 8.1.0" in out


def test_a_partial_audit_passes_loudly_unless_strict(
    offline: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    offline.update(django=project("6.1.3"), redis=project("8.2.0"))

    assert audit.main([]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("redis 8.1.0 (not the latest release, 8.2.0)")
    assert "NOT audited" in out
    assert audit.main(["--strict"]) == audit.INCOMPLETE


def test_with_no_source_at_all_nothing_is_called_clean(
    offline: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    out = capsys.readouterr().out
    assert "dependencies were NOT audited" in out
    assert "No known vulnerabilities" not in out
    assert audit.main(["--strict"]) == audit.INCOMPLETE


def test_pip_audit_decides_when_its_database_answers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    found = Verdict(audited=104, vulnerable=["urllib3 2.0.0: GHSA-x (fixed in: 2.0.7)"])
    monkeypatch.setattr(audit, "pip_audit", lambda service, ignored: (found, ""))
    monkeypatch.setattr(audit, "project_json", lambda name: pytest.fail("not needed"))

    assert audit.main([]) == audit.VULNERABLE
    assert "pip-audit (pypi): 104 packages checked." in capsys.readouterr().out


def test_a_malformed_ignore_list_stops_the_audit(
    offline: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.consent-portal.audit]\nignore = [{id = "GHSA-1"}]\n')
    monkeypatch.setattr(audit, "PYPROJECT", config)
    assert audit.main([]) == audit.CONFIG_ERROR
