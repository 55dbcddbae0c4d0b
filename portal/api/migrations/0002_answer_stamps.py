"""The answer stamps and the PostgreSQL triggers that count every change behind an
answer (`api.models.AnswerStamp`). Statement-level: a bulk answer of a million rows
counts once, not a million times. SQLite (`make run`, one process) keeps no answers, so
it has neither."""

from django.db import migrations, models

# What a product's answers are made of, per product: a transition table names them.
PER_PRODUCT = ("consent_decision", "consent_announcedpermission")
# What every product's are made of (only some of a work's columns: imports rewrite its
# title and credits without touching what the rule reads).
EVERY_PRODUCT = {
    "licensing_licence": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_licence_use_types": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_product": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_productuse": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_product_conditions_honoured": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_condition": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "licensing_usetype": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "consent_labelpolicy": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "catalogue_work": (
        "UPDATE OF label_id, release_date, withdrawn_at, disputed_at OR DELETE OR TRUNCATE"
    ),
}

FUNCTIONS = """
CREATE FUNCTION api_stamp_every_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO api_answerstamp (scope, n) VALUES (0, 1)
    ON CONFLICT (scope) DO UPDATE SET n = api_answerstamp.n + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION api_stamp_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In product order, as every writer locks products.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO api_answerstamp (scope, n)
        SELECT DISTINCT product_id, 1 FROM new_rows ORDER BY 1
        ON CONFLICT (scope) DO UPDATE SET n = api_answerstamp.n + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO api_answerstamp (scope, n)
        SELECT product_id, 1 FROM (
            SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows
        ) changed ORDER BY 1
        ON CONFLICT (scope) DO UPDATE SET n = api_answerstamp.n + 1;
    ELSE
        INSERT INTO api_answerstamp (scope, n)
        SELECT DISTINCT product_id, 1 FROM old_rows ORDER BY 1
        ON CONFLICT (scope) DO UPDATE SET n = api_answerstamp.n + 1;
    END IF;
    RETURN NULL;
END $$;
"""


def _forwards() -> str:
    statements = [FUNCTIONS, "INSERT INTO api_answerstamp (scope, n) VALUES (0, 1);"]
    for table in PER_PRODUCT:
        statements += [
            f"CREATE TRIGGER {table}_stamp_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION api_stamp_products();",
            f"CREATE TRIGGER {table}_stamp_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION api_stamp_products();",
            f"CREATE TRIGGER {table}_stamp_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION api_stamp_products();",
            # TRUNCATE has no transition table: it counts for every product.
            f"CREATE TRIGGER {table}_stamp_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION api_stamp_every_product();",
        ]
    for table, events in EVERY_PRODUCT.items():
        statements.append(
            f"CREATE TRIGGER {table}_stamp AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION api_stamp_every_product();"
        )
    return "\n".join(statements)


def _backwards() -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS {table}_stamp_{event} ON {table};"
        for table in PER_PRODUCT
        for event in ("insert", "update", "delete", "truncate")
    ]
    drops += [f"DROP TRIGGER IF EXISTS {table}_stamp ON {table};" for table in EVERY_PRODUCT]
    drops += [
        "DROP FUNCTION IF EXISTS api_stamp_products();",
        "DROP FUNCTION IF EXISTS api_stamp_every_product();",
    ]
    return "\n".join(drops)


def install(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_forwards())


def uninstall(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_backwards())


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("catalogue", "0007_work_disputed"),
        ("consent", "0019_answer_batches"),
        ("licensing", "0010_use_obliges_exclusion"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnswerStamp",
            fields=[
                ("scope", models.BigIntegerField(primary_key=True, serialize=False)),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
