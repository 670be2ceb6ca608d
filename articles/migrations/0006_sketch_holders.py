"""The near-duplicate lookup walks a sketch value's holders oldest first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_article_documents"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="articlesketch",
            name="article_sketch_value",
        ),
        migrations.AddIndex(
            model_name="articlesketch",
            index=models.Index(
                fields=["value", "article"], name="article_sketch_holders"
            ),
        ),
    ]
