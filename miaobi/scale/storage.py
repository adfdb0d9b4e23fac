"""Uploaded files that appear whole or not at all, with a clear error when the disk is full.

Django's FileSystemStorage writes straight to the final name: a full disk (ENOSPC) leaves a partial
file there. This storage writes to a hidden temporary file in the same folder and links it to its
name only once every byte is written; on any error the temporary file is removed.
"""
from __future__ import annotations

import errno
import logging
import os
import tempfile

from django.core.files.storage import FileSystemStorage

log = logging.getLogger(__name__)

FULL = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(OSError):
    """The upload folder has no room left (ENOSPC or a quota); nothing of the file was kept."""


class UploadStorage(FileSystemStorage):
    def _save(self, name: str, content) -> str:
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            os.chmod(partial, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(partial, self.path(name))  # never replaces an existing file
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        except OSError as exc:
            if exc.errno in FULL:
                log.error("uploads: no space left in %s for %s (%s bytes)", directory, name, content.size)
                raise StorageFull(exc.errno, "upload folder is full", name) from exc
            raise
        finally:
            try:
                os.unlink(partial)
            except FileNotFoundError:
                pass
        return str(name).replace("\\", "/")
