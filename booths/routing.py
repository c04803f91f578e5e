from django.urls import path

from .consumers import FloorPlanConsumer

websocket_urlpatterns = [
    path("ws/e/<slug:event_slug>/floorplan/", FloorPlanConsumer.as_asgi()),
]
