"""Staff's work page, as catalogue draws it, counted: a work added, moved to another
artist or label, or deleted changes the label's tallies (`consent.services.tallies`),
which catalogue, below consent, cannot reach. A work moved to another artist or label
loses the answers of the party that held it (`consent.services.moves`)."""

from collections import Counter
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.catalogue.admin import WorkAdmin
from portal.catalogue.models import Work
from portal.consent.services.moves import answers_of_moved_clear
from portal.consent.services.tallies import (
    groups_recount,
    work_counts_add,
    works_added,
    writers_hold,
)

admin.site.unregister(Work)


@admin.register(Work)
class CountedWorkAdmin(WorkAdmin):
    def save_model(self, request: HttpRequest, obj: Work, form: Any, change: bool) -> None:
        # The change form's view is one transaction: the save and the counts commit together.
        before = (
            Work.objects.filter(pk=obj.pk).values_list("label_id", "primary_artist_id").first()
            if change
            else None
        )
        after = (obj.label_id, obj.primary_artist_id)
        if before is not None and before != after:
            # Labels, ledger head and counters before the work's row, as imports take them.
            writers_hold(label_ids={before[0], after[0]})
        super().save_model(request, obj, form, change)
        if before is None:
            works_added([obj])
        elif before != after:
            # The answers were the previous artist's or label's: they no longer count.
            answers_of_moved_clear(moves={obj.pk: ((before[1], before[0]), (after[1], after[0]))})
            groups_recount(groups=[before, after])

    def delete_model(self, request: HttpRequest, obj: Work) -> None:
        group = (obj.label_id, obj.primary_artist_id)
        super().delete_model(request, obj)
        work_counts_add({group: -1})

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        gone = Counter(queryset.values_list("label_id", "primary_artist_id"))
        super().delete_queryset(request, queryset)
        work_counts_add({group: -n for group, n in gone.items()})
