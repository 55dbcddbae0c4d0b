from django.urls import path, register_converter

from portal.earnings.views import artist, label, statements


class Month:
    """A statement's month in URLs: 2026-10. Any year a date can hold (0001 to 9999):
    reports are never deleted, so a month stored long ago, however odd, keeps its page."""

    regex = r"[0-9]{4}-(0[1-9]|1[0-2])"

    def to_python(self, value: str) -> str:
        if value.startswith("0000"):
            raise ValueError("there is no year 0")  # no match: a 404
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Month, "month")

urlpatterns = [
    path("artists/<int:artist_id>/earnings/", artist.artist_earnings, name="artist_earnings"),
    path(
        "artists/<int:artist_id>/earnings.csv",
        artist.artist_earnings_csv,
        name="artist_earnings_csv",
    ),
    path(
        "artists/<int:artist_id>/earnings/lines/",
        artist.artist_earning_lines,
        name="artist_earning_lines",
    ),
    path(
        "artists/<int:artist_id>/usage-flags/seen/",
        artist.artist_flags_seen,
        name="artist_flags_seen",
    ),
    path("artists/<int:artist_id>/credits/", statements.artist_credits, name="artist_credits"),
    path(
        "artists/<int:artist_id>/statements/",
        statements.artist_statements,
        name="artist_statements",
    ),
    path(
        "artists/<int:artist_id>/statements/<month:month>/",
        statements.artist_statement,
        name="artist_statement",
    ),
    path(
        "artists/<int:artist_id>/statements/<month:month>.csv",
        statements.artist_statement_csv,
        name="artist_statement_csv",
    ),
    path("labels/<int:label_id>/earnings/", label.label_earnings, name="label_earnings"),
    path(
        "labels/<int:label_id>/earnings.csv",
        label.label_earnings_csv,
        name="label_earnings_csv",
    ),
    path(
        "labels/<int:label_id>/usage-flags/",
        label.label_usage_flags,
        name="label_usage_flags",
    ),
    path(
        "labels/<int:label_id>/statements/",
        statements.label_statements,
        name="label_statements",
    ),
    path(
        "labels/<int:label_id>/statements/<month:month>/",
        statements.label_statement,
        name="label_statement",
    ),
    path(
        "labels/<int:label_id>/statements/<month:month>.csv",
        statements.label_statement_csv,
        name="label_statement_csv",
    ),
]
