from django.apps import AppConfig


class EarningsConfig(AppConfig):
    name = "portal.earnings"
    default_auto_field = "django.db.models.BigAutoField"
