"""Forms for licensing's records, as staff fill them in admin."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

from portal.licensing.models import Licence

SHARES = ("artist_share", "label_share", "platform_share")
# Websites and webhook endpoints typed without a scheme are meant as https.
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class LicenceAdminForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["licensee", "label", "reference", "starts_on", "ends_on", "use_types", *SHARES]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "A licence cannot end before it starts.")
        shares: list[Decimal | None] = [cleaned.get(name) for name in SHARES]
        given = [share for share in shares if share is not None]
        if len(given) == len(shares):
            total = sum(given, Decimal(0))
            if total != 100:
                artist, label, platform = shares
                # On the last share, so the database's own check is not also reported.
                self.add_error(
                    "platform_share",
                    f"The shares must add up to 100%: artist {artist} + label {label} + "
                    f"platform {platform} = {total}%.",
                )
        return cleaned
