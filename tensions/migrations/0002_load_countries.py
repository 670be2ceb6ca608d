from django.db import migrations

from tensions.countries import country_rows


def load_countries(apps, schema_editor):
    Country = apps.get_model("tensions", "Country")
    Country.objects.bulk_create(
        [Country(**row) for row in country_rows()], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("tensions", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
