"""An index holding the DyadPeriod columns the home page's rankings sum, so that
PostgreSQL reads a month's rows from the index alone (bench/README.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tensions", "0009_fewer_write_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dyadperiod",
            index=models.Index(
                fields=["start", "period"],
                include=("source", "target", "events", "conflict", "cooperation"),
                name="dyad_period_sums",
            ),
        ),
    ]
