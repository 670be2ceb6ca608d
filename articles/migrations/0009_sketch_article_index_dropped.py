"""The sketch rows' index on the article alone is dropped: the unique
constraint on (article, value) leads with the article and serves its lookups
and cascades. One index fewer to write for each of an article's 64 rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_status_counts")]

    operations = [
        migrations.AlterField(
            model_name="articlesketch",
            name="article",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="articles.article",
            ),
        ),
    ]
