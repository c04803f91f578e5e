from django.urls import path

from . import views

app_name = "agenda"

P = "e/<slug:event_slug>/agenda/"

urlpatterns = [
    path(P, views.agenda, name="agenda"),
    path(P + "mine/", views.mine, name="mine"),
    path(P + "screen/", views.screen, name="screen"),
    path(P + "live/", views.live, name="live"),
    path(P + "changes/", views.changes, name="changes"),
    path(P + "agenda.ics", views.feed, name="feed"),
    path(P + "feed/<str:token>.ics", views.personal_feed, name="personal_feed"),
    path(P + "star/<id:session_id>/", views.star, name="star"),
    path(P + "feed/reset/", views.reset_feed, name="reset_feed"),
    path(P + "control/", views.control, name="control"),
    path(P + "control/publish/", views.publish, name="publish"),
    path(P + "control/live/", views.live_control, name="live_control"),
    path(P + "control/announce/", views.announce, name="announce"),
    path(P + "control/announcements/<id:announcement_id>/hide/", views.hide_announcement,
         name="hide_announcement"),
    path(P + "control/sessions/<id:session_id>/<str:action>/", views.session_action, name="session_action"),
]
