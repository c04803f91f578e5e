from django.urls import path

from .views import booth, mine, offline, organizer

app_name = "leads"

E = "e/<slug:event_slug>/leads/"

urlpatterns = [
    path(E, booth.lead_list, name="list"),
    path(E + "scan/", booth.scan_page, name="scan"),
    path(E + "scan/submit/", booth.scan, name="scan_submit"),
    path(E + "scan/upload/", booth.upload, name="upload"),
    path(E + "scan/sw.js", offline.service_worker, name="scan_sw"),
    path(E + "export.<str:fmt>", booth.export, name="export"),
    path(E + "<id:lead_id>/", booth.lead_card, name="card"),
    path(E + "<id:lead_id>/meeting/", booth.propose_meeting, name="meeting"),
    path(E + "<id:lead_id>/agreement/", booth.agreement_draft, name="agreement"),
    path(E + "staff/", booth.staff_page, name="staff"),
    path(E + "staff/<id:staff_id>/remove/", booth.staff_remove, name="staff_remove"),
    path(E + "me/", mine.my_leads, name="mine"),
    path(E + "report/", organizer.report_page, name="report"),
]
