from django.core.management.base import BaseCommand

from tensions.relations import relations_rebuild


class Command(BaseCommand):
    help = "Recompute every pair-and-period row of the tension index from the events."

    def handle(self, *args, **options):
        rows = relations_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{rows} pair-period rows rebuilt."))
