from django.urls import path

from .views import imports, organizer, signup

app_name = "registration"

urlpatterns = [
    path("e/<slug:event_slug>/register/", signup.signup, name="signup"),
    path("e/<slug:event_slug>/register/done/", signup.signup_done, name="signup_done"),
    path("e/<slug:event_slug>/registrations/", organizer.registration_list, name="list"),
    path("e/<slug:event_slug>/registrations/bulk/", organizer.bulk_decide, name="bulk"),
    path("e/<slug:event_slug>/registrations/export.csv", organizer.export, {"fmt": "csv"}, name="export_csv"),
    path("e/<slug:event_slug>/registrations/export.xlsx", organizer.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("e/<slug:event_slug>/registrations/settings/", organizer.registration_settings, name="settings"),
    path("e/<slug:event_slug>/registrations/import/", imports.import_upload, name="import"),
    path("e/<slug:event_slug>/registrations/import/<int:batch_id>/", imports.import_preview,
         name="import_preview"),
]
