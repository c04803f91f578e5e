"""Where uploaded and generated files live, chosen by environment (eventsite/settings.py, README "Configuration").

Two storage aliases, each either on this machine's disk or in an S3-compatible object store:

* ``default``: public media (product and speaker photos). Local: ``MEDIA_ROOT``, served by nginx at ``/media/``
  in scale mode (deploy/nginx.conf.template) with nosniff and a sandboxing CSP, and by Django only with DEBUG.
  Object store (``KETNOI_S3_BUCKET``): :class:`PublicS3Storage`, public-read objects the browser loads from the
  store; a file that is not an image is stored as a download (``Content-Disposition: attachment``).
* ``private``: generated reports, import files, signed agreement scans, badge sheets. Local:
  ``PRIVATE_MEDIA_ROOT`` (never under MEDIA_ROOT). Object store: :class:`PrivateS3Storage`, private objects with
  no public ACL. Either way these files have no public URL: they are served only by views that check the
  caller's role, through :func:`private_download` (download-only headers, streamed from the store).

On disk a file is written to a hidden temporary file beside its final name and renamed into place when complete,
so a full disk (or a crash) never leaves a half-written file under a real name; a full disk or an unreachable
store raises :class:`StorageFull` / :class:`StorageUnavailable`, which :class:`StorageErrorMiddleware` answers
with a translated 503 (nothing was saved: the database transaction that wanted the file rolls back).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import mimetypes
import os
import posixpath
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .storage_config import PRIVATE_NO_URL

log = logging.getLogger(__name__)

# Names of files still being written (renamed into place when complete); backups and nginx skip them.
PARTIAL_PREFIX = ".upload-"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageError(Exception):
    """A file could not be stored; nothing was kept. Answered with a translated 503 by StorageErrorMiddleware."""

    code = "storage_error"

    def message(self) -> str:
        raise NotImplementedError


class StorageFull(StorageError):
    code = "storage_full"

    def message(self) -> str:
        return _("The server has no room left for uploaded files. Nothing was saved: please try again later, "
                 "and tell the organizers if this persists.")


class StorageUnavailable(StorageError):
    code = "storage_unavailable"

    def message(self) -> str:
        return _("The file store cannot be reached. Nothing was saved: please try again in a few minutes.")


# --- local disk ----------------------------------------------------------------------------------------------------


class _Staged:
    """A complete file waiting beside its final name: FileSystemStorage moves (renames) it into place."""

    def __init__(self, path: str):
        self.path = path

    def temporary_file_path(self) -> str:
        return self.path


class LocalStorage(FileSystemStorage):
    """FileSystemStorage that never leaves a partial file: write to a hidden temporary file, fsync, rename.

    Django's own ``_save`` streams into the final name and leaves whatever was written when the disk fills up.
    """

    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        staged = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, staged = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            saved = super()._save(name, _Staged(staged))  # a rename within the directory: all or nothing
            staged = None
            return saved
        except OSError as error:
            if error.errno in _FULL_ERRNOS:
                log.error("storage full while saving %s under %s: %s", name, self.location, error)
                raise StorageFull() from error
            raise
        finally:
            if staged is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(staged)

    def open_stream(self, name: str):
        """The file for a download response (FileResponse reads it in blocks)."""
        return self.open(name, "rb")


# --- S3-compatible object store ------------------------------------------------------------------------------------

try:  # django-storages[s3] is a runtime requirement, but only needed when KETNOI_S3_BUCKET is set
    from botocore.exceptions import BotoCoreError, ClientError
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - requirements.txt installs it
    S3Storage = None


if S3Storage is not None:

    class _S3Base(S3Storage):
        def _save(self, name, content):
            try:
                return super()._save(name, content)
            except (BotoCoreError, ClientError) as error:
                log.error("object store refused %s in bucket %s: %s", name, self.bucket_name, error)
                raise StorageUnavailable() from error

        def open_stream(self, name: str):
            """The object's body as a stream: a download never holds the whole file in memory or on disk."""
            key = self._normalize_name(name)
            try:
                found = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
            except ClientError as error:
                if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    raise FileNotFoundError(name) from None
                raise
            stream = File(found["Body"], name=posixpath.basename(name))
            stream.size = found["ContentLength"]
            return stream

    class PublicS3Storage(_S3Base):
        """Public media in the object store: readable by anyone, never run as a page.

        Images keep their type (browsers show them); anything else is stored as application/octet-stream with
        ``Content-Disposition: attachment`` (the store cannot send nosniff or a CSP, so a stray HTML or SVG
        file must not be served as something a browser would render).
        """

        def get_object_parameters(self, name):
            params = super().get_object_parameters(name)
            params.setdefault("CacheControl", "public, max-age=2592000")
            content_type, _encoding = mimetypes.guess_type(name)
            if content_type in SAFE_IMAGE_TYPES:
                params["ContentType"] = content_type
            else:
                params["ContentType"] = "application/octet-stream"
                params["ContentDisposition"] = "attachment"
            return params

    class PrivateS3Storage(_S3Base):
        """Private files in the object store: private ACL, never a URL handed out (views stream them)."""

        def url(self, name, parameters=None, expire=None, http_method=None):
            # Never a presigned URL (it would let anyone holding it read the file): the same non-URL as on disk.
            return NO_URL + name.lstrip("/")

# What a private file's .url() answers (nothing serves it): views stream private files instead.
NO_URL = PRIVATE_NO_URL
# Image types shown inline from public media (nginx and the object store alike); SVG is not one: it can script.
SAFE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


# --- the private alias, lazily -------------------------------------------------------------------------------------


class PrivateStorage(Storage):
    """``storages["private"]`` (or a sub-folder of it), looked up at every call through Storage's public methods.

    A model field keeps its storage object for the life of the process, but the private backend is chosen by the
    settings (local disk or an object store), which tests override: so this object holds no backend, and each call
    goes to the backend the current settings name. Django's ``storages`` handler forgets its backends itself when
    STORAGES changes; a sub-folder's backend is kept per configuration.
    """

    def __init__(self, folder: str = ""):
        self.folder = folder.strip("/")
        self._backends: dict[str, Storage] = {}

    @property
    def backend(self) -> Storage:
        if not self.folder:
            return storages["private"]
        config = settings.STORAGES["private"]
        key = repr(sorted((k, repr(v)) for k, v in config.items()))
        if key not in self._backends:
            options = dict(config.get("OPTIONS", {}))
            options["location"] = posixpath.join(str(options.get("location", "")), self.folder)
            self._backends = {key: import_string(config["BACKEND"])(**options)}
        return self._backends[key]

    @property
    def location(self) -> str:
        """The backend's folder (local disk) or key prefix (object store)."""
        return getattr(self.backend, "location", "")

    def open(self, name, mode="rb"):
        return self.backend.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend.save(name, content, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def path(self, name):
        return self.backend.path(name)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def size(self, name):
        return self.backend.size(name)

    def url(self, name):
        return self.backend.url(name)

    def get_accessed_time(self, name):
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name):
        return self.backend.get_created_time(name)

    def get_modified_time(self, name):
        return self.backend.get_modified_time(name)


_private: dict[str, PrivateStorage] = {}


def private_storage(folder: str = ""):
    """The private storage (reports, imports, badge sheets), or a sub-folder of it (``"agreements"``).

    Pass the function itself as a FileField's ``storage=``; files saved through it are never public.
    """
    if folder not in _private:
        _private[folder] = PrivateStorage(folder)
    return _private[folder]


def local_root(alias: str) -> Path | None:
    """The folder of a storage alias when it is on this machine's disk, else None (object store)."""
    storage = storages[alias]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


# --- downloads -----------------------------------------------------------------------------------------------------


def safe_filename(name: str, fallback: str = "download") -> str:
    """An ASCII file name with no path, quote or control characters (the header must not be bent)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned[:120] or fallback


def private_download(fieldfile, filename: str, content_type: str) -> FileResponse:
    """Stream a private file as an attachment that browsers will neither sniff, render nor cache.

    Raises FileNotFoundError when the stored file is gone (the caller answers 404).
    """
    storage = fieldfile.storage
    opener = getattr(storage, "open_stream", None)
    handle = opener(fieldfile.name) if opener else fieldfile.open("rb")
    response = FileResponse(handle, as_attachment=True, filename=safe_filename(filename), content_type=content_type)
    if getattr(handle, "size", None) is not None and "Content-Length" not in response:
        response["Content-Length"] = str(handle.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the answer when a file cannot be stored -----------------------------------------------------------------------


class StorageErrorMiddleware:
    """A full upload disk or an unreachable object store is a 503 with a translated message, never a 500.

    The storage raised before the database row was written (a FileField saves its file in ``pre_save``), and the
    transaction around a service rolls back, so there is no row pointing at a missing file and no partial file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageError):
            return None
        message = exception.message()
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"status": "error", "reason": exception.code, "message": message}, status=503)
        elif request.headers.get("HX-Request"):
            response = HttpResponse(f'<p class="storage-error" role="alert"><strong>{escape(message)}</strong></p>',
                                    status=503)
        else:
            response = TemplateResponse(request, "eventsite/storage_error.html", {"message": message}, status=503)
            response.render()
        response["Retry-After"] = "60"
        return response
