"""Articles' words for full-text search in a table of their own (PostgreSQL).

The GIN expression index of 0003 sat on the article row, so that every write of
the row (claimed, finished: its status) computed the text's tsvector again. The
words now live in articles_articledocument, written by a trigger only when an
article is inserted or its title, publisher or text change, and indexed there.
The weights are those of 0003 (title A, publisher B, text C).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

_WORDS = (
    "setweight(to_tsvector('english', COALESCE({row}.title, '')), 'A')"
    " || setweight(to_tsvector('english', COALESCE({row}.publisher, '')), 'B')"
    " || setweight(to_tsvector('english', COALESCE({row}.text, '')), 'C')"
)
_CHANGED = " OR ".join(
    f"OLD.{column} IS DISTINCT FROM NEW.{column}"
    for column in ("title", "publisher", "text")
)
_FORWARD = f"""
CREATE FUNCTION article_document_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_articledocument (article_id, vector)
    VALUES (NEW.id, {_WORDS.format(row="NEW")})
    ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_document_insert AFTER INSERT ON articles_article
    FOR EACH ROW EXECUTE FUNCTION article_document_write();
CREATE TRIGGER article_document_update
    AFTER UPDATE OF title, publisher, text ON articles_article
    FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION article_document_write();
INSERT INTO articles_articledocument (article_id, vector)
    SELECT a.id, {_WORDS.format(row="a")} FROM articles_article a;
CREATE INDEX article_document_vector ON articles_articledocument USING gin (vector);
DROP INDEX IF EXISTS article_search;
"""
_BACKWARD = """
DROP TRIGGER IF EXISTS article_document_insert ON articles_article;
DROP TRIGGER IF EXISTS article_document_update ON articles_article;
DROP FUNCTION IF EXISTS article_document_write();
"""


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FORWARD)


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_BACKWARD)
        # 0003's index again, the expression exactly as the search of then
        # wrote it (the planner uses it only for that very expression).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search ON articles_article USING gin "
            "(((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
            " || setweight(to_tsvector('english'::regconfig, COALESCE(publisher, '')),"
            " 'B')) || setweight(to_tsvector('english'::regconfig, COALESCE(text, '')),"
            " 'C')))"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_originals")]

    operations = [
        migrations.CreateModel(
            name="ArticleDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RunPython(_forward, _backward),
    ]
