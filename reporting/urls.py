from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("e/<slug:event_slug>/reports/official/", views.official_report, name="official_report"),
    path("e/<slug:event_slug>/open-data/results.json", views.open_data, {"fmt": "json"}, name="open_data_json"),
    path("e/<slug:event_slug>/open-data/results.csv", views.open_data, {"fmt": "csv"}, name="open_data_csv"),
]
