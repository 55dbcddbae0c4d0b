from django.db import migrations, models

import portal.text

# The vocabulary the portal starts with; staff add to it in admin.
CONDITIONS = [
    (
        "credit_required",
        "Credit",
        "credit",
        "Whatever the product makes with your work names you, with the credit line you give.",
    ),
    (
        "non_commercial",
        "Non-commercial only",
        "none",
        "Your work is used only where nobody pays or is paid: no sales, subscriptions or "
        "paid placements.",
    ),
    (
        "no_advertising",
        "No advertising",
        "none",
        "Nothing made with your work is used to advertise or sell anything.",
    ),
    (
        "no_political",
        "No political use",
        "none",
        "Nothing made with your work is used by or for a party, candidate or campaign.",
    ),
    (
        "territories",
        "Only in some countries",
        "territories",
        "Your work is used only in the countries you list, and nowhere else.",
    ),
]


def create(apps, schema_editor):
    Condition = apps.get_model("licensing", "Condition")
    for position, (code, name, parameter, explanation) in enumerate(CONDITIONS):
        Condition.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parameter": parameter,
                "explanation": explanation,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0007_shares_not_negative"),
    ]

    operations = [
        migrations.CreateModel(
            name="Condition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=80, validators=[portal.text.validate_name])),
                (
                    "explanation",
                    models.TextField(
                        help_text="What it asks of a product, in plain words, for artists."
                    ),
                ),
                (
                    "parameter",
                    models.CharField(
                        choices=[
                            ("none", "Nothing to fill in"),
                            ("credit", "A credit line"),
                            ("territories", "The countries allowed (ISO 3166-1)"),
                        ],
                        default="none",
                        max_length=12,
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                "ordering": ["position", "name"],
            },
        ),
        migrations.AddField(
            model_name="product",
            name="conditions_honoured",
            field=models.ManyToManyField(
                blank=True,
                help_text="The conditions this product can honour, shown to artists on its card.",
                related_name="products",
                to="licensing.condition",
            ),
        ),
        migrations.RunPython(create, migrations.RunPython.noop),
    ]
