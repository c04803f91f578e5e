"""HTTP and websockets from one ASGI application (Daphne in development, N workers in scale mode)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from eventsite.routing import websocket_urlpatterns  # noqa: E402
from registration.asgi import RedeemLane  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The scanners' redeem call skips Django's middleware stack (same API; see registration/asgi.py).
        "http": RedeemLane(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
