from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.api.services import api_key_issue
from portal.licensing.models import Product


class Command(BaseCommand):
    help = "Issue an API key for a product and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("product_slug")
        parser.add_argument("--name", default="", help="What the key is for.")

    def handle(self, *args: Any, product_slug: str, name: str, **options: Any) -> None:
        product = Product.objects.filter(slug=product_slug).first()
        if product is None:
            known = ", ".join(Product.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"There is no product {product_slug!r}. Products: {known or 'none yet'}."
            )
        key, raw = api_key_issue(product=product, name=name)
        self.stderr.write(
            f"A new API key for {product.name} ({key.prefix}…). It is shown only now: "
            "store it in the product's secrets."
        )
        self.stdout.write(raw)
