from django.db import migrations


class Migration(migrations.Migration):
    """`Permission` is `AnnouncedPermission`: the effective state announced to products,
    not who may do what, nor Django's auth permissions. Rows and constraints stay."""

    dependencies = [
        ("consent", "0007_permissionchange_change_history"),
    ]

    operations = [
        migrations.RenameModel(old_name="Permission", new_name="AnnouncedPermission"),
    ]
