"""An upload batch keeps which stored article each already-stored text is, so
that its page points to them (before, it had only their number)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_sketch_article_index_dropped")]

    operations = [
        migrations.AddField(
            model_name="uploadbatch",
            name="existing_articles",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
