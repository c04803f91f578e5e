from django.urls import path

from . import editor, views

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
    path(P + "edit/", editor.index, name="edit"),
    path(P + "edit/rooms/new/", editor.room_edit, name="room_new"),
    path(P + "edit/rooms/<id:room_id>/", editor.room_edit, name="room_edit"),
    path(P + "edit/rooms/<id:object_id>/delete/", editor.delete, {"kind": "room"}, name="room_delete"),
    path(P + "edit/speakers/new/", editor.speaker_edit, name="speaker_new"),
    path(P + "edit/speakers/<id:speaker_id>/", editor.speaker_edit, name="speaker_edit"),
    path(P + "edit/speakers/<id:object_id>/delete/", editor.delete, {"kind": "speaker"}, name="speaker_delete"),
    path(P + "edit/sessions/new/", editor.session_edit, name="session_new"),
    path(P + "edit/sessions/<id:session_id>/", editor.session_edit, name="session_edit"),
    path(P + "edit/sessions/<id:object_id>/delete/", editor.delete, {"kind": "session"}, name="session_delete"),
]
