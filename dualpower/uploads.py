"""Files people upload (evidence for research notes, receipts for the ledger): PDFs and photos only,
recognised by their first bytes, never by their name or the browser's word; read with a size limit so
an oversized file never lands on disk whole."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

# The types we accept and the suffix a stored file of each type gets.
ACCEPTED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
# Enough of a file's start to recognise every accepted type.
HEAD_BYTES = 16


class UploadRefused(ValueError):
    """An upload we do not keep; the message says why, for people."""


def detect_type(head):
    """The content type that a file's first bytes prove, or None if they prove none we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def too_large_message(limit):
    return _("This file is too large: files can be up to %(limit)s MB.") % {"limit": f"{limit / 1_000_000:g}"}


def proven_type(upload, *, max_bytes):
    """The content type the upload's first bytes prove; UploadRefused if it is too large, empty, or
    not a PDF or a photo."""
    if upload.size > max_bytes:
        raise UploadRefused(too_large_message(max_bytes))
    if upload.size == 0:
        raise UploadRefused(_("This file is empty."))
    upload.seek(0)
    content_type = detect_type(upload.read(HEAD_BYTES))
    upload.seek(0)
    if content_type is None:
        raise UploadRefused(
            _("Only PDF documents and photos (JPEG, PNG, WebP or GIF) can be attached. Save other files as PDF first.")
        )
    return content_type


def clean_file_name(name):
    """The uploaded file's own name, safe to show and to offer back on download: no folders, no control
    characters, at most 200 characters (keeping the extension)."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip().strip(".") or "file"
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: 199 - len(suffix)] + dot + suffix if dot and len(suffix) <= 10 else name[:200]
    return name


class SizeLimit(FileUploadHandler):
    """Goes first among the upload handlers: passes each file's bytes on until the file passes
    `limit`, then skips that file (the rest of it is read and thrown away) and remembers why."""

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file
