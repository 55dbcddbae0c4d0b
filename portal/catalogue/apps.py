from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "portal.catalogue"
    default_auto_field = "django.db.models.BigAutoField"
