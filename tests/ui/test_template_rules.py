"""How templates are laid out (docs/architecture.md, "Templates"), checked over every file:
pages in templates/<app>/ with their htmx fragments as partials, pieces shared across
pages in templates/components/, and choices compared through their enums."""

import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db.models import Choices

import config.urls  # noqa: F401 (every module that defines choices, through the views)

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Our versions of other packages' templates, which include those packages' own pieces.
OVERRIDES = {"admin", "allauth", "account", "mfa"}

# A party's kind is a plain string until the access layer gives it an enum; the label
# earnings' sort keys are a dict of columns, not a choice.
NOT_CHOICES = {"key"}


def ours() -> Iterator[Path]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] not in OVERRIDES:
            yield path


def choice_values() -> set[str]:
    found: set[str] = set()
    pending = list(Choices.__subclasses__())
    while pending:
        enum = pending.pop()
        pending += enum.__subclasses__()
        if enum.__module__.startswith("portal."):
            found |= {str(value) for value in enum.values}
    return found


def test_the_rules_see_the_portals_templates_and_choices() -> None:
    assert len(list(ours())) > 30
    assert {"granted", "suspended", "partly", "admin", "invited"} <= choice_values()


def test_no_template_compares_a_choice_with_a_bare_string() -> None:
    values = choice_values()
    comparison = re.compile(r"([\w.]+)\s*(?:==|!=)\s*[\"'](\w+)[\"']")
    bare = [
        f"{path.relative_to(TEMPLATES)}: {left} == {value!r}"
        for path in ours()
        for left, value in comparison.findall(path.read_text())
        if value in values and left not in NOT_CHOICES
    ]
    assert bare == [], "compare with the enum (portal/ui/context_processors.py) instead"


def test_app_folders_hold_pages_and_components_hold_what_pages_share() -> None:
    fragments = [p.name for p in ours() if p.name.startswith("_")]
    assert fragments == [], "a page's fragment is a {% partialdef %} in the page"
    include = re.compile(r"{%\s*include\s+[\"']([^\"']+)[\"']")
    elsewhere = [
        f"{path.relative_to(TEMPLATES)} includes {name}"
        for path in ours()
        for name in include.findall(path.read_text())
        if not name.startswith("components/")
    ]
    assert elsewhere == [], "a piece shared across pages lives in templates/components/"


def test_dates_are_said_only_through_the_ui_filters() -> None:
    # One way of saying when, in the reader's zone: |day, |moment, |until, {% timestamp %}
    # and |month_value for URLs and form values (portal/ui/templatetags/ui.py).
    raw = re.compile(r"\|\s*(?:date|time|naturaltime|naturalday|timesince|timeuntil)\b")
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in [*ours(), *sorted(TEMPLATES.rglob("*.txt"))]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if raw.search(line)
    ]
    assert found == [], "say a date with |day, |moment or |until ({% load ui %})"
