from django.urls import path

from .views import day, organize, participants, schedule

app_name = "matchmaking"

P = "e/<slug:event_slug>/matchmaking/"

urlpatterns = [
    path(P, participants.recommendations_page, name="recommendations"),
    path(P + "profile/", participants.profile, name="profile"),
    path(P + "request/<id:org_id>/", participants.request_new, name="request_new"),
    path(P + "requests/", participants.request_list, name="requests"),
    path(P + "requests/<id:pk>/answer/", participants.request_answer, name="request_answer"),
    path(P + "requests/<id:pk>/cancel/", participants.request_cancel, name="request_cancel"),
    path(P + "schedule/", schedule.my_schedule, name="schedule"),
    path(P + "schedule.pdf", schedule.schedule_pdf, name="schedule_pdf"),
    path(P + "schedule.ics", schedule.schedule_ics, name="schedule_ics"),
    path(P + "blocked/", schedule.blocked_add, name="blocked_add"),
    path(P + "blocked/<id:pk>/delete/", schedule.blocked_delete, name="blocked_delete"),
    path(P + "meetings/<id:pk>/", day.meeting_detail, name="meeting"),
    path(P + "meetings/<id:pk>/check-in/", day.meeting_check_in, name="meeting_check_in"),
    path(P + "meetings/<id:pk>/no-show/", day.meeting_no_show, name="meeting_no_show"),
    path(P + "meetings/<id:pk>/outcome/", day.meeting_outcome, name="meeting_outcome"),
    path(P + "table-check-in/", day.table_checkin, name="table_checkin"),
    path(P + "board/", day.board, name="board"),
    path(P + "board/rows/", day.board_rows, name="board_rows"),
    path(P + "organize/", organize.organize, name="organize"),
    path(P + "organize/sessions/", organize.session_add, name="session_add"),
    path(P + "organize/tables/", organize.tables_add, name="tables_add"),
    path(P + "organize/place/", organize.place, name="place"),
    path(P + "organize/meetings/", organize.meetings, name="meetings"),
    path(P + "organize/meetings/<id:pk>/unplace/", organize.unplace, name="unplace"),
    path(P + "organize/schedule-all/", organize.schedule_all, name="schedule_all"),
    path(P + "organize/publish/", organize.publish, name="publish"),
    path(P + "organize/table-sheets.pdf", organize.table_sheets, name="table_sheets"),
    path(P + "organize/report/", organize.report, name="report"),
]
