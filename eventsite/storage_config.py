"""The STORAGES aliases for public media and private files, from environment variables (README "Configuration").

Kept apart from eventsite/settings.py (and free of Django imports) so that settings and the object-store tests build
the configuration with the same function.

Without ``KETNOI_S3_BUCKET`` both aliases are folders on this machine. With it, both live in an S3-compatible
object store (AWS S3, MinIO, Ceph, Viettel or FPT object storage…), so that every machine of a multi-machine
deployment reads and writes the same files:

* public media: bucket ``KETNOI_S3_BUCKET`` under ``KETNOI_S3_MEDIA_PREFIX`` (default ``media``), objects
  ``public-read`` (``KETNOI_S3_PUBLIC_ACL``; empty for stores without ACLs, whose bucket policy then grants
  ``s3:GetObject`` on that prefix only), loaded by browsers from ``KETNOI_S3_PUBLIC_URL`` (a CDN or the
  bucket's public address) or else from the endpoint;
* private files: bucket ``KETNOI_S3_PRIVATE_BUCKET`` (default: the same bucket) under ``KETNOI_S3_PRIVATE_PREFIX``
  (default ``private``), private objects, never given a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

PRIVATE_NO_URL = "/private-files-have-no-url/"


class StorageConfigError(ValueError):
    pass


def file_storages(env: Mapping[str, str], *, private_root: Path) -> tuple[dict, str]:
    """(the "default" and "private" STORAGES entries, the origin browsers load public media from, "" for this site)."""
    bucket = env.get("KETNOI_S3_BUCKET", "")
    if not bucket:
        return {
            "default": {"BACKEND": "eventsite.storage.LocalStorage"},
            "private": {"BACKEND": "eventsite.storage.LocalStorage",
                        "OPTIONS": {"location": private_root, "base_url": PRIVATE_NO_URL}},
        }, ""
    endpoint = env.get("KETNOI_S3_ENDPOINT_URL") or None
    common = {
        "endpoint_url": endpoint,
        "region_name": env.get("KETNOI_S3_REGION") or None,
        # Unset: boto3's own chain (AWS_* variables, an instance role).
        "access_key": env.get("KETNOI_S3_ACCESS_KEY_ID") or None,
        "secret_key": env.get("KETNOI_S3_SECRET_ACCESS_KEY") or None,
        "signature_version": "s3v4",
        # Path style (endpoint/bucket/key) works with MinIO, Ceph-based stores and AWS alike without DNS per bucket.
        "addressing_style": env.get("KETNOI_S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto"),
        "file_overwrite": False,  # a second upload of "photo.jpg" gets its own name, as on disk
        # A file read back (an import, a report) spills to a temporary file past 5 MB instead of filling memory.
        "max_memory_size": 5 * 1024 * 1024,
    }
    public = {**common, "bucket_name": bucket, "location": env.get("KETNOI_S3_MEDIA_PREFIX", "media").strip("/"),
              "default_acl": env.get("KETNOI_S3_PUBLIC_ACL", "public-read") or None, "querystring_auth": False}
    public_url = env.get("KETNOI_S3_PUBLIC_URL", "").rstrip("/")
    if public_url:
        parsed = urlsplit(public_url)
        public.update(custom_domain=parsed.netloc + parsed.path, url_protocol=f"{parsed.scheme}:")
        origin = f"{parsed.scheme}://{parsed.netloc}"
    elif endpoint:
        parsed = urlsplit(endpoint)
        origin = f"{parsed.scheme}://{parsed.netloc}"
    else:
        origin = "https://*.amazonaws.com"
    private = {**common, "bucket_name": env.get("KETNOI_S3_PRIVATE_BUCKET") or bucket,
               "location": env.get("KETNOI_S3_PRIVATE_PREFIX", "private").strip("/"),
               "default_acl": "private", "querystring_auth": True}
    if private["bucket_name"] == bucket and _overlap(private["location"], public["location"]):
        raise StorageConfigError("KETNOI_S3_MEDIA_PREFIX and KETNOI_S3_PRIVATE_PREFIX must be separate folders when "
                                 "private files share the public bucket (or set KETNOI_S3_PRIVATE_BUCKET)")
    return {
        "default": {"BACKEND": "eventsite.storage.PublicS3Storage", "OPTIONS": public},
        "private": {"BACKEND": "eventsite.storage.PrivateS3Storage", "OPTIONS": private},
    }, origin


def _overlap(a: str, b: str) -> bool:
    return not a or not b or f"{a}/".startswith(f"{b}/") or f"{b}/".startswith(f"{a}/")
