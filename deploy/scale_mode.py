"""Start Kết Nối in scale mode on this machine: PostgreSQL + Redis + N Daphne processes behind nginx.

    python deploy/scale_mode.py --workers 2 --port 8080

Uses DATABASE_URL / REDIS_URL from the environment (defaults: the local servers), runs migrations and
collectstatic, starts the workers on 127.0.0.1:8101.., writes var/scale/nginx.conf and runs nginx in
the foreground of this script. Ctrl+C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def scale_env(args) -> dict[str, str]:
    env = {**os.environ}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ketnoi_scale")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("KETNOI_ENV", "production")
    env.setdefault("DJANGO_SECRET_KEY", "scale-mode-local-only-" + "k" * 40)
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # plain http on loopback; TLS ends at a real proxy
    env.setdefault("STATIC_ROOT", str(ROOT / "staticfiles"))
    env.setdefault("KETNOI_TASKS", "database")  # background work runs on db_worker (docs/architecture-tasks.md)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def ensure_database(env: dict[str, str]) -> None:
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def write_nginx_conf(prefix: Path, ports: list[int], host: str, port: int, static_root: str) -> Path:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    user_line = "user root;" if os.geteuid() == 0 else ""
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    conf = template.format(
        workers=len(ports), user_line=user_line, prefix=prefix, host=host, port=port, static_root=static_root,
        upstreams="\n".join(f"        server 127.0.0.1:{p};" for p in ports),
    )
    path = prefix / "nginx.conf"
    path.write_text(conf)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--first-worker-port", type=int, default=8101)
    parser.add_argument("--seed", action="store_true", help="also load the demo event")
    args = parser.parse_args()

    env = scale_env(args)
    ensure_database(env)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    if args.seed:
        subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT)

    ports = [args.first_worker_port + i for i in range(args.workers)]
    children: list[subprocess.Popen] = []
    for p in ports:
        children.append(subprocess.Popen(
            [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(p), "--proxy-headers",
             "eventsite.asgi:application"], env=env, cwd=ROOT))
    # One task worker: bulk badges, registration emails (tasks are rows in PostgreSQL, no extra broker).
    children.append(subprocess.Popen([*manage, "db_worker", "--no-reload", "--interval", "0.5"], env=env, cwd=ROOT))
    for p in ports:
        wait_for_port(p)
    prefix = ROOT / "var" / "scale"
    conf = write_nginx_conf(prefix, ports, args.host, args.port, env["STATIC_ROOT"])
    nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], cwd=ROOT)
    children.append(nginx)
    wait_for_port(args.port)
    print(f"Scale mode: http://{args.host}:{args.port}/ -> {len(ports)} Daphne workers {ports} + db_worker",
          flush=True)

    def stop(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
