"""python manage.py reprocess [--all|--failed|--before-version V]"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.models import Article
from articles.services import articles_reprocess


class Command(BaseCommand):
    help = "Queue articles for processing again, e.g. after an extractor upgrade."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every article")
        which.add_argument("--failed", action="store_true", help="failed articles")
        which.add_argument(
            "--before-version",
            metavar="V",
            help="articles processed by an extractor older than V",
        )

    def handle(self, *args, **options):
        articles = Article.objects.all()
        if options["failed"]:
            articles = articles.filter(status=Article.Status.FAILED)
        elif options["before_version"]:
            articles = _before(articles, options["before_version"])
        count = articles_reprocess(articles=articles)
        self.stdout.write(f"{count} articles queued for processing again.")


def _before(articles, version: str):
    try:
        wanted = _parts(version)
    except ValueError:
        raise CommandError(f"{version!r} is not a version like 1.2.0.") from None
    older = [
        v
        for v in articles.values_list("extractor_version", flat=True).distinct()
        if not v or _older(v, wanted)
    ]
    return articles.filter(Q(extractor_version__in=older))


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _older(version: str, wanted: tuple[int, ...]) -> bool:
    try:
        return _parts(version) < wanted
    except ValueError:
        return True
