"""A home-page visit keeps where "new" starts, so that reloading the page within
a visit keeps what it showed as new."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tensions", "0010_dyad_period_sums"),
    ]

    operations = [
        migrations.AddField(
            model_name="homevisit",
            name="since",
            field=models.DateTimeField(
                help_text=(
                    "The last view of the visit before this one "
                    "(none on a first visit)."
                ),
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="homevisit",
            name="seen_at",
            field=models.DateTimeField(help_text="The latest view of the home page."),
        ),
    ]
