from django.urls import path  # noqa: F401

from .api import api
from .views import badges, dashboard, desk

app_name = "registration"

urlpatterns: list = [
    # --- badges and check-in (feature/checkin) ---
    path("e/<slug:event_slug>/my-badge/", badges.my_badge, name="my_badge"),
    path("e/<slug:event_slug>/registrations/<int:registration_id>/badge.pdf", badges.badge_pdf, name="badge_pdf"),
    path("e/<slug:event_slug>/badges/", badges.badge_print, name="badge_print"),
    path("e/<slug:event_slug>/badges/jobs/<int:job_id>/", badges.badge_job, name="badge_job"),
    path("e/<slug:event_slug>/badges/jobs/<int:job_id>/download/", badges.badge_job_download,
         name="badge_job_download"),
    path("e/<slug:event_slug>/desk/", desk.desk, name="desk"),
    path("e/<slug:event_slug>/desk/scan/", desk.scan, name="desk_scan"),
    path("e/<slug:event_slug>/desk/manual/", desk.manual, name="desk_manual"),
    path("e/<slug:event_slug>/desk/undo/", desk.undo, name="desk_undo"),
    path("e/<slug:event_slug>/desk/lookup/", desk.lookup, name="desk_lookup"),
    path("e/<slug:event_slug>/checkin/", dashboard.dashboard, name="checkin_dashboard"),
    path("e/<slug:event_slug>/checkin/counts/", dashboard.counts_partial, name="checkin_counts"),
    path("api/checkin/v1/", api.urls),
    # --- end badges and check-in ---
]
