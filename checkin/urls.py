from django.urls import path

from .api import api
from .views import dashboard, desk, devices, offline

app_name = "checkin"

urlpatterns = [
    path("e/<slug:event_slug>/desk/", desk.desk, name="desk"),
    path("e/<slug:event_slug>/desk/scan/", desk.scan, name="desk_scan"),
    path("e/<slug:event_slug>/desk/manual/", desk.manual, name="desk_manual"),
    path("e/<slug:event_slug>/desk/undo/", desk.undo, name="desk_undo"),
    path("e/<slug:event_slug>/desk/lookup/", desk.lookup, name="desk_lookup"),
    path("e/<slug:event_slug>/desk/sw.js", offline.service_worker, name="desk_sw"),
    path("e/<slug:event_slug>/desk/manifest.webmanifest", offline.manifest, name="desk_manifest"),
    path("e/<slug:event_slug>/desk/sync/", offline.sync, name="desk_sync"),
    path("e/<slug:event_slug>/desk/upload/", offline.upload, name="desk_upload"),
    path("e/<slug:event_slug>/checkin/", dashboard.dashboard, name="dashboard"),
    path("e/<slug:event_slug>/checkin/counts/", dashboard.counts_partial, name="counts"),
    path("e/<slug:event_slug>/devices/", devices.device_list, name="devices"),
    path("e/<slug:event_slug>/devices/<id:device_id>/rename/", devices.device_rename, name="device_rename"),
    path("e/<slug:event_slug>/devices/<id:device_id>/revoke/", devices.device_revoke, name="device_revoke"),
    path("api/checkin/v1/", api.urls),
]
