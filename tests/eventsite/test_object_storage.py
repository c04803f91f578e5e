"""Uploads in an S3-compatible object store, against a real S3-protocol server (moto in server mode, started here).

The storages are configured by eventsite.storage_config.file_storages from the same environment variables a
deployment sets (KETNOI_S3_*), pointed at the server. Files go through the app's own paths: a product photo
uploaded on the exhibitor's page, a signed agreement scan attached on the agreement form, a report built by the
report task. Then: the public photo is readable anonymously from the store, the private objects are not (private
ACL), the private files are served by the permission-checked views (streamed from the store), and a backup lists
the objects and what the store's versioning must keep.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement
from eventsite import reports
from eventsite.models import EventRole, ReportJob
from eventsite.storage import private_storage
from eventsite.storage_config import StorageConfigError, file_storages
from tests.agreements.factories import dept, party, party_rows
from tests.agreements.files import pdf_bytes
from tests.factories import DAY1, EventFactory, UserFactory, user_with_role
from tests.services import missing
from tests.uploads import apply_as_exhibitor, png_bytes, upload_product_photo

boto3 = pytest.importorskip("boto3", reason="django-storages[s3] (requirements.txt) brings boto3")

KEY, SECRET, REGION = "ketnoi-test", "ketnoi-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server in a child process on a free port (a real HTTP S3 API; never a mock of boto)."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        missing("moto[server] (requirements-dev.txt) is not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - our own local server
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"moto server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def client_for(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                        region_name=REGION)


@pytest.fixture
def store(s3_endpoint, settings):
    """A fresh bucket, and the app's STORAGES built from the KETNOI_S3_* variables for it."""
    bucket = f"ketnoi-{uuid.uuid4().hex[:12]}"
    s3 = client_for(s3_endpoint)
    s3.create_bucket(Bucket=bucket)
    env = {"KETNOI_S3_BUCKET": bucket, "KETNOI_S3_ENDPOINT_URL": s3_endpoint, "KETNOI_S3_REGION": REGION,
           "KETNOI_S3_ACCESS_KEY_ID": KEY, "KETNOI_S3_SECRET_ACCESS_KEY": SECRET}
    configured, origin = file_storages(env, private_root=django_settings.PRIVATE_MEDIA_ROOT)
    settings.STORAGES = {**settings.STORAGES, **configured}
    assert origin == s3_endpoint
    return {"bucket": bucket, "s3": s3, "endpoint": s3_endpoint}


def anonymous_get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, b"", error.headers


def object_url(store, key: str) -> str:
    return f"{store['endpoint']}/{store['bucket']}/{key}"


def is_public(store, key: str) -> bool:
    grants = store["s3"].get_object_acl(Bucket=store["bucket"], Key=key)["Grants"]
    return any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)


@pytest.mark.django_db(transaction=True)
def test_public_photo_and_private_files_through_the_app(client, store):
    event = EventFactory(slug="hoi-cho-s3")
    photo = png_bytes((200, 120, 30))

    # Public: a product photo uploaded on the exhibitor's page lands in the bucket, readable by anyone.
    client.force_login(UserFactory())
    apply_as_exhibitor(client, event)
    product = upload_product_photo(client, event, photo=photo, name="Mật ong rừng U Minh")
    key = f"media/{product.photo.name}"
    assert store["s3"].head_object(Bucket=store["bucket"], Key=key)["ContentType"] == "image/png"
    assert is_public(store, key)
    status, body, headers = anonymous_get(product.photo.url)
    assert (status, body, headers["Content-Type"]) == (200, photo, "image/png")
    assert product.photo.url == object_url(store, key)

    # Private: a signed scan attached on the agreement form, and a generated report.
    organizer = user_with_role(event, EventRole.Role.ORGANIZER)
    client.force_login(organizer)
    scan = pdf_bytes("Biên bản ghi nhớ S3")
    a, b = dept(96), dept(79)
    response = client.post(reverse("agreements:new", args=[event.slug]), {
        "kind": "dept_dept", "title": "Hợp tác thương mại", "signed_at": f"{DAY1:%Y-%m-%d}T10:00",
        **party_rows([party(a, "government"), party(b, "government")]),
        "scan": SimpleUploadedFile("bien-ban.pdf", scan, content_type="application/pdf")})
    assert response.status_code == 302, response.content.decode()[:1000]
    agreement = Agreement.objects.get()
    scan_key = f"private/agreements/{agreement.scan.name}"
    job = reports.start(event=event, kind="agreements_csv", requested_by=organizer)
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == ReportJob.Status.DONE
    report_key = f"private/{job.file.name}"
    for private_key in (scan_key, report_key):
        store["s3"].head_object(Bucket=store["bucket"], Key=private_key)  # it is in the store
        assert not is_public(store, private_key)
        assert anonymous_get(object_url(store, private_key))[0] == 403
    assert not job.file.url.startswith("http")  # private files are never handed a (presigned) URL

    # ... and reach people only through the permission-checked views, streamed from the store.
    download = client.get(reverse("agreements:scan", args=[event.slug, agreement.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == scan
    report = client.get(reverse("report_download", args=[event.slug, job.pk]))
    assert report.status_code == 200 and report["X-Content-Type-Options"] == "nosniff"
    stored = store["s3"].get_object(Bucket=store["bucket"], Key=report_key)["Body"].read()
    assert b"".join(report.streaming_content) == stored
    assert report["Content-Length"] == str(len(stored))
    client.force_login(user_with_role(EventFactory(), EventRole.Role.ORGANIZER))  # another event's organizer
    assert client.get(reverse("agreements:scan", args=[event.slug, agreement.pk])).status_code in (403, 404)
    assert client.get(reverse("report_download", args=[event.slug, job.pk])).status_code in (403, 404)

    # Another machine (a storage built afresh from the same settings) sees every file.
    other_machine = storages.create_storage(django_settings.STORAGES["private"])
    assert other_machine.exists(f"agreements/{agreement.scan.name}") and other_machine.exists(job.file.name)


@pytest.mark.django_db
def test_a_public_file_that_is_not_an_image_is_stored_as_a_download(store):
    name = default_storage.save("products/2026/page.html", ContentFile(b"<script>alert(1)</script>"))
    head = store["s3"].head_object(Bucket=store["bucket"], Key=f"media/{name}")
    assert head["ContentType"] == "application/octet-stream" and head["ContentDisposition"] == "attachment"
    name = default_storage.save("agenda/speakers/logo.svg", ContentFile(b"<svg onload='alert(1)'/>"))
    head = store["s3"].head_object(Bucket=store["bucket"], Key=f"media/{name}")
    assert head["ContentType"] == "application/octet-stream"


@pytest.mark.django_db(transaction=True)
def test_backup_with_object_storage_lists_the_objects_and_says_what_versioning_keeps(store, tmp_path):
    s3, bucket = store["s3"], store["bucket"]
    private_storage().save("agreements/ab/mou.pdf", ContentFile(b"%PDF-1.7 MoU"))
    default_storage.save("products/2026/photo.png", ContentFile(png_bytes()))

    out = io.StringIO()
    call_command("backup", output=tmp_path / "unversioned.tar.gz", stdout=out)
    assert f"bucket {bucket}" in out.getvalue() and "WARNING: versioning is Disabled" in out.getvalue()

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    private_storage().save("reports/event-1-report-1.csv", ContentFile(b"a,b\n"))
    archive = tmp_path / "backup.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "WARNING" not in out.getvalue()
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        readme = tar.extractfile("README.txt").read().decode()
    assert not [n for n in names if n.startswith(("media/", "private/"))], "objects are listed, not copied"
    private = manifest["files"]["private"]
    assert private["kind"] == "object_store" and private["versioning"] == "Enabled"
    assert {o["key"] for o in private["objects"]} == {"private/agreements/ab/mou.pdf",
                                                      "private/reports/event-1-report-1.csv"}
    assert all(o["version_id"] for o in private["objects"])
    assert [o["key"] for o in manifest["files"]["default"]["objects"]] == ["media/products/2026/photo.png"]
    assert "versioning must keep them" in readme and bucket in readme

    # Restore: the database comes back; the store is checked for every listed object (version).
    s3.delete_object(Bucket=bucket, Key="private/agreements/ab/mou.pdf")  # a delete marker; the version stays
    out = io.StringIO()
    call_command("restore", archive, yes=True, stdout=out)
    assert "all 2 private objects listed in the backup are in bucket" in out.getvalue()
    versions = s3.list_object_versions(Bucket=bucket, Prefix="private/agreements/")["Versions"]
    s3.delete_object(Bucket=bucket, Key="private/agreements/ab/mou.pdf", VersionId=versions[0]["VersionId"])
    out = io.StringIO()
    call_command("restore", archive, yes=True, stdout=out)
    assert "1 private objects listed in the backup are missing" in out.getvalue()
    assert "private/agreements/ab/mou.pdf" in out.getvalue()


PROBE = ("import json; from eventsite import settings as s; print(json.dumps({'default': s.STORAGES['default'], "
         "'private': s.STORAGES['private'], 'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}, default=str))")


def probe_settings(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_S3_") and k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, cwd=django_settings.BASE_DIR,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_settings_choose_local_disk_by_default_and_the_object_store_by_environment():
    local = probe_settings()
    assert local["default"]["BACKEND"] == local["private"]["BACKEND"] == "eventsite.storage.LocalStorage"
    s3 = probe_settings(KETNOI_S3_BUCKET="ketnoi-media", KETNOI_S3_ENDPOINT_URL="https://s3.example.vn",
                        KETNOI_S3_PRIVATE_BUCKET="ketnoi-private", KETNOI_S3_ACCESS_KEY_ID="AK",
                        KETNOI_S3_SECRET_ACCESS_KEY="SK", KETNOI_S3_REGION="hcm")
    assert s3["default"]["BACKEND"] == "eventsite.storage.PublicS3Storage"
    assert s3["default"]["OPTIONS"]["default_acl"] == "public-read"
    assert s3["private"]["BACKEND"] == "eventsite.storage.PrivateS3Storage"
    assert s3["private"]["OPTIONS"]["bucket_name"] == "ketnoi-private"
    assert s3["private"]["OPTIONS"]["default_acl"] == "private"
    assert "https://s3.example.vn" in s3["img"]  # the pages may show images from the store
    cdn = probe_settings(KETNOI_S3_BUCKET="ketnoi-media", KETNOI_S3_PUBLIC_URL="https://cdn.example.vn/ketnoi")
    assert cdn["default"]["OPTIONS"]["custom_domain"] == "cdn.example.vn/ketnoi"
    assert "https://cdn.example.vn" in cdn["img"]


def test_private_files_never_share_a_prefix_with_public_media():
    with pytest.raises(StorageConfigError):
        file_storages({"KETNOI_S3_BUCKET": "b", "KETNOI_S3_PRIVATE_PREFIX": "media/private"}, private_root="/x")
    with pytest.raises(StorageConfigError):
        file_storages({"KETNOI_S3_BUCKET": "b", "KETNOI_S3_MEDIA_PREFIX": ""}, private_root="/x")
    file_storages({"KETNOI_S3_BUCKET": "b", "KETNOI_S3_PRIVATE_BUCKET": "p", "KETNOI_S3_PRIVATE_PREFIX": "media"},
                  private_root="/x")
