"""Admin for delivery, one module per thing administered: `endpoints` (each one's state
and lag, and staff's controls), `deliveries` (with their attempts) and `products` (the
webhook's state on consent's product page). Importing them registers their pages."""

from portal.delivery.admin import deliveries, endpoints, products
from portal.delivery.admin.products import product_delivery

__all__ = ["deliveries", "endpoints", "product_delivery", "products"]
