from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "portal.training"
    default_auto_field = "django.db.models.BigAutoField"
