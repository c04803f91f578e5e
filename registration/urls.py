from django.urls import path

from .api import api
from .views import badges, dashboard, desk, devices, imports, mine, offline, organizer, signup

app_name = "registration"

urlpatterns = [
    path("e/<slug:event_slug>/register/", signup.signup, name="signup"),
    path("e/<slug:event_slug>/register/done/", signup.signup_done, name="signup_done"),
    path("e/<slug:event_slug>/register/confirm/<str:token>/", signup.claim, name="claim"),
    path("e/<slug:event_slug>/me/", mine.my_event, name="my_event"),
    path("e/<slug:event_slug>/registrations/", organizer.registration_list, name="list"),
    path("e/<slug:event_slug>/registrations/bulk/", organizer.bulk_decide, name="bulk"),
    path("e/<slug:event_slug>/registrations/<id:registration_id>/", organizer.registration_detail, name="detail"),
    path("e/<slug:event_slug>/registrations/settings/", organizer.registration_settings, name="settings"),
    path("e/<slug:event_slug>/registrations/import/", imports.import_upload, name="import"),
    path("e/<slug:event_slug>/registrations/import/<id:batch_id>/", imports.import_preview,
         name="import_preview"),
    path("e/<slug:event_slug>/registrations/import/<id:batch_id>/progress/", imports.import_progress,
         name="import_progress"),
    # --- badges and check-in (feature/checkin) ---
    path("e/<slug:event_slug>/my-badge/", badges.my_badge, name="my_badge"),
    path("e/<slug:event_slug>/registrations/<id:registration_id>/badge.pdf", badges.badge_pdf, name="badge_pdf"),
    path("e/<slug:event_slug>/badges/", badges.badge_print, name="badge_print"),
    path("e/<slug:event_slug>/badges/jobs/<id:job_id>/", badges.badge_job, name="badge_job"),
    path("e/<slug:event_slug>/badges/jobs/<id:job_id>/download/", badges.badge_job_download,
         name="badge_job_download"),
    path("e/<slug:event_slug>/desk/", desk.desk, name="desk"),
    path("e/<slug:event_slug>/desk/scan/", desk.scan, name="desk_scan"),
    path("e/<slug:event_slug>/desk/manual/", desk.manual, name="desk_manual"),
    path("e/<slug:event_slug>/desk/undo/", desk.undo, name="desk_undo"),
    path("e/<slug:event_slug>/desk/lookup/", desk.lookup, name="desk_lookup"),
    path("e/<slug:event_slug>/desk/sw.js", offline.service_worker, name="desk_sw"),
    path("e/<slug:event_slug>/desk/manifest.webmanifest", offline.manifest, name="desk_manifest"),
    path("e/<slug:event_slug>/desk/sync/", offline.sync, name="desk_sync"),
    path("e/<slug:event_slug>/desk/upload/", offline.upload, name="desk_upload"),
    path("e/<slug:event_slug>/checkin/", dashboard.dashboard, name="checkin_dashboard"),
    path("e/<slug:event_slug>/checkin/counts/", dashboard.counts_partial, name="checkin_counts"),
    path("e/<slug:event_slug>/devices/", devices.device_list, name="devices"),
    path("e/<slug:event_slug>/devices/<id:device_id>/rename/", devices.device_rename, name="device_rename"),
    path("e/<slug:event_slug>/devices/<id:device_id>/revoke/", devices.device_revoke, name="device_revoke"),
    path("api/checkin/v1/", api.urls),
    # --- end badges and check-in ---
]
