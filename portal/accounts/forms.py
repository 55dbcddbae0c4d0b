from django import forms

from portal.accounts.models import time_zones, validate_time_zone


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, by region then city as people look for them: ("Europe/Berlin",
    "Europe / Berlin")."""
    return [(name, name.replace("_", " ").replace("/", " / ")) for name in sorted(time_zones())]


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        validators=[validate_time_zone],
        error_messages={"required": "Choose a time zone from the list, such as Europe/Berlin."},
    )
