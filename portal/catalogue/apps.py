from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "portal.catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.accounts.roles import second_factor_required_for
        from portal.catalogue.selectors import label_managements

        # A label's managers decide for its whole roster: a password alone must not let
        # anyone do that.
        second_factor_required_for(label_managements)
