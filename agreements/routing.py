from django.urls import path

from .consumers import CounterConsumer

websocket_urlpatterns = [
    path("ws/e/<slug:event_slug>/agreements/", CounterConsumer.as_asgi()),
]
