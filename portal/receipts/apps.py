from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "portal.receipts"
    default_auto_field = "django.db.models.BigAutoField"
