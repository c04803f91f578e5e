"""Run the real ASGI app (Daphne) in a child process against the test database.

Browser tests and cross-process websocket tests use this instead of an in-thread
server, so what they exercise is what production runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env() -> dict[str, str]:
    """Point a child process at the database this test run created."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return {"DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"}


class AsgiServer:
    def __init__(self, port: int, process: subprocess.Popen, mail_dir: Path, log: Path):
        self.port = port
        self.process = process
        self.mail_dir = mail_dir
        self.log = log
        self.url = f"http://127.0.0.1:{port}"

    def emails(self) -> list[str]:
        """Messages the server 'sent' (file email backend), oldest first."""
        return [p.read_text() for p in sorted(self.mail_dir.glob("*.log"), key=os.path.getmtime)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until_serving(server: AsgiServer, within: float = 60) -> None:
    """Wait for the server's first HTTP answer (any status: a server whose database is down answers 503).

    The socket accepts connections before Daphne runs, so a connection proves nothing; an answer does."""
    deadline = time.monotonic() + within
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"ASGI server exited early:\n{server.log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as probe:
                probe.settimeout(max(1.0, deadline - time.monotonic()))
                probe.sendall(b"HEAD /static/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if probe.recv(12).startswith(b"HTTP/1."):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"ASGI server did not answer within {within:.0f} s:\n{server.log.read_text()}")
        time.sleep(0.1)


@contextmanager
def asgi_server(extra_env: dict[str, str] | None = None, port: int | None = None):
    workdir = Path(tempfile.mkdtemp(prefix="ketnoi-server-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        **database_env(),
        "DJANGO_SETTINGS_MODULE": "eventsite.server_test_settings",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "KETNOI_SERVER_TEST": "1",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server keeps Django's async safety checks
    log = workdir / "server.log"
    # The test binds the listening socket and hands it to Daphne (--fd): no other process can take the port
    # between choosing it and listening on it, which happened with parallel test workers.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port or 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    with open(log, "wb") as out, listener:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "--fd", str(listener.fileno()), "eventsite.asgi:application"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),),
        )
    server = AsgiServer(port, process, mail_dir, log)
    try:
        wait_until_serving(server)
        yield server
    finally:
        server.stop()
