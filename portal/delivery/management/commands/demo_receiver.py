"""`manage.py demo_receiver`: a product's webhook receiver on loopback, for demos and
trying delivery out. It verifies each request with the `standardwebhooks` library,
prints what it got, answers 200 (401 to a bad signature), and shows everything it
received as JSON at `GET /`.
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.delivery.models import Endpoint
from portal.delivery.receiver import Received, Receiver, Reply, standard_reply
from portal.delivery.selectors import secrets_current


class Command(BaseCommand):
    help = "Serve a webhook receiver on 127.0.0.1 that verifies signatures and records deliveries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--secret", help="The endpoint's signing secret (whsec_...).")
        who.add_argument(
            "--product",
            metavar="SLUG",
            help="Verify with the current secret of this product's endpoint (from the database).",
        )
        parser.add_argument(
            "--record", type=Path, help="Also append each delivery to this file as a JSON line."
        )
        parser.add_argument(
            "--status",
            type=int,
            default=200,
            help="Answer verified deliveries with this status, e.g. 500 to watch retries.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] or self._secret_of(options["product"])
        record: Path | None = options["record"]
        status: int = options["status"]

        def reply(received: Received) -> Reply:
            if received.verified and status != 200:
                return Reply(status)
            return standard_reply(received)

        def show(received: Received) -> None:
            mark = "verified" if received.verified else f"REJECTED ({received.error})"
            seqs = received.seqs
            span = f"seq {seqs[0]}–{seqs[-1]}" if seqs else "no changes"
            self.stdout.write(f"{received.webhook_id} {mark}: {span}")
            if received.verified:
                for change in received.payload["changes"]:
                    permitted = "permitted" if change["permitted"] else "NOT permitted"
                    self.stdout.write(
                        f"  #{change['seq']} {change['isrc']} {change['use']}: {permitted}"
                    )
            if record:
                with record.open("a") as file:
                    file.write(json.dumps(received.as_json()) + "\n")

        receiver = Receiver(secret=secret, port=options["port"], reply=reply, on_receive=show)
        self.stdout.write(
            f"Receiving webhooks at {receiver.url} (what arrived: GET /). Ctrl-C stops."
        )
        try:
            receiver.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.server.server_close()

    def _secret_of(self, slug: str) -> str:
        endpoint = Endpoint.objects.filter(product__slug=slug).first()
        if endpoint is None:
            raise CommandError(f"{slug} has no webhook endpoint; add one in admin first.")
        secrets = secrets_current(endpoint=endpoint, now=timezone.now())
        if not secrets:
            raise CommandError(f"{slug}'s endpoint has no current secret; rotate one in admin.")
        return secrets[0]
