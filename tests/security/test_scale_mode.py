"""deploy/scale_mode.py: the nginx configuration it writes and the worker commands (the stack itself runs in
bench/bench_eventday.py and bench/bench_faults.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def scale_mode():
    spec = importlib.util.spec_from_file_location("scale_mode_under_test", ROOT / "deploy" / "scale_mode.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nginx_forwards_host_with_port_and_every_worker(tmp_path):
    # Django compares Origin with Host for CSRF: nginx on :8080 must pass "127.0.0.1:8080", not "127.0.0.1".
    conf = scale_mode().write_nginx_conf(tmp_path, [8101, 8102], "127.0.0.1", 8080, "/srv/static").read_text()
    assert "proxy_set_header Host $host;" not in conf
    assert conf.count("proxy_set_header Host $http_host;") == 2
    assert "server 127.0.0.1:8101 max_fails=0;" in conf and "server 127.0.0.1:8102 max_fails=0;" in conf
    assert "listen 127.0.0.1:8080;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf


def test_worker_commands():
    module = scale_mode()
    daphne = module.worker_command("daphne", 8101)
    assert daphne[1:3] == ["-m", "daphne"] and "--proxy-headers" in daphne and "8101" in daphne
    uvicorn = module.worker_command("uvicorn", 8102)
    assert uvicorn[1:3] == ["-m", "uvicorn"] and "8102" in uvicorn
    with pytest.raises(SystemExit):
        module.worker_command("gunicorn", 8103)


def test_scale_env_defaults_keep_given_values():
    env = scale_mode().scale_env(base={"REDIS_URL": "redis://127.0.0.1:6399/7", "DJANGO_ALLOW_ASYNC_UNSAFE": "1"})
    assert env["REDIS_URL"] == "redis://127.0.0.1:6399/7"
    assert env["KETNOI_ENV"] == "production" and env["KETNOI_TASKS"] == "database"
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in env
