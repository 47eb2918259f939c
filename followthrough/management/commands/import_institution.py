"""Restore an institution from its export archive (see followthrough/EXPORT_FORMAT.md)."""

import zipfile

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from followthrough.archive import ArchiveRefused, restore_archive


class Command(BaseCommand):
    help = (
        "Restore an institution from an export archive into this database, in one transaction. Refuses when "
        "an institution with the same slug is already here. People are matched by e-mail address."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .zip file the export page gave")

    def handle(self, *args, **options):
        try:
            institution = restore_archive(options["archive"])
        except (ArchiveRefused, zipfile.BadZipFile, FileNotFoundError, KeyError, IntegrityError) as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        self.stdout.write(f"Imported {institution.name} (/i/{institution.slug}/).")
