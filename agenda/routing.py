from django.urls import path

from .consumers import AgendaConsumer

websocket_urlpatterns = [
    path("ws/e/<slug:event_slug>/agenda/", AgendaConsumer.as_asgi()),
]
