from django.db import migrations, models


def days_from_dates(apps, schema_editor):
    """Rows written before the rule held: a dated event's day is its date."""
    Event = apps.get_model("tensions", "Event")
    Event.objects.filter(date__isnull=False).exclude(day=models.F("date")).update(
        day=models.F("date")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tensions", "0007_event_pair_day"),
    ]

    operations = [
        migrations.RunPython(days_from_dates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date__isnull", True), ("day", models.F("date")), _connector="OR"
                ),
                name="event_day_is_date",
            ),
        ),
    ]
