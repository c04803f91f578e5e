"""Files uploaded the way people upload them: through the app's pages (storage, backup, disk-full and S3 tests).

One place that knows the exhibitor's application and product pages, so that a change of those forms is fixed here
once for every storage test.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.models import Product
from eventsite.models import Event


def png_bytes(color=(11, 92, 138), size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def apply_as_exhibitor(client, event: Event, *, tax_code: str = "1900123456", name: str = "HTX Mật ong U Minh"):
    """The signed-in user applies to exhibit (the form every producer fills first); returns the response."""
    data = {"org_name": name, "org_kind": "cooperative", "tax_code": tax_code, "province_code": 96,
            "contact_name": "Lê Thị Bé Tư", "contact_phone": "0290 3831 234", "contact_email": "betu@example.vn",
            "booths_wanted": 1, "pref_1": "", "pref_2": "", "pref_3": ""}
    response = client.post(reverse("booths:apply", kwargs={"event_slug": event.slug}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def product_post(client, event: Event, *, photo: bytes, filename: str = "mat-ong.png", name: str = "Mật ong rừng",
                 content_type: str = "image/png"):
    """POST the "add an OCOP product" page with a photo; returns the response (302 when saved)."""
    data = {"name": name, "group": "food", "subgroup": "raw", "stars": 4,
            "certificate_number": "2025/OCOP-CM-001", "certifying_authority": "province",
            "certificate_issued_on": "2025-01-10", "certificate_expires_on": "2028-01-10",
            "price_min": 280000, "price_max": 350000,
            "photo": SimpleUploadedFile(filename, photo, content_type=content_type)}
    return client.post(reverse("booths:product_add", kwargs={"event_slug": event.slug}), data)


def upload_product_photo(client, event: Event, *, photo: bytes | None = None, name: str = "Mật ong rừng") -> Product:
    """Add a product with a photo through the exhibitor's page and return it (the user must have applied)."""
    response = product_post(client, event, photo=photo or png_bytes(), name=name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Product.objects.get(name=name)
