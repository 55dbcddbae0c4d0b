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

        # Consent sits below delivery and cannot call it: it says when products have new
        # changes, and delivery listens.
        from portal.consent.signals import changes_recorded
        from portal.delivery.signals import changes_recorded_schedule

        changes_recorded.connect(
            changes_recorded_schedule, dispatch_uid="delivery.changes_recorded_schedule"
        )
