from django.db import migrations

GENESIS = "0" * 64


def create(apps, schema_editor):
    apps.get_model("consent", "LedgerHead").objects.get_or_create(
        pk=1, defaults={"position": 0, "digest": GENESIS}
    )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
