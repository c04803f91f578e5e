from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from .views import events, operator, reports, setup, team

# The admin signs in through allauth's login (rate limits, email verification, TOTP) instead of its own form.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = admin.site.site_title = "Kết Nối"

urlpatterns = [
    path("", events.home, name="home"),
    path("e/<slug:event_slug>/", events.event_home, name="event_home"),
    path("e/<slug:event_slug>/organizer/", events.organizer_home, name="organizer_home"),
    path("e/<slug:event_slug>/setup/", setup.event_setup_page, name="event_setup"),
    path("e/<slug:event_slug>/setup/details/", setup.event_edit, name="event_edit"),
    path("e/<slug:event_slug>/setup/copy/", setup.event_copy, name="event_copy"),
    path("e/<slug:event_slug>/setup/publish/", setup.event_publish, name="event_publish"),
    path("e/<slug:event_slug>/team/", team.team, name="team"),
    path("e/<slug:event_slug>/team/roles/<id:role_id>/remove/", team.remove_member, name="team_remove"),
    path("e/<slug:event_slug>/team/invitations/<id:invitation_id>/<str:action>/", team.invitation_action,
         name="team_invitation"),
    path("events/new/", setup.event_create, name="event_create"),
    path("invitations/<str:token>/", team.invitation, name="invitation"),
    path("operator/", operator.operator_home, name="operator_home"),
    path("operator/events/<id:event_id>/template/", operator.operator_template, name="operator_template"),
    path("operator/invitations/<id:invitation_id>/<str:action>/", operator.operator_invitation,
         name="operator_invitation"),
    path("e/<slug:event_slug>/reports/", reports.reports_page, name="reports"),
    path("e/<slug:event_slug>/reports/<id:job_id>/", reports.report_job, name="report_job"),
    path("e/<slug:event_slug>/reports/<id:job_id>/download/", reports.report_download, name="report_download"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Each domain app owns its paths (all event pages live under e/<event_slug>/).
    path("", include("catalog.urls")),
    path("", include("booths.urls")),
    path("", include("registration.urls")),
    path("", include("checkin.urls")),
    path("", include("agenda.urls")),
    path("", include("agreements.urls")),
    path("", include("matchmaking.urls")),
    path("", include("reporting.urls")),
    path("", include("leads.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
