"""Fewer indexes to write on each event and mention (those a composite index
already serves, and the never-searched country keys of mentions)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tensions", "0008_event_day_is_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="source_country",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tensions.country",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="target_country",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tensions.country",
            ),
        ),
        migrations.AlterField(
            model_name="mention",
            name="cluster_key",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AlterField(
            model_name="mention",
            name="event",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentions",
                to="tensions.event",
            ),
        ),
        migrations.AlterField(
            model_name="mention",
            name="source_country",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tensions.country",
            ),
        ),
        migrations.AlterField(
            model_name="mention",
            name="target_country",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tensions.country",
            ),
        ),
    ]
