from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "portal.signals"
    default_auto_field = "django.db.models.BigAutoField"
