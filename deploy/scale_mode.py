"""Start Kết Nối in scale mode on this machine: PostgreSQL + Redis + N Daphne processes behind nginx.

    python deploy/scale_mode.py --workers 2 --port 8080

Uses DATABASE_URL / REDIS_URL from the environment (defaults: the local servers), runs migrations and
collectstatic, starts the workers on 127.0.0.1:8101.., writes var/scale/nginx.conf and runs nginx in
the foreground of this script. Ctrl+C (or SIGTERM) stops everything.

A worker (or db_worker) that dies is started again after a second, as systemd's ``Restart=always`` would;
nginx sends new connections to the other workers meanwhile. ``<prefix>/status.json`` lists the current
process ids (the benchmarks in bench/ read it to kill a worker on purpose).
"""

from __future__ import annotations

import argparse
import json
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


def scale_env(args=None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every scale-mode process: ``base`` (default os.environ) plus scale-mode defaults."""
    env = {**(os.environ if base is None else base)}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ketnoi_scale")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("KETNOI_ENV", "production")
    env.setdefault("DJANGO_SECRET_KEY", "scale-mode-local-only-" + "k" * 40)
    env.setdefault("KETNOI_BADGE_KEY_SECRET", "scale-mode-local-only-badges-" + "b" * 40)
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # plain http on loopback; TLS ends at a real proxy
    env.setdefault("STATIC_ROOT", str(ROOT / "staticfiles"))
    # nginx serves public uploads from here at /media/ (deploy/nginx.conf.template), so it must be the app's folder.
    env.setdefault("MEDIA_ROOT", str(Path(env.get("KETNOI_VAR_DIR", ROOT / "var")) / "media"))
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


# Idle keep-alive between nginx and the workers, in seconds: nginx drops an idle upstream connection first
# (UPSTREAM_IDLE), the worker only well after (WORKER_KEEPALIVE), so nginx never sends on a connection the worker
# is closing. uvicorn's own default (5 s) against nginx's (60 s) was the wrong order: a POST got a 502.
UPSTREAM_IDLE = 30
WORKER_KEEPALIVE = 75


def write_nginx_conf(prefix: Path, ports: list[int], host: str, port: int, static_root: str,
                     media_root: str | None = None) -> Path:
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    user_line = "user root;" if os.geteuid() == 0 else ""
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    conf = template.format(
        workers=len(ports), user_line=user_line, prefix=prefix, host=host, port=port, static_root=static_root,
        upstream_idle=UPSTREAM_IDLE, worker_keepalive=WORKER_KEEPALIVE,
        media_root=media_root or ROOT / "var" / "media",
        # max_fails=0: never take a loopback worker out of rotation. A dead one refuses the connection at once and
        # nginx passes the request to the next (nothing was sent, so even a POST is safe); with nginx's default
        # (1 failure = out for 10 s) a worker kill under a reconnect storm marked both workers down for minutes
        # ("no live upstreams", bench_faults).
        upstreams="\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in ports),
    )
    path = prefix / "nginx.conf"
    path.write_text(conf)
    return path


def worker_command(server: str, port: int) -> list[str]:
    """One ASGI process on 127.0.0.1:``port``: uvicorn (the default: httptools + uvloop, measured faster on the hot
    path in docs/benchmarks/checkin.md) or Daphne (the development server, kept for comparison)."""
    if server == "daphne":
        # -v 0: no per-request access log on stdout (nginx in front is where one would be kept; uvicorn below
        # runs with --no-access-log too, so the two are compared on equal terms).
        return [PYTHON, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port), "--proxy-headers",
                "eventsite.asgi:application"]
    if server == "uvicorn":
        return [PYTHON, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--proxy-headers",
                "--forwarded-allow-ips", "127.0.0.1", "--no-access-log", "--lifespan", "off",
                "--timeout-keep-alive", str(WORKER_KEEPALIVE),
                "--http", "httptools", "--loop", "uvloop", "--ws", "websockets",
                "eventsite.asgi:application"]
    raise SystemExit(f"unknown --server {server!r}: daphne or uvicorn")


def periodic_command(manage: list[str], host: str, port: int) -> list[str]:
    """The periodic jobs' loop (eventsite/periodic.py), with the public address links start with (SITE_URL wins)."""
    site = os.environ.get("SITE_URL") or f"http://{host}:{port}"
    return [*manage, "periodic", "--loop", "--site", site, "-v0"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--first-worker-port", type=int, default=8101)
    parser.add_argument("--task-workers", type=int, default=2,
                        help="db_worker processes (default 2: they take tasks with SKIP LOCKED, so a batch of "
                             "follow-through emails is sent on both cores)")
    parser.add_argument("--seed", action="store_true", help="also load the demo event")
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="uvicorn")
    parser.add_argument("--prefix", default=str(ROOT / "var" / "scale"),
                        help="folder for nginx.conf, its temp files and status.json (default var/scale)")
    args = parser.parse_args()

    env = scale_env(args)
    ensure_database(env)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    if args.seed:
        subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT)

    ports = [args.first_worker_port + i for i in range(args.workers)]
    prefix = Path(args.prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    # Workers and db_worker are restarted if they die; nginx is not (its exit stops everything).
    commands = {f"worker-{p}": worker_command(args.server, p) for p in ports}
    # Task workers: bulk badges, registration and follow-through emails (tasks are rows in PostgreSQL, no extra
    # broker; each worker claims a task with SELECT … FOR UPDATE SKIP LOCKED, so two never run the same one).
    task_workers = [f"db_worker-{i}" for i in range(1, max(1, args.task_workers) + 1)]
    for name in task_workers:
        commands[name] = [*manage, "db_worker", "--no-reload", "--interval", "0.5"]
    # The periodic jobs beside it: follow-through requests every 10 minutes, unpaid reservations every 5 (each
    # idempotent and safe beside a second copy on another machine, or cron). They enqueue; db_worker sends.
    commands["periodic"] = periodic_command(manage, args.host, args.port)
    children: dict[str, subprocess.Popen] = {
        name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in commands.items()}
    try:
        for p in ports:
            wait_for_port(p)
        Path(env["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
        conf = write_nginx_conf(prefix, ports, args.host, args.port, env["STATIC_ROOT"], env["MEDIA_ROOT"])
        children["nginx"] = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                             cwd=ROOT)
        wait_for_port(args.port)
    except BaseException:  # a worker or nginx did not come up: leave nothing running behind
        for child in children.values():
            child.kill()
        raise
    status_file = prefix / "status.json"

    def write_status() -> None:
        status = {"port": args.port, "server": args.server, "pid": os.getpid(),
                  "workers": {str(p): children[f"worker-{p}"].pid for p in ports},
                  "db_worker": children[task_workers[0]].pid,
                  "db_workers": [children[name].pid for name in task_workers], "periodic": children["periodic"].pid,
                  "nginx": children["nginx"].pid}
        tmp = status_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        tmp.replace(status_file)

    write_status()
    print(f"Scale mode: http://{args.host}:{args.port}/ -> {len(ports)} {args.server} workers {ports} + "
          f"{len(task_workers)} db_worker",
          flush=True)

    def stop(*_):
        for child in reversed(list(children.values())):
            if child.poll() is None:
                child.terminate()
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        status_file.unlink(missing_ok=True)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children["nginx"].poll() is None:
        time.sleep(0.5)
        for name, child in list(children.items()):
            if name != "nginx" and child.poll() is not None:
                print(f"scale mode: {name} exited with {child.returncode}; starting it again", flush=True)
                time.sleep(1)
                children[name] = subprocess.Popen(commands[name], env=env, cwd=ROOT)
                write_status()
    stop()


if __name__ == "__main__":
    main()
