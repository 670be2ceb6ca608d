"""Sketch values found to be boilerplate are marked, so that a near-duplicate
lookup no longer reads their holders each time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_sketch_holders"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommonSketchValue",
            fields=[
                ("value", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
    ]
