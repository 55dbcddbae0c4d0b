from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "portal.delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The matrix shows under each cell whether the product has received its latest
        # change; consent, below delivery, asks through its hook.
        from portal.consent.delivered import received_at_register
        from portal.delivery.selectors import receipt_status

        received_at_register(receipt_status)
