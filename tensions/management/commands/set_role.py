from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tensions.roles import ADMIN, ANALYST, VIEWER


class Command(BaseCommand):
    help = "Give a user one role: viewer (reads), analyst (uploads, reviews) or admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[VIEWER, ANALYST, ADMIN])

    @transaction.atomic
    def handle(self, *args, username, role, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        groups = {name: Group.objects.get(name=name) for name in (VIEWER, ANALYST)}
        user.groups.remove(*groups.values())
        if role in groups:
            user.groups.add(groups[role])
        user.is_staff = user.is_superuser = role == ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(self.style.SUCCESS(f"{username} is now {role}."))
