from django.db import migrations, models
from django.db.models import Exists, OuterRef


def infer_sent_as(apps, schema_editor):
    """Invitations sent before the capacity was recorded: a team admin's, else the label's
    manager's, else staff's. Anything left is treated as the label's, whose rules are the
    strictest, so an invitation of unknown origin never grants more than the label could.

    A sender who manages the artist's label counts as the label even when they are an
    admin of the team now: before the rule existed a manager could make himself admin
    of a roster artist's team, and his invitations must not keep that admin's reach."""
    Invitation = apps.get_model("teams", "Invitation")
    ArtistMembership = apps.get_model("catalogue", "ArtistMembership")
    LabelManager = apps.get_model("catalogue", "LabelManager")
    team_admin = ArtistMembership.objects.filter(
        artist_id=OuterRef("artist_id"), user_id=OuterRef("invited_by_id"), role="admin"
    )
    label_manager = LabelManager.objects.filter(
        label_id=OuterRef("artist__label_id"), user_id=OuterRef("invited_by_id")
    )
    Invitation.objects.filter(sent_as="").filter(Exists(label_manager)).update(sent_as="label")
    Invitation.objects.filter(sent_as="").filter(Exists(team_admin)).update(sent_as="team_admin")
    Invitation.objects.filter(sent_as="", invited_by__is_staff=True).update(sent_as="staff")
    Invitation.objects.filter(sent_as="").update(sent_as="label")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="sent_as",
            field=models.CharField(
                choices=[
                    ("team_admin", "An admin of the team"),
                    ("label", "The artist's label"),
                    ("staff", "Platform staff"),
                ],
                default="",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(infer_sent_as, migrations.RunPython.noop),
    ]
