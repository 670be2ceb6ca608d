"""The role groups, and each event's `day` (its date, else its first report)."""

from django.db import migrations
from django.db.models.functions import Coalesce

GROUPS = ("viewer", "analyst")


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    Event = apps.get_model("tensions", "Event")
    Event.objects.update(day=Coalesce("date", "first_reported"))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tensions", "0003_review_relations_watches"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
