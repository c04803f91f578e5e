from django.urls import path

from .views import entry, followup, organizations, tally

app_name = "agreements"

E = "e/<slug:event_slug>/agreements/"

urlpatterns = [
    path(E, entry.agreement_list, name="list"),
    path(E + "new/", entry.agreement_new, name="new"),
    path(E + "parties/", entry.party_options, name="parties"),
    path(E + "<id:pk>/", entry.agreement_detail, name="detail"),
    path(E + "<id:pk>/edit/", entry.agreement_edit, name="edit"),
    path(E + "<id:pk>/verify/", entry.agreement_verify, name="verify"),
    path(E + "<id:pk>/reject/", entry.agreement_reject, name="reject"),
    path(E + "<id:pk>/cancel/", entry.agreement_cancel, name="cancel"),
    path(E + "<id:pk>/status/", entry.agreement_status, name="status"),
    path(E + "<id:pk>/scan/", entry.agreement_scan, name="scan"),
    path(E + "organizations/", organizations.unverified_organizations, name="organizations"),
    path(E + "organizations/<id:org_id>/confirm/", organizations.confirm_organization, name="confirm_organization"),
    path(E + "organizations/<id:org_id>/merge/", organizations.merge_organization, name="merge_organization"),
    path(E + "tally/", tally.tally_dashboard, name="dashboard"),
    path(E + "follow-through/", followup.followup_dashboard, name="followup"),
    path(E + "follow-through/check-points/", followup.followup_checkpoints, name="followup_checkpoints"),
    path(E + "follow-through/report/<str:token>/", followup.followup_report, name="followup_report"),
    path(E + "<id:pk>/follow-through/", followup.member_report, name="followup_member"),
    path(E + "<id:pk>/follow-through/called/", followup.add_call_note, name="followup_called"),
    path(E + "counter/", tally.live_counter, name="counter"),
    path("agreements/overview/", tally.tally_overview, name="overview"),
]
