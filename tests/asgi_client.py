"""A test client that sends requests through ``eventsite.asgi.application``, as a server would.

Django's test ``Client`` calls Django directly, so it never passes the ASGI-level parts of the app (the scanner
redeem lane, registration/asgi.py). This one speaks ASGI to the whole application, in the test's thread and
database transaction, with the same calling convention as ``Client.get``/``Client.post`` for what the tests
use (``HTTP_*`` keyword headers, ``content_type``).

Requests that the lane does not take go to ``fallback`` (Django's test client) when one is given: Django's own
ASGI handler runs each request's views in a thread of its own (``ThreadSensitiveContext``), outside the test's
database transaction, so it cannot see the test's data.
"""

from __future__ import annotations

import json as jsonlib

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.db import close_old_connections


class AsgiResponse:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes):
        self.status_code = status
        self.headers = {k.decode().lower(): v.decode() for k, v in headers}
        self.content = body

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def json(self):
        return jsonlib.loads(self.content)


class AsgiClient:
    def __init__(self, host: str = "testserver", fallback=None):
        self.host, self.fallback = host, fallback

    def _lane(self, method: str, path: str) -> bool:
        from registration.asgi import PATH

        return self.fallback is None or (method == "POST" and path == PATH)

    def get(self, path: str, **extra) -> AsgiResponse:
        if not self._lane("GET", path):
            return self.fallback.get(path, **extra)
        return self.request("GET", path, b"", extra)

    def post(self, path: str, data: str | bytes = b"", content_type: str = "application/json", **extra
             ) -> AsgiResponse:
        if not self._lane("POST", path):
            return self.fallback.post(path, data=data, content_type=content_type, **extra)
        body = data.encode() if isinstance(data, str) else data
        return self.request("POST", path, body, {"CONTENT_TYPE": content_type, **extra})

    def request(self, method: str, path: str, body: bytes, extra: dict) -> AsgiResponse:
        from eventsite.asgi import application

        path, _sep, query = path.partition("?")
        headers = [(b"host", self.host.encode())]
        for key, value in extra.items():
            name = key.removeprefix("HTTP_") if key.startswith("HTTP_") else key
            headers.append((name.replace("_", "-").lower().encode(), str(value).encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": ("testserver", 80)}

        async def run():
            app = ApplicationCommunicator(application, scope)
            await app.send_input({"type": "http.request", "body": body, "more_body": False})
            start = await app.receive_output(10)
            chunks = []
            while True:
                message = await app.receive_output(10)
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            await app.wait(1)
            return AsgiResponse(start["status"], start.get("headers", []), b"".join(chunks))

        # As Django's own test client does: the test's transaction must survive the request signals.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return async_to_sync(run)()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
