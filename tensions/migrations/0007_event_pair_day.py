import datetime

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tensions", "0006_event_sort_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                django.db.models.functions.comparison.Least(
                    "source_country", "target_country"
                ),
                django.db.models.functions.comparison.Greatest(
                    "source_country", "target_country"
                ),
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce(
                        "day", models.Value(datetime.date(1, 1, 1))
                    ),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="event_pair_day",
            ),
        ),
    ]
