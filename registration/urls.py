from django.urls import path

from .views import badges, imports, mine, organizer, signup

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
    # badges
    path("e/<slug:event_slug>/my-badge/", badges.my_badge, name="my_badge"),
    path("e/<slug:event_slug>/registrations/<id:registration_id>/badge.pdf", badges.badge_pdf, name="badge_pdf"),
    path("e/<slug:event_slug>/badges/", badges.badge_print, name="badge_print"),
    path("e/<slug:event_slug>/badges/jobs/<id:job_id>/", badges.badge_job, name="badge_job"),
    path("e/<slug:event_slug>/badges/jobs/<id:job_id>/download/", badges.badge_job_download,
         name="badge_job_download"),
]
