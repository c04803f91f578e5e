from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/e/<slug:event_slug>/checkin/", consumers.CheckinConsumer.as_asgi()),
]
