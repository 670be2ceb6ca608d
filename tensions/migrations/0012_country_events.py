"""The countries the timeline's picker lists, from changes triggers append."""

from django.db import migrations, models

# Visible events between two countries count once for each side.
_VISIBLE = (
    "review_state <> 'rejected' "
    "AND source_country_id IS NOT NULL AND target_country_id IS NOT NULL"
)


def _sides(rows: str, sign: str) -> str:
    return f"""
        SELECT source_country_id AS country, {sign}1 AS n FROM {rows}
        WHERE {_VISIBLE}
        UNION ALL
        SELECT target_country_id, {sign}1 FROM {rows} WHERE {_VISIBLE}"""


# One row per country a statement changes (statement-level triggers, with the
# rows before and after it), appended: see CountryEvents.
_FUNCTIONS = f"""
CREATE FUNCTION tensions_country_events_inserted() RETURNS trigger AS $$
BEGIN
    INSERT INTO tensions_countryevents (country, n)
    SELECT country, SUM(n) FROM ({_sides("new_rows", "")}) AS sides
    GROUP BY country;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION tensions_country_events_deleted() RETURNS trigger AS $$
BEGIN
    INSERT INTO tensions_countryevents (country, n)
    SELECT country, SUM(n) FROM ({_sides("old_rows", "-")}) AS sides
    GROUP BY country;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION tensions_country_events_updated() RETURNS trigger AS $$
BEGIN
    INSERT INTO tensions_countryevents (country, n)
    SELECT country, SUM(n) FROM (
        {_sides("new_rows", "")}
        UNION ALL
        {_sides("old_rows", "-")}
    ) AS sides
    GROUP BY country HAVING SUM(n) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION tensions_country_events_truncated() RETURNS trigger AS $$
BEGIN
    DELETE FROM tensions_countryevents;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER tensions_country_events_inserted AFTER INSERT ON tensions_event
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tensions_country_events_inserted();
CREATE TRIGGER tensions_country_events_deleted AFTER DELETE ON tensions_event
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tensions_country_events_deleted();
CREATE TRIGGER tensions_country_events_updated AFTER UPDATE ON tensions_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tensions_country_events_updated();
CREATE TRIGGER tensions_country_events_truncated AFTER TRUNCATE ON tensions_event
    FOR EACH STATEMENT EXECUTE FUNCTION tensions_country_events_truncated();

INSERT INTO tensions_countryevents (country, n)
SELECT country, SUM(n) FROM ({_sides("tensions_event", "")}) AS sides
GROUP BY country;
"""

_DROP = """
DROP TRIGGER tensions_country_events_truncated ON tensions_event;
DROP TRIGGER tensions_country_events_updated ON tensions_event;
DROP TRIGGER tensions_country_events_deleted ON tensions_event;
DROP TRIGGER tensions_country_events_inserted ON tensions_event;
DROP FUNCTION tensions_country_events_truncated();
DROP FUNCTION tensions_country_events_updated();
DROP FUNCTION tensions_country_events_deleted();
DROP FUNCTION tensions_country_events_inserted();
"""


def _triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FUNCTIONS)


def _triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_DROP)


class Migration(migrations.Migration):
    dependencies = [("tensions", "0011_home_visit_since")]

    operations = [
        migrations.CreateModel(
            name="CountryEvents",
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
                ("country", models.CharField(max_length=3)),
                ("n", models.BigIntegerField()),
            ],
            options={"verbose_name_plural": "country events"},
        ),
        migrations.RunPython(_triggers, _triggers_drop),
    ]
