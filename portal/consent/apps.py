from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "portal.consent"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the `any_of` lookup the write path and the readers use.
        from portal.consent import lookups  # noqa: F401
