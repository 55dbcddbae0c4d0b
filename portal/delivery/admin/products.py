"""The product's own page (consent's) gets the state of its webhook here."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from portal.consent.admin.terms import ProductAdmin as TermsProductAdmin
from portal.delivery.admin.endpoints import lag_text
from portal.delivery.models import Endpoint
from portal.delivery.selectors import delivery_lag
from portal.licensing.models import Product


def product_delivery(product: Product) -> str:
    """For the product's admin page: its endpoint's status and delivery lag (the age of
    the oldest change not yet acknowledged), linked to the endpoint, or a link to add one."""
    endpoint = Endpoint.objects.filter(product=product).first()
    if endpoint is None:
        add = reverse("admin:delivery_endpoint_add") + f"?product={product.pk}"
        return format_html('No webhook endpoint. <a href="{}">Add one</a>', add)
    lag = delivery_lag(endpoint=endpoint, now=timezone.now())
    return format_html(
        '<a href="{}">{}</a>: {}, {}',
        reverse("admin:delivery_endpoint_change", args=[endpoint.pk]),
        endpoint.url,
        endpoint.get_status_display().lower(),
        lag_text(lag),
    )


# The product's page is consent's (its status and uses flip permissions); delivery, above
# consent, adds its webhook's state to it.
admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(TermsProductAdmin):
    fieldsets = [*TermsProductAdmin.fieldsets, ("Delivery", {"fields": ["delivery"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "delivery"]

    @admin.display(description="webhook delivery")
    def delivery(self, product: Product) -> str:
        # The endpoint, its secrets and its deliveries are managed under Delivery.
        return product_delivery(product) if product.pk else "Add the product first."
