from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "portal.imports"
    verbose_name = "Catalogue imports"
    default_auto_field = "django.db.models.BigAutoField"
