"""`make audit`: known vulnerabilities in the installed dependencies.

Two advisory sources, the complete one first:

1. pip-audit over the whole virtualenv, against PyPI's per-release advisories, then
   OSV's if PyPI's could not answer. It checks every installed distribution.
2. Where neither answers (offline CI, an index mirror that serves packages and project
   pages but not per-release data): PyPI's project JSON, `/pypi/<name>/json` at pypi.org
   (or the mirror `AUDIT_PYPI_JSON_URL` names). Its `vulnerabilities` are the advisories
   of the project's *latest* release only, so it checks the distributions installed at
   their latest release and names every one it could not check. It never calls a
   package clean that it did not look up.

Exit status: 1 when any source that answered knows a vulnerability in an installed
release that `pyproject.toml` does not ignore with a reason (`[tool.consent-portal.audit]`);
2 when that ignore list is malformed; otherwise 0, with a loud WARNING naming whatever was
not audited. `--strict` turns an incomplete audit into exit 3, for a pipeline that can
reach a complete source and must not pass without it (docs/operations.md).
"""

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SERVICES = ("pypi", "osv")
RUN_TIMEOUT = 600
EDITABLE = "distribution marked as editable"
PYPROJECT = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
# PyPI's JSON API; a mirror that serves it (devpi, for one) can stand in.
JSON_API = os.environ.get("AUDIT_PYPI_JSON_URL", "https://pypi.org/pypi").rstrip("/")
FETCH_TIMEOUT = 30
FETCH_THREADS = 8
VULNERABLE, CONFIG_ERROR, INCOMPLETE = 1, 2, 3


class AuditConfigError(Exception):
    """The ignore list cannot be used as it stands."""


@dataclass
class Verdict:
    audited: int = 0
    unaudited: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def conclusive(self) -> bool:
        """Something was looked up: a database that answered for no package was not there."""
        return self.audited > 0 or bool(self.vulnerable)


def ignores_load(path: Path | None = None) -> dict[str, str]:
    """Vulnerability ids (PYSEC, GHSA, CVE: any alias) to ignore, each with its reason."""
    config = tomllib.loads((path or PYPROJECT).read_text())
    entries = config.get("tool", {}).get("consent-portal", {}).get("audit", {}).get("ignore", [])
    ignored: dict[str, str] = {}
    for entry in entries:
        vuln_id = str(entry.get("id", "")).strip() if isinstance(entry, dict) else ""
        reason = str(entry.get("reason", "")).strip() if isinstance(entry, dict) else ""
        if not vuln_id or not reason:
            raise AuditConfigError(
                f"every ignored vulnerability needs an id and a reason, not {entry!r}"
            )
        ignored[vuln_id.upper()] = reason
    return ignored


def _finding(
    verdict: Verdict, name: str, ids: list[str], fixed: list[str], ignored: Mapping[str, str]
) -> None:
    known = next((i for i in ids if i.upper() in ignored), None)
    if known is not None:
        verdict.ignored.append(f"{name}: {ids[0]} (ignored: {ignored[known.upper()]})")
        return
    fixes = ", ".join(fixed) or "no fixed release yet"
    verdict.vulnerable.append(f"{name}: {ids[0]} (fixed in: {fixes})")


def verdict_of(report: dict[str, Any], ignored: Mapping[str, str] | None = None) -> Verdict:
    """Read pip-audit's JSON report."""
    verdict = Verdict()
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        reason = dependency.get("skip_reason")
        if reason == EDITABLE:
            continue
        if reason:
            verdict.unaudited.append(name)
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            _finding(verdict, name, ids, list(vuln.get("fix_versions", [])), ignored or {})
    return verdict


def project_verdict(
    installed: Mapping[str, str],
    answers: Mapping[str, dict[str, Any] | str],
    ignored: Mapping[str, str] | None = None,
) -> Verdict:
    """Judge installed releases by PyPI's project JSON: `answers[name]` is the parsed
    answer, or why there is none. Only a release that is the project's latest is covered
    by its `vulnerabilities`; any other is listed as not audited, never as clean."""
    verdict = Verdict()
    for name, version in sorted(installed.items()):
        answer = answers.get(name, "not asked")
        if isinstance(answer, str):
            verdict.unaudited.append(f"{name} {version} ({answer})")
            continue
        latest = str(answer.get("info", {}).get("version", ""))
        try:
            current = Version(version) == Version(latest)
        except InvalidVersion:
            current = False
        if not current:
            verdict.unaudited.append(f"{name} {version} (not the latest release, {latest or '?'})")
            continue
        verdict.audited += 1
        for vuln in answer.get("vulnerabilities") or []:
            if vuln.get("withdrawn"):
                continue
            ids = [vuln["id"], *vuln.get("aliases", [])]
            _finding(
                verdict, f"{name} {version}", ids, list(vuln.get("fixed_in", [])), ignored or {}
            )
    return verdict


def installed() -> dict[str, str]:
    """Every distribution in this environment but the project itself, by canonical name."""
    project = canonicalize_name(tomllib.loads(PYPROJECT.read_text())["project"]["name"])
    found: dict[str, str] = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"]
    }
    found.pop(project, None)
    return found


def project_json(name: str) -> dict[str, Any] | str:
    """PyPI's project JSON for `name`, or why there is none."""
    # The scheme is checked here, so the opener never reads a file: or custom URL.
    if not JSON_API.startswith(("https://", "http://")):
        return "AUDIT_PYPI_JSON_URL is not an http(s) URL"
    request = urllib.request.Request(  # noqa: S310
        f"{JSON_API}/{urllib.parse.quote(name)}/json",
        headers={"Accept": "application/json", "User-Agent": "consent-portal-audit"},
    )
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310
            data = json.load(answer)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return type(exc).__name__
    return data if isinstance(data, dict) else "not a JSON object"


def projects_fetch(
    names: list[str], fetch: Callable[[str], dict[str, Any] | str] = project_json
) -> dict[str, dict[str, Any] | str]:
    with ThreadPoolExecutor(FETCH_THREADS) as pool:
        return dict(zip(names, pool.map(fetch, names), strict=True))


def pip_audit(service: str, ignored: Mapping[str, str]) -> tuple[Verdict | None, str]:
    """Run pip-audit on this interpreter's environment; (None, why) if it produced no report."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--local",
            "--skip-editable",
            "--progress-spinner=off",
            "--desc=off",
            "--aliases=on",
            "--format=json",
            f"--vulnerability-service={service}",
            f"--output={output}",
        ]
        try:
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return None, f"no answer in {RUN_TIMEOUT} s"
        try:
            report = json.loads(output.read_text())
        except (OSError, ValueError):
            lines = (done.stderr or done.stdout).strip().splitlines()
            return None, lines[-1] if lines else f"pip-audit exited {done.returncode}"
    return verdict_of(report, ignored), ""


def _report(source: str, verdict: Verdict, *, strict: bool) -> int:
    """Print the verdict, what was not audited last, so a clean line never ends the story."""
    print(f"{source}: {verdict.audited} packages checked.")
    for line in verdict.ignored:
        print(f"  {line}")
    if verdict.vulnerable:
        print(f"{len(verdict.vulnerable)} known vulnerabilities:")
        print("\n".join(f"  {line}" for line in verdict.vulnerable))
    else:
        print(f"No known vulnerabilities in the {verdict.audited} packages checked.")
    if verdict.unaudited:
        print(f"WARNING: {len(verdict.unaudited)} packages were NOT audited:")
        print("\n".join(f"  {line}" for line in verdict.unaudited))
    if verdict.vulnerable:
        return VULNERABLE
    return INCOMPLETE if strict and verdict.unaudited else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make audit", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 when any package could not be audited"
    )
    strict = parser.parse_args(argv).strict
    try:
        ignored = ignores_load()
    except (AuditConfigError, OSError, tomllib.TOMLDecodeError) as exc:
        print(f"ERROR: the audit's ignore list in pyproject.toml: {exc}")
        return CONFIG_ERROR
    problems = []
    for service in SERVICES:
        verdict, why = pip_audit(service, ignored)
        if verdict is None:
            problems.append(f"{service}: {why}")
            continue
        if not verdict.conclusive:
            problems.append(f"{service}: none of {len(verdict.unaudited)} packages was found")
            continue
        return _report(f"pip-audit ({service})", verdict, strict=strict)
    print("WARNING: the per-release vulnerability databases could not be reached:")
    print("\n".join(f"  {problem}" for problem in problems))
    print(f"Falling back to PyPI's project JSON ({JSON_API}/<name>/json), which lists the")
    print("advisories of each project's latest release only.")
    packages = installed()
    verdict = project_verdict(packages, projects_fetch(sorted(packages), project_json), ignored)
    if not verdict.conclusive:
        print("WARNING: dependencies were NOT audited: no advisory source could be reached.")
        print("Run `make audit` again with access to one.")
        return INCOMPLETE if strict else 0
    return _report("PyPI project JSON", verdict, strict=strict)


if __name__ == "__main__":
    sys.exit(main())
