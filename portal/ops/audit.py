"""`make audit`: known vulnerabilities in the installed dependencies, via pip-audit.

Exits 1 when a dependency has a known vulnerability. When the vulnerability database
cannot be reached (offline CI, a proxy that serves only package files), pip-audit either
fails with a connection error or, worse, reports "no known vulnerabilities" after looking
nothing up; both are turned into a loud warning and exit 0, so an outage elsewhere never
fails a build, and a clean result is never claimed that was not checked. PyPI's database
is asked first, OSV's if PyPI's could not answer.
"""

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVICES = ("pypi", "osv")
RUN_TIMEOUT = 600
EDITABLE = "distribution marked as editable"


@dataclass
class Verdict:
    audited: int = 0
    unaudited: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)

    @property
    def conclusive(self) -> bool:
        """Something was looked up: a database that answered for no package was not there."""
        return self.audited > 0 or bool(self.vulnerable)


def verdict_of(report: dict[str, Any]) -> Verdict:
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
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            verdict.vulnerable.append(f"{name}: {vuln['id']} (fixed in: {fixed})")
    return verdict


def pip_audit(service: str) -> tuple[Verdict | None, str]:
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
    return verdict_of(report), ""


def main() -> int:
    problems = []
    for service in SERVICES:
        verdict, why = pip_audit(service)
        if verdict is None:
            problems.append(f"{service}: {why}")
            continue
        if not verdict.conclusive:
            problems.append(f"{service}: none of {len(verdict.unaudited)} packages was found")
            continue
        print(f"pip-audit ({service}): {verdict.audited} packages checked.")
        if verdict.unaudited:
            print(f"  not found there, so not checked: {', '.join(verdict.unaudited)}")
        if verdict.vulnerable:
            print(f"{len(verdict.vulnerable)} known vulnerabilities:")
            print("\n".join(f"  {line}" for line in verdict.vulnerable))
            return 1
        print("No known vulnerabilities.")
        return 0
    print("WARNING: dependencies were NOT audited: the vulnerability database could not be")
    print("reached. Run `make audit` again with access to it.")
    print("\n".join(f"  {problem}" for problem in problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
