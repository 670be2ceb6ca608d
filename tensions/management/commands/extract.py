import datetime as dt
import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tensions import extraction


class Command(BaseCommand):
    help = "Print the events the extractor finds in text files, one JSON object a line."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--published",
            type=dt.date.fromisoformat,
            help="Publication date (YYYY-MM-DD) to resolve relative dates against.",
        )

    def handle(self, *args, files, published, **options):
        try:
            self._print(files, published)
        except BrokenPipeError:
            # The reader stopped early (`| head`): stop quietly, as filters do,
            # with stdout on /dev/null so that its last flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    def _print(self, files: list[Path], published: dt.date | None) -> None:
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text ({exc})") from exc
            except OSError as exc:
                raise CommandError(f"{path}: cannot read it ({exc.strerror})") from exc
            try:
                events = extraction.extract(text, published=published)
            except extraction.ExtractionError as exc:
                raise CommandError(f"{path}: {exc}") from exc
            for event in events:
                line = {"file": str(path), **event.as_json()}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
