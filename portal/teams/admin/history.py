"""The team history in admin: every team's, for audit, read-only."""

from django.contrib import admin

from portal.catalogue.admin import ReadOnlyMixin
from portal.teams.models import TeamEvent


@admin.register(TeamEvent)
class TeamEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The history of every team: for audit, read-only."""

    list_display = ["at", "artist", "actor_name", "kind", "subject", "previous_role", "role"]
    list_select_related = ["artist"]
    list_filter = ["kind"]
    search_fields = ["subject", "actor_name", "artist__name"]
    show_full_result_count = False
