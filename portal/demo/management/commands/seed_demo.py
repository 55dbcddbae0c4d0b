"""`manage.py seed_demo --password PW [--scale N]`: the demo world, safe to run again."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.demo.people import DEMO_TOTP_SECRET
from portal.demo.seed import demo_seed
from portal.demo.specs import MAX_SCALE, WORKS_PER_ARTIST


class Command(BaseCommand):
    help = (
        "Create or top up the demo world: logins, catalogues, products, licences, some "
        "decisions and twelve months of usage with earnings. Idempotent; a larger --scale "
        "adds works."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", required=True, help="Set on every demo login, on every run."
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"Works per artist = {WORKS_PER_ARTIST} x SCALE (1 to {MAX_SCALE}; default 1).",
        )

    def handle(self, *args: Any, password: str, scale: int, **options: Any) -> None:
        if not password:
            raise CommandError("Give a password for the demo logins with --password.")
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE}.")
        started = time.monotonic()
        report = demo_seed(password=password, scale=scale)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {elapsed:.1f} s: {report.works_created:,} works, "
                f"{report.credits_created:,} credits, {report.decisions_changed:,} decisions "
                f"and {report.reports_created:,} usage reports ({report.lines_created:,} "
                "lines) added."
            )
        )
        self.stdout.write(f"Log in at /accounts/login/ with the password {password!r}:")
        width = max(len(login.email) for login in report.logins)
        for login in report.logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.shows}")
        self.stdout.write(
            "Staff and label managers sign in with a second factor: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app "
            f"(otpauth://totp/Consent%20Portal?secret={DEMO_TOTP_SECRET}&issuer=Consent%20Portal)."
        )
