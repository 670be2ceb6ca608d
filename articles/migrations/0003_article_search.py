"""A GIN expression index for full-text search of articles (PostgreSQL only).

The expression is articles.search.document_vector() as Django wrote it then: the
planner uses the index only when a query's expression is the same one.
(0005_article_documents replaced this index with a table of words per article.)
"""

from django.db import migrations

_DOCUMENT = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(publisher, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(text, '')), 'C')"
)


def _index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search ON articles_article "
            f"USING gin (({_DOCUMENT}))"
        )


def _index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_ingestion")]

    operations = [migrations.RunPython(_index_create, _index_drop)]
