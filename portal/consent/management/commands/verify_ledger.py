"""`python manage.py verify_ledger`: exit 0 when the whole chain verifies, 1 naming the first
bad entry otherwise (a public contract: operators and outside checks run it)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.consent import ledger


class Command(BaseCommand):
    help = "Walk the ledger's hash chain from the first entry; name the first bad entry."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problem = ledger.verify()
        if problem is not None:
            raise CommandError(
                f"Ledger entry #{problem.position} {problem.problem}. "
                f"{checked} {_entries(checked)} verified before it."
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} {_entries(checked)} verified."))


def _entries(n: int) -> str:
    return "ledger entry" if n == 1 else "ledger entries"
