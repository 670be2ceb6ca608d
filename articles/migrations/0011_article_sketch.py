"""An article's whole sketch is stored on it, and only its 32 smallest values
keep a row for the near-duplicate lookup (articles.services.SKETCH_INDEXED):
the candidates' similarity is computed from the column, and an upload writes
(and checks the foreign key of) half the rows it did."""

import struct

from django.db import migrations, models

INDEXED = 32  # SKETCH_INDEXED when this was written
_CHUNK = 500


def _sketches_moved(apps, schema_editor):
    """Each article's rows into its column (8 bytes a value, big-endian:
    articles.fingerprint.sketch_pack); the rows past its INDEXED smallest
    values deleted."""
    Article = apps.get_model("articles", "Article")
    ArticleSketch = apps.get_model("articles", "ArticleSketch")
    ids = sorted(ArticleSketch.objects.values_list("article_id", flat=True).distinct())
    for first in range(0, len(ids), _CHUNK):
        values: dict[int, list[int]] = {pk: [] for pk in ids[first : first + _CHUNK]}
        rows = ArticleSketch.objects.filter(article_id__in=list(values))
        for article_id, value in rows.order_by("value").values_list(
            "article_id", "value"
        ):
            values[article_id].append(value)
        Article.objects.bulk_update(
            [Article(pk=pk, sketch=_packed(v)) for pk, v in values.items()],
            ["sketch"],
        )
        for pk, held in values.items():
            if len(held) > INDEXED:
                ArticleSketch.objects.filter(
                    article_id=pk, value__gt=held[INDEXED - 1]
                ).delete()


def _rows_back(apps, schema_editor):
    """Every value of each article's column a row again, as before."""
    Article = apps.get_model("articles", "Article")
    ArticleSketch = apps.get_model("articles", "ArticleSketch")
    stored = Article.objects.exclude(sketch=b"").values_list("pk", "sketch")
    for pk, sketch in stored.iterator(chunk_size=_CHUNK):
        ArticleSketch.objects.bulk_create(
            [
                ArticleSketch(article_id=pk, value=v)
                for v in _unpacked(sketch)[INDEXED:]
            ],
            ignore_conflicts=True,
        )


def _packed(values: list[int]) -> bytes:
    return struct.pack(f">{len(values)}q", *values)


def _unpacked(data) -> list[int]:
    data = bytes(data)
    return list(struct.unpack(f">{len(data) // 8}q", data))


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_batch_existing_articles")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="sketch",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.RunPython(_sketches_moved, _rows_back),
    ]
