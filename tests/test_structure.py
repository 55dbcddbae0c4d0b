"""How the code is laid out, checked over every module: none grows past what one reader
takes in at once. A module that does is split by concept into a package, as consent's
and delivery's services are (docs/architecture.md, "Layers")."""

from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
MAX_LINES = 400


def line_counts() -> dict[str, int]:
    return {
        path.relative_to(PORTAL).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PORTAL.rglob("*.py"))
        if "migrations" not in path.relative_to(PORTAL).parts
    }


def test_no_module_in_the_portal_is_over_400_lines() -> None:
    counts = line_counts()
    assert counts, f"no modules found under {PORTAL}"
    over = {name: lines for name, lines in counts.items() if lines > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines (split them by concept): " + ", ".join(
        f"portal/{name} ({lines})" for name, lines in sorted(over.items())
    )
