from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "portal.consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the `any_of` lookup the write path and selectors use.
        from portal.consent import bulk  # noqa: F401
