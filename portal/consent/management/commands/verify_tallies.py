"""`python manage.py verify_tallies [--label ID] [--repair]`: recount the tallies the label
pages read (answers per artist, product and use; permitted; works) and compare. Exit 0
when they agree, 1 naming the first difference otherwise; `--repair` rewrites them from
the recount (holding writers off meanwhile) and exits 0."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.catalogue.models import Label
from portal.consent.selectors.tallies import tallies_compare
from portal.consent.services.tallies import tallies_rewrite


class Command(BaseCommand):
    help = "Recount the label tallies and compare; name the first difference, or repair."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--label", type=int, help="Only this label's (its id).")
        parser.add_argument(
            "--repair", action="store_true", help="Rewrite what differs from the recount."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        label_id = options["label"]
        if label_id is not None and not Label.objects.filter(pk=label_id).exists():
            raise CommandError(f"No label has the id {label_id}.")
        scope = f"The tallies of label {label_id}" if label_id is not None else "The tallies"
        problem = tallies_compare(label_id=label_id)
        if problem is None:
            self.stdout.write(self.style.SUCCESS(f"{scope} agree with a recount."))
            return
        if not options["repair"]:
            raise CommandError(f"{scope} differ from a recount: {problem}.")
        tallies_rewrite(label_id=label_id)
        self.stdout.write(
            self.style.SUCCESS(f"{scope} differed ({problem}); rewritten from a recount.")
        )
