from django.urls import path

from .consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/e/<slug:event_slug>/matchmaking/board/", BoardConsumer.as_asgi()),
]
