"""python manage.py import_articles PATH — a folder or an archive, with progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from articles.models import UploadBatch
from articles.services import batch_upload

_BAR = 30


class Command(BaseCommand):
    help = "Import every readable file of a folder (recursively) or an archive."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        files = sorted(p for p in _walk(path) if not p.name.startswith("."))
        totals = {"created": 0, "existing": 0, "refused": 0}
        for done, file in enumerate(files, start=1):
            self._import(file, path, totals, (done - 1, len(files)))
            self._progress(done, len(files))
        self.stdout.write(
            f"\n{len(files)} files: {totals['created']} articles added, "
            f"{totals['existing']} already stored, {totals['refused']} refused."
        )

    def _import(self, file: Path, root: Path, totals: dict, place) -> None:
        name = str(file.relative_to(root)) if root.is_dir() else file.name

        def within(records_done: int, records: int) -> None:
            # An archive or a bulk file is most of the work: its records move
            # the bar too (on a terminal; a log gets a line per file).
            if self.stdout.isatty() and records_done < records:
                self._progress(*place, f" · {file.name}: {records_done}/{records}")

        with file.open("rb") as handle:
            result = batch_upload(
                files=[File(handle, name=name)],
                source=UploadBatch.Source.IMPORT,
                # On the server's own disk, an archive may be as large as
                # archives may unpack; each entry still keeps the file limit.
                max_bytes=settings.TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES,
                progress=within,
            )
        totals["created"] += sum(1 for u in result.uploads if u.created)
        totals["existing"] += sum(1 for u in result.uploads if not u.created)
        totals["refused"] += len(result.errors)
        for error in result.errors:
            self.stderr.write(f"\n{error['file']}: {error['message']}")

    def _progress(self, done: int, total: int, detail: str = "") -> None:
        filled = _BAR * done // max(total, 1)
        bar = "#" * filled + "-" * (_BAR - filled)
        tty = self.stdout.isatty()
        end = "\r" if tty and done < total else "\n"
        clear = "\x1b[K" if tty else ""  # the end of a longer line before
        self.stdout.write(f"[{bar}] {done}/{total}{detail}{clear}", ending=end)


def _walk(path: Path):
    if path.is_file():
        yield path
        return
    yield from (p for p in path.rglob("*") if p.is_file())
