"""Websocket routes, gathered from each domain app's ``routing.py`` (the composition root, like urls.py)."""

from importlib import import_module

from django.conf import settings

websocket_urlpatterns = []
for app in settings.INSTALLED_APPS:
    if "." in app:
        continue
    try:
        module = import_module(f"{app}.routing")
    except ModuleNotFoundError as missing:
        if missing.name != f"{app}.routing":
            raise
        continue
    if module.__name__ != __name__:
        websocket_urlpatterns += getattr(module, "websocket_urlpatterns", [])
