from django.db import migrations, models

# One row per status a statement changes (statement-level triggers, with the
# rows before and after it), appended: see StatusCount.
_FUNCTIONS = """
CREATE FUNCTION articles_status_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO articles_statuscount (status, n)
    SELECT status, count(*) FROM new_rows GROUP BY status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION articles_status_deleted() RETURNS trigger AS $$
BEGIN
    INSERT INTO articles_statuscount (status, n)
    SELECT status, -count(*) FROM old_rows GROUP BY status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION articles_status_updated() RETURNS trigger AS $$
BEGIN
    INSERT INTO articles_statuscount (status, n)
    SELECT status, sum(n) FROM (
        SELECT new_rows.status, 1 AS n
        FROM new_rows JOIN old_rows USING (id)
        WHERE new_rows.status <> old_rows.status
        UNION ALL
        SELECT old_rows.status, -1
        FROM new_rows JOIN old_rows USING (id)
        WHERE new_rows.status <> old_rows.status
    ) AS moved
    GROUP BY status;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER articles_status_inserted AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_status_inserted();
CREATE TRIGGER articles_status_deleted AFTER DELETE ON articles_article
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_status_deleted();
CREATE TRIGGER articles_status_updated AFTER UPDATE ON articles_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_status_updated();

INSERT INTO articles_statuscount (status, n)
SELECT status, count(*) FROM articles_article GROUP BY status;
"""

_DROP = """
DROP TRIGGER articles_status_updated ON articles_article;
DROP TRIGGER articles_status_deleted ON articles_article;
DROP TRIGGER articles_status_inserted ON articles_article;
DROP FUNCTION articles_status_updated();
DROP FUNCTION articles_status_deleted();
DROP FUNCTION articles_status_inserted();
"""


def _triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FUNCTIONS)


def _triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_common_sketch_values")]

    operations = [
        migrations.CreateModel(
            name="StatusCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("status", models.CharField(max_length=20)),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(_triggers, _triggers_drop),
    ]
